# expect: fail mask-polarity
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=dim)
    return probs.nan_to_num(0.0)
