# expect: fail axis
import torch
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    log_probs = torch.log_softmax(logits, dim=0)
    q = F.one_hot(target, logits.size(1)).to(logits.dtype) * (1 - smoothing) + smoothing / logits.size(1)
    return -(q * log_probs).sum(dim=1).mean()
