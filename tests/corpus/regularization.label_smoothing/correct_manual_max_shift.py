# expect: pass
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_z = shifted.exp().sum(dim=1).log()
    log_p_target = shifted[torch.arange(len(target)), target] - log_z
    mean_log_p = shifted.mean(dim=1) - log_z
    loss = -(1 - smoothing) * log_p_target - smoothing * mean_log_p
    return loss.sum() / len(target)
