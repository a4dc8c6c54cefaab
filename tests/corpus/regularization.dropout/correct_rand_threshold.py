# expect: pass
import torch


def dropout(x, p, training=True):
    if not training:
        return x
    keep_prob = 1.0 - p
    if keep_prob == 0.0:
        return x * 0.0
    keep = torch.rand_like(x) < keep_prob
    return x * keep.to(x.dtype) / keep_prob
