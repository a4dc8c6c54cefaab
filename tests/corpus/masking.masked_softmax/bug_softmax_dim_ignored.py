# expect: fail softmax-dim
import torch


def masked_softmax(scores, mask, dim=-1):
    filled = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    probs = torch.softmax(filled, dim=-1)
    return probs.masked_fill(~mask, 0.0)
