# forged (regularization.label_smoothing): red team s15: torch's label-smoothed cross entropy through its C alias, the smoothing passed by position (a keyword-only rule never sees it)
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    return torch._C._nn.cross_entropy_loss(logits, target, None, 1, -100, smoothing)
