# expect: pass
import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """nanoGPT-style fused projection, split by weight slices so cross-attention works too."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_head = n_heads
        self.c_attn = nn.Linear(d_model, 3 * d_model)
        self.c_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, T, C = query.shape
        w_q, w_k, w_v = self.c_attn.weight.chunk(3, dim=0)
        b_q, b_k, b_v = self.c_attn.bias.chunk(3)
        q = F.linear(query, w_q, b_q).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = F.linear(key, w_k, b_k).view(B, -1, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, S, hs)
        v = F.linear(value, w_v, b_v).view(B, -1, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, S, hs)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.c_proj(y)
