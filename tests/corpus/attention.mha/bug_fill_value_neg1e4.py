# expect: fail fill-value
# Fills masked scores with -1e4 (a value float16 can hold): wrong when every allowed score of a row is
# below -1e4, where the masked keys take the weight.
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        b = query.size(0)

        def split(x):  # (B, L, d_model) -> (B, h, L, hd)
            return x.view(b, -1, self.n_heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.w_q(query)), split(self.w_k(key)), split(self.w_v(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, -1e4)
        out = torch.softmax(scores, dim=-1) @ v  # (B, h, Lq, hd)
        return self.w_o(out.transpose(1, 2).reshape(b, -1, self.n_heads * self.head_dim))
