# expect: fail softmax-dim
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = scores.masked_fill(~mask, float("-inf")).softmax(dim=dim)
    has_any = mask.any(-1, keepdim=True)
    return torch.where(has_any, probs, torch.zeros_like(probs))
