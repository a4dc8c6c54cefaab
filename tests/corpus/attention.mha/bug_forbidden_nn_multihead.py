# expect: fail forbidden
import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)

    def forward(self, query, key, value, mask=None):
        B, Lq, Lk = query.size(0), query.size(1), key.size(1)
        attn_mask = None
        if mask is not None:
            # nn.MultiheadAttention blocks True entries and wants (B * heads, Lq, Lk)
            heads = self.attn.num_heads
            attn_mask = ~mask.expand(B, heads, Lq, Lk).reshape(B * heads, Lq, Lk)
        out, _ = self.attn(query, key, value, attn_mask=attn_mask, need_weights=False)
        return out
