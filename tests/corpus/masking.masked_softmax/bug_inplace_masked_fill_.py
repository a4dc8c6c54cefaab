# expect: fail inplace
import torch


def masked_softmax(scores, mask, dim=-1):
    scores.masked_fill_(~mask, torch.finfo(scores.dtype).min)
    probs = torch.softmax(scores, dim=dim)
    return probs * mask
