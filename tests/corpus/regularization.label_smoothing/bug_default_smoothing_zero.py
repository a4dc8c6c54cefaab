# expect: fail defaults
# smoothing defaults to 0 (plain cross-entropy): right whenever smoothing is passed.
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.0):
    logp = torch.log_softmax(logits, dim=-1)
    nll = -logp.gather(1, target[:, None]).squeeze(1)
    return ((1 - smoothing) * nll - smoothing * logp.mean(dim=-1)).mean()
