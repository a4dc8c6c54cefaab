# expect: pass
import torch


def masked_softmax(scores, mask, dim=-1):
    very_negative = torch.finfo(scores.dtype).min
    probs = torch.softmax(torch.where(mask, scores, very_negative), dim=dim)
    return probs * mask  # a fully masked slice came out uniform: zero it with the rest
