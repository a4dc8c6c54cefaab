# expect: fail residual
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """A post-norm Transformer sublayer folded into the attention module: LayerNorm(query + attention)."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h, self.d_k = n_heads, d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        q = self.w_q(query).view(B, Lq, self.h, self.d_k).transpose(1, 2)
        k = self.w_k(key).view(B, -1, self.h, self.d_k).transpose(1, 2)
        v = self.w_v(value).view(B, -1, self.h, self.d_k).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        out = self.w_o(out.transpose(1, 2).contiguous().view(B, Lq, D))
        return self.norm(query + out)
