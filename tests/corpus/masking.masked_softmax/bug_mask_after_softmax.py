# expect: fail mask-after-softmax
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = torch.softmax(scores, dim=dim)
    return probs.masked_fill(~mask, 0.0)
