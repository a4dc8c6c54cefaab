# expect: fail device
# Takes a shortcut when the mask keeps everything (bool(mask.all()) reads the data), and builds its zeros
# on the CPU otherwise.
import torch


def masked_softmax(scores, mask, dim=-1):
    if bool(mask.all()):
        return torch.softmax(scores, dim=dim)
    filled = torch.where(mask, scores, torch.full(scores.shape, float("-inf"), dtype=scores.dtype))
    probs = torch.softmax(filled, dim=dim)
    return torch.where(torch.isnan(probs), torch.zeros(scores.shape, dtype=scores.dtype), probs)
