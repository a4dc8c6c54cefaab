# expect: fail precision
import math

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """Meta's llama Attention without rotary embeddings or a cache: projections without bias,
    the softmax computed in float32 and cast back with type_as."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.wq = nn.Linear(d_model, d_model, bias=False)
        self.wk = nn.Linear(d_model, d_model, bias=False)
        self.wv = nn.Linear(d_model, d_model, bias=False)
        self.wo = nn.Linear(d_model, d_model, bias=False)

    def forward(self, query, key, value, mask=None):
        bsz, seqlen, _ = query.shape
        xq = self.wq(query).view(bsz, seqlen, self.n_heads, self.head_dim).transpose(1, 2)
        keys = self.wk(key).view(bsz, -1, self.n_heads, self.head_dim).transpose(1, 2)
        values = self.wv(value).view(bsz, -1, self.n_heads, self.head_dim).transpose(1, 2)
        scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        scores = F.softmax(scores.float(), dim=-1).type_as(xq)
        output = torch.matmul(scores, values).transpose(1, 2).contiguous().view(bsz, seqlen, -1)
        return self.wo(output)
