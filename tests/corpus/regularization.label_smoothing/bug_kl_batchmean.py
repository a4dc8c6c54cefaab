# expect: fail kl
import torch
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=-1)
    q = torch.full_like(log_probs, smoothing / n_classes)
    q.scatter_add_(1, target[:, None], torch.full_like(log_probs[:, :1], 1.0 - smoothing))
    return F.kl_div(log_probs, q, reduction="batchmean")
