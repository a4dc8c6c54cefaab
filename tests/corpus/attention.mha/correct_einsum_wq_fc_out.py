# expect: pass
import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.wq = nn.Linear(d_model, d_model)
        self.wk = nn.Linear(d_model, d_model)
        self.wv = nn.Linear(d_model, d_model)
        self.fc_out = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        Lk = key.shape[1]
        q = self.wq(query).reshape(B, Lq, self.h, -1)  # (B, Lq, h, hd)
        k = self.wk(key).reshape(B, Lk, self.h, -1)  # (B, Lk, h, hd)
        v = self.wv(value).reshape(B, Lk, self.h, -1)  # (B, Lk, h, hd)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) * (D // self.h) ** -0.5
        if mask is not None:
            scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        attn = torch.softmax(scores, dim=-1)
        out = torch.einsum("bhqk,bkhd->bqhd", attn, v).reshape(B, Lq, D)
        return self.fc_out(out)
