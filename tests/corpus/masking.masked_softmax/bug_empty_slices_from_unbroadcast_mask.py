# expect: fail shape?
# Finds fully masked slices with mask.any(dim) on the mask as given: when the mask has fewer dims than
# the scores (broadcast from the right), `dim` points at another dim of the mask, or past its end.
# `shape` (the code works only for masks of the scores' rank) is named when a draw makes it crash there.
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = scores.masked_fill(~mask, float("-inf")).softmax(dim=dim)
    any_kept = mask.any(dim=dim, keepdim=True)
    return torch.where(any_kept, probs, torch.zeros_like(probs))  # all -inf gives NaN: zero those slices
