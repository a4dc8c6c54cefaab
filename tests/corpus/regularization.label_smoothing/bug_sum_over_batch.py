# expect: fail reduction
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    c = logits.shape[-1]
    log_probs = F.log_softmax(logits, dim=-1)
    q = (1 - smoothing) * F.one_hot(target, c).to(logits.dtype) + smoothing / c
    return -(q * log_probs).sum()
