# expect: fail train-eval
import torch


def dropout(x, p, training=True):
    if not training:
        return x * (1 - p)  # expected value of a unit at test time
    if p == 1:
        return torch.zeros_like(x)
    mask = torch.rand_like(x) >= p
    return x * mask / (1 - p)
