# expect: fail edge
import torch


def dropout(x, p, training=True):
    if not training:
        return x
    mask = (torch.rand_like(x) >= p).to(x.dtype)
    return mask * x / (1 - p)
