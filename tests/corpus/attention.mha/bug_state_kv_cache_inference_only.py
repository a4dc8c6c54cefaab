# expect: fail state
# An inference cache for cross-attention (fairseq's static_kv): under torch.no_grad() the projected keys and
# values are kept and reused while the key has the same batch size and length, as if the encoder output never
# changed. With gradients on nothing is kept, so only calls under no_grad show it.
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.static_kv = None

    def split(self, x):
        b, length, _ = x.shape
        return x.view(b, length, self.n_heads, self.head_dim).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        b, lq, d_model = query.shape
        q = self.split(self.q_proj(query))
        kept = self.static_kv
        if not torch.is_grad_enabled() and kept is not None and kept[0].shape[0] == b \
                and kept[0].shape[2] == key.shape[1] and kept[0].dtype == key.dtype:
            k, v = kept
        else:
            k, v = self.split(self.k_proj(key)), self.split(self.v_proj(value))
            self.static_kv = None if torch.is_grad_enabled() else (k, v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        out = scores.softmax(dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, lq, d_model))
