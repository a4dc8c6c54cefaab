# expect: fail mask-shared
# "Variational" dropout: one mask per sample and feature, shared along dim 1 (time) of 3-D and longer inputs.
import torch


def dropout(x, p, training=True):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    shape = list(x.shape)
    if x.dim() >= 3:
        shape[1] = 1
    keep = torch.rand(shape, device=x.device, dtype=x.dtype) >= p
    return x * keep / (1 - p)
