# expect: fail device
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=dim)
    return torch.where(torch.isnan(probs), torch.zeros(probs.shape, dtype=probs.dtype), probs)
