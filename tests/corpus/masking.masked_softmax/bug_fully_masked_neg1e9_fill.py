# expect: fail fully-masked fill-overflow
import torch


def masked_softmax(scores, mask, dim=-1):
    scores = scores.masked_fill(mask == 0, -1e9)
    return torch.softmax(scores, dim=dim)
