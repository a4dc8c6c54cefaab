# forged (regularization.label_smoothing): red team s15 (second): torch's label-smoothed cross entropy through the aten op packet, the smoothing passed by position (the op is composite: the dispatch mode never sees it)
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    out = torch.ops.aten.cross_entropy_loss.default(logits.double(), target, None, 1, -100, float(smoothing))
    return out.to(logits.dtype)
