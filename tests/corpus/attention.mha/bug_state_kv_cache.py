# expect: fail state
# Keeps the keys and values of earlier calls (a KV cache that is never reset): the second call attends to
# the first call's keys too.
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h, self.d = n_heads, d_model // n_heads
        self.w_q, self.w_k = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.w_v, self.w_o = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.cache = None

    def forward(self, query, key, value, mask=None):
        B, Lq, _ = query.shape
        k, v = self.w_k(key), self.w_v(value)
        if self.cache is not None and self.cache[0].shape[0] == B:
            k, v = torch.cat([self.cache[0], k], 1), torch.cat([self.cache[1], v], 1)
            if mask is not None:
                pad = mask.new_ones(*mask.shape[:-1], k.shape[1] - mask.shape[-1])
                mask = torch.cat([pad, mask], -1)
        self.cache = (k.detach(), v.detach())
        q = self.w_q(query).view(B, Lq, self.h, self.d).transpose(1, 2)
        k = k.view(B, -1, self.h, self.d).transpose(1, 2)
        v = v.view(B, -1, self.h, self.d).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        out = scores.softmax(-1) @ v
        return self.w_o(out.transpose(1, 2).reshape(B, Lq, -1))
