# expect: fail stability
# Subtracts the maximum over the whole slice, masked scores included, then zeroes the masked exps: when a
# masked score is far above the kept ones, every kept exp underflows to 0 and the slice comes out as zeros.
import torch


def masked_softmax(scores, mask, dim=-1):
    shifted = scores - scores.max(dim=dim, keepdim=True).values
    e = shifted.exp() * mask
    total = e.sum(dim=dim, keepdim=True)
    return torch.where(total > 0, e / total, torch.zeros_like(e))
