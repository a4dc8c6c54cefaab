# expect: fail fill-value
# Fills masked scores with -1e4 instead of -inf: right while some allowed score of each row is above
# -1e4, wrong when every allowed score is below it (the masked keys then take the weight).
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e4)
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
