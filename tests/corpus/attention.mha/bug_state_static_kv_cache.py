# expect: fail state
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Encoder-decoder attention that projects the memory once and keeps it (fairseq's static_kv
    cache), reused by every later call."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h, self.hd = n_heads, d_model // n_heads
        self.wq = nn.Linear(d_model, d_model)
        self.wk = nn.Linear(d_model, d_model)
        self.wv = nn.Linear(d_model, d_model)
        self.wo = nn.Linear(d_model, d_model)
        self.cache = None

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        q = self.wq(query).view(B, Lq, self.h, self.hd).transpose(1, 2)
        if self.cache is None:
            k = self.wk(key).view(B, -1, self.h, self.hd).transpose(1, 2)
            v = self.wv(value).view(B, -1, self.h, self.hd).transpose(1, 2)
            self.cache = (k, v)
        k, v = self.cache
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.hd)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.wo(out.transpose(1, 2).reshape(B, Lq, D))
