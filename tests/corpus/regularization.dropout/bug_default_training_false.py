# expect: fail defaults
# training defaults to False: dropout(x, p) does nothing, although nn.Dropout trains by default.
import torch


def dropout(x, p, training=False):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) >= p) / (1 - p)
