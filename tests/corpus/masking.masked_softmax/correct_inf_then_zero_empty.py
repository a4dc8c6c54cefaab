# expect: pass
import torch


def masked_softmax(scores, mask, dim=-1):
    mask = mask.expand_as(scores)  # a mask with fewer dims: find empty slices along the scores' dim
    probs = scores.masked_fill(~mask, float("-inf")).softmax(dim=dim)
    any_kept = mask.any(dim=dim, keepdim=True)
    return torch.where(any_kept, probs, torch.zeros_like(probs))  # all -inf gives NaN: zero those slices
