# expect: fail train-eval
# Handles p = 1 before looking at `training`: in eval mode with p = 1 it returns zeros, where eval dropout is
# the identity whatever p is.
import torch


def dropout(x, p, training=True):
    if p == 1.0:
        return x * 0.0
    if not training:
        return x.clone()
    keep = torch.rand(x.shape, device=x.device) >= p
    return torch.where(keep, x / (1 - p), torch.zeros((), dtype=x.dtype, device=x.device))
