# expect: fail shape
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    # q, k, v: (batch, seq, dim)
    scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.bmm(weights, v), weights
