# expect: fail padding-class kl reduction
import torch
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    # The Annotated Transformer's LabelSmoothing (padding_idx = 0): the smoothing mass spread over
    # size - 2 classes, none on the padding class, and KLDivLoss(reduction="sum").
    size = logits.size(-1)
    padding_idx = 0
    log_probs = F.log_softmax(logits, dim=-1)
    true_dist = torch.full_like(log_probs, smoothing / (size - 2))
    true_dist.scatter_(1, target.unsqueeze(1), 1.0 - smoothing)
    true_dist[:, padding_idx] = 0
    true_dist[target == padding_idx] = 0
    return F.kl_div(log_probs, true_dist.detach(), reduction="sum")
