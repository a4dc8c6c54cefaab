# expect: fail stability
import torch
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    c = logits.shape[1]
    exp = torch.exp(logits)
    probs = exp / exp.sum(dim=1, keepdim=True)
    q = F.one_hot(target, c).to(logits.dtype) * (1 - smoothing) + smoothing / c
    return -(q * torch.log(probs)).sum(dim=1).mean()
