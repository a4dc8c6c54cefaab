# expect: pass
import torch


def dropout(x, p, training=True):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = 1.0 - p
    mask = (torch.rand(x.shape, device=x.device) < keep).to(x.dtype)
    return mask * x * (1.0 / keep)
