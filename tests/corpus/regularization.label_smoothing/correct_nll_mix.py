# expect: pass
import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    # (1 - s) * NLL of the target + s * mean over classes of -log p: the two parts of the smoothed target
    log_probs = F.log_softmax(logits, dim=-1)
    nll = F.nll_loss(log_probs, target)
    uniform = -log_probs.mean(dim=-1).mean()
    return (1 - smoothing) * nll + smoothing * uniform
