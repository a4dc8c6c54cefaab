# expect: fail
# Seeds a generator of its own with a constant "for reproducibility": every call drops the same units.
import torch


def dropout(x, p, training=True):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    gen = torch.Generator(device=x.device).manual_seed(1234)
    keep = torch.rand(x.shape, generator=gen, device=x.device) >= p
    return torch.where(keep, x / (1 - p), torch.zeros_like(x))
