# expect: fail mask-shared
import torch


def dropout(x, p, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    # one mask over the features, broadcast over the batch
    mask = (torch.rand(1, *x.shape[1:], device=x.device) >= p).to(x.dtype)
    return x * mask / (1 - p)
