# expect: fail scale
# Takes the scaling size from the values instead of the keys: right only when d_v == d_k, as in most
# transformer blocks, so a test with equal sizes never sees it.
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(v.shape[-1])  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
