# expect: fail heads
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Lq, d_model = query.shape
        Lk = key.shape[1]
        q = self.w_q(query).view(B, self.n_heads, Lq, self.head_dim)
        k = self.w_k(key).view(B, self.n_heads, Lk, self.head_dim)
        v = self.w_v(value).view(B, self.n_heads, Lk, self.head_dim)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v  # (B, h, Lq, hd)
        return self.w_o(out.transpose(1, 2).reshape(B, Lq, d_model))
