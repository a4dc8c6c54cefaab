# expect: fail fully-masked
import torch


def masked_softmax(scores, mask, dim=-1):
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=dim)
