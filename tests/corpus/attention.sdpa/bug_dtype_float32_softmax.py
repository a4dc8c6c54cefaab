# expect: fail dtype
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    # softmax in float32 for numerical safety
    weights = torch.softmax(scores, dim=-1, dtype=torch.float32)
    output = weights.to(v.dtype) @ v
    return output, weights
