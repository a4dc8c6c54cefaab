# expect: fail stability
import torch


def masked_softmax(scores, mask, dim=-1):
    e = torch.exp(scores) * mask
    total = e.sum(dim=dim, keepdim=True)
    return e / total.clamp(min=1e-12)
