# expect: fail stability
# A hand-written softmax that subtracts the maximum over every key, masked ones included, and applies the
# mask by zeroing the exponentials: when a masked score is far above the allowed ones, every allowed
# exponential underflows to 0 and the row becomes 0 / 0.
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    logits = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d_k)  # (..., Lq, Lk)
    unnormalised = torch.exp(logits - logits.max(dim=-1, keepdim=True).values)
    if mask is not None:
        unnormalised = torch.where(mask, unnormalised, torch.zeros_like(unnormalised))
    attn = unnormalised / unnormalised.sum(dim=-1, keepdim=True)
    return torch.matmul(attn, v), attn
