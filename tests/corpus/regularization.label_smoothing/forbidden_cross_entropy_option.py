# expect: fail forbidden
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    return F.cross_entropy(logits, target, label_smoothing=smoothing)
