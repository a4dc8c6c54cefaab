# expect: fail
# Caches 1 / sqrt(d_k) on the first call: every later call with another d_k is scaled wrongly.
import math

import torch

_scale = None


def scaled_dot_product_attention(q, k, v, mask=None):
    global _scale
    if _scale is None:
        _scale = 1.0 / math.sqrt(q.size(-1))
    scores = q @ k.transpose(-2, -1) * _scale
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
