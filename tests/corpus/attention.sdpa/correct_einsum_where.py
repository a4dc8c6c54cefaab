# expect: pass
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if mask is not None:
        scores = torch.where(mask, scores, float("-inf"))
    weights = scores.softmax(dim=-1)
    output = torch.einsum("...qk,...kd->...qd", weights, v)  # (..., Lq, d_v)
    return output, weights
