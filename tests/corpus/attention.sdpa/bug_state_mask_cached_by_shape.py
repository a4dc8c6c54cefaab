# expect: fail state
# Caches the inverted mask by its shape: a later call with another mask of the same shape reuses the
# first one (and, called on the CPU first, a CPU tensor meets the next device's inputs).
import math

import torch

_blocked = {}


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        if mask.shape not in _blocked:
            _blocked[mask.shape] = ~mask
        scores = scores.masked_fill(_blocked[mask.shape], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
