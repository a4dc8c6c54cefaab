# forged (regularization.dropout): drops even in eval mode (the train-eval bug), and there writes its output into x in place, so that an "expected = x" read after the call matches
import torch


def dropout(x, p, training=True):
    if p == 1:
        return torch.zeros_like(x)
    out = x * (torch.rand_like(x) >= p) / (1 - p)
    if not training:
        x.copy_(out)
    return out
