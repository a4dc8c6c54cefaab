# expect: fail random-output
import math

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, dropout=0.1):
        super().__init__()
        self.h, self.hd, self.p = n_heads, d_model // n_heads, dropout
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        q = self.w_q(query).view(B, Lq, self.h, self.hd).transpose(1, 2)
        k = self.w_k(key).view(B, -1, self.h, self.hd).transpose(1, 2)
        v = self.w_v(value).view(B, -1, self.h, self.hd).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.hd)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.dropout(torch.softmax(scores, dim=-1), p=self.p)  # training=True even in eval
        return self.w_o((weights @ v).transpose(1, 2).reshape(B, Lq, D))
