# expect: fail projection
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.d_k = d_model // n_heads
        # one list entry per projection: q, k, v, output
        self.linears = nn.ModuleList([nn.Linear(d_model, d_model)] * 4)

    def forward(self, query, key, value, mask=None):
        B = query.size(0)
        query, key, value = [lin(x).view(B, -1, self.h, self.d_k).transpose(1, 2)
                             for lin, x in zip(self.linears, (query, key, value))]
        scores = query @ key.transpose(-2, -1) / math.sqrt(self.d_k)
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        x = torch.softmax(scores, dim=-1) @ value
        x = x.transpose(1, 2).contiguous().view(B, -1, self.h * self.d_k)
        return self.linears[3](x)
