# expect: pass
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    n, c = logits.shape
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    q = torch.full_like(logits, smoothing / c)
    q[torch.arange(n), target] += 1 - smoothing
    return -(q * log_probs).sum(dim=1).mean()
