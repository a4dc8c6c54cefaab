# expect: fail fill-overflow
# Fills masked scores with -1e9, which float16 cannot hold (its largest value is 65504): masked_fill
# raises on half-precision inputs.
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
