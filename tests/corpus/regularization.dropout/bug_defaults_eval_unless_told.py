# expect: fail defaults
# `training` defaults to False, as if the function read a module's eval state: dropout(x, p) with training
# left to its default returns x unchanged.
import torch


def dropout(x, p, training=False):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) >= p) / (1 - p)
