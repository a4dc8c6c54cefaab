# expect: pass
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)  # (B, L, d_model)
        heads = []
        for h in range(self.n_heads):
            cols = slice(h * self.head_dim, (h + 1) * self.head_dim)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(self.head_dim)  # (B, Lq, Lk)
            if mask is not None:
                head_mask = mask[:, h] if mask.size(1) > 1 else mask[:, 0]
                scores = scores.masked_fill(~head_mask, float("-inf"))
            heads.append(torch.softmax(scores, dim=-1) @ v[..., cols])  # (B, Lq, hd)
        return self.out_proj(torch.cat(heads, dim=-1))
