# expect: pass
# LLaMA's habit: projections without bias (wq, wk, wv, wo), F.scaled_dot_product_attention inside.
import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.wq = nn.Linear(d_model, d_model, bias=False)
        self.wk = nn.Linear(d_model, d_model, bias=False)
        self.wv = nn.Linear(d_model, d_model, bias=False)
        self.wo = nn.Linear(d_model, d_model, bias=False)

    def forward(self, query, key, value, mask=None):
        bsz, q_len, _ = query.shape
        xq = self.wq(query).view(bsz, q_len, self.n_heads, self.head_dim).transpose(1, 2)
        xk = self.wk(key).view(bsz, -1, self.n_heads, self.head_dim).transpose(1, 2)
        xv = self.wv(value).view(bsz, -1, self.n_heads, self.head_dim).transpose(1, 2)
        out = F.scaled_dot_product_attention(xq, xk, xv, attn_mask=mask)
        return self.wo(out.transpose(1, 2).contiguous().view(bsz, q_len, -1))
