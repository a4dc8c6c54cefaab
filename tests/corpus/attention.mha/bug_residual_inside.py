# expect: fail residual
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        hd = D // self.n_heads
        q = self.q_proj(query).view(B, Lq, self.n_heads, hd).transpose(1, 2)
        k = self.k_proj(key).view(B, -1, self.n_heads, hd).transpose(1, 2)
        v = self.v_proj(value).view(B, -1, self.n_heads, hd).transpose(1, 2)
        att = q @ k.transpose(-2, -1) / math.sqrt(hd)
        if mask is not None:
            att = att.masked_fill(~mask, float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        return query + self.out_proj(y.transpose(1, 2).reshape(B, Lq, D))  # residual kept inside
