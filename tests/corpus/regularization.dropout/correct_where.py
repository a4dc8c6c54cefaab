# expect: pass
import torch


def dropout(x, p, training=True):
    if not training:
        return x
    dropped = torch.rand(x.shape, device=x.device) < p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return torch.where(dropped, torch.zeros_like(x), x * scale)
