# expect: fail smoothing-mass
import torch
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    num_classes = logits.size(1)
    log_probs = F.log_softmax(logits, dim=1)
    with torch.no_grad():
        true_dist = torch.full_like(log_probs, smoothing / (num_classes - 1))
        true_dist.scatter_(1, target.unsqueeze(1), 1.0 - smoothing)
    return torch.mean(torch.sum(-true_dist * log_probs, dim=1))
