"""Known-bug variants of the regularisation exercises.

BUGS[exercise_id][code] lists plain functions with the reference's signature, each
making one classic mistake. label_smoothing and l1_l2_step are deterministic: diagnosis
runs the candidate and each variant on probe inputs and names the code whose variant
agrees. Dropout is random: grader.statistics names `scale`, `polarity` and
`mask-shared` from an output's statistics, while `edge` (p = 1) and `train-eval` are
exact checks; tests/test_statistics.py runs every dropout variant here.

The probes must make each mistake visible:
- label_smoothing: smoothing > 0 and C > 2 (smoothing / (C - 1) vs smoothing / C), N > 1
  (sum vs mean), some logits of magnitude 1e3-1e4 (naive softmax overflows), N != C.
- l1_l2_step: l1 > 0 with exact zeros in param (sign(0)), l2 > 0, lr != 1, more than one
  element (mean vs sum), and the inputs checked for modification.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from reference import regularization as ref


def dropout_unscaled(x, p, training=True):
    """scale: zeroes units but never divides the kept ones by 1 - p."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p)


def dropout_keep_p(x, p, training=True):
    """polarity: keeps a unit with probability p instead of 1 - p."""
    if not training:
        return x
    return x * (torch.rand_like(x) < p) / (1 - p)


def dropout_shared_mask(x, p, training=True):
    """mask-shared: one mask of shape x.shape[1:] for every sample of the batch."""
    if not training:
        return x
    keep = torch.rand(x.shape[1:], device=x.device) >= p
    return x * keep / (1 - p)


def dropout_nan_at_one(x, p, training=True):
    """edge: no special case for p = 1, where x * 0 / 0 is NaN."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def dropout_in_eval(x, p, training=True):
    """train-eval: drops units whatever `training` says."""
    return ref.dropout(x, p, training=True)


def label_smoothing_other_classes(logits, target, smoothing=0.1):
    """smoothing-mass: 1 - smoothing on the target, smoothing / (C - 1) on every other class."""
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=-1)
    q = torch.full_like(log_probs, smoothing / (n_classes - 1)).scatter(1, target[:, None], 1 - smoothing)
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_summed(logits, target, smoothing=0.1):
    """reduction: the sum over the batch instead of the mean."""
    return ref.label_smoothing_cross_entropy(logits, target, smoothing) * logits.size(0)


def label_smoothing_naive_softmax(logits, target, smoothing=0.1):
    """stability: log(exp(z) / sum exp(z)), which overflows (inf / inf = NaN) for large logits."""
    n_classes = logits.size(-1)
    log_probs = torch.log(logits.exp() / logits.exp().sum(dim=-1, keepdim=True))
    q = (1 - smoothing) * F.one_hot(target, n_classes).to(logits.dtype) + smoothing / n_classes
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_softmax_dim0(logits, target, smoothing=0.1):
    """axis: log_softmax over the batch dim 0 instead of the classes."""
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=0)
    q = (1 - smoothing) * F.one_hot(target, n_classes).to(logits.dtype) + smoothing / n_classes
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_no_minus(logits, target, smoothing=0.1):
    """sign: returns sum q log p, the negative of the cross-entropy."""
    return -ref.label_smoothing_cross_entropy(logits, target, smoothing)


def sgd_l1_as_l2(param, grad, lr, l1=0.0, l2=0.0):
    """sign: the L1 gradient written as l1 * param (L2's form) instead of l1 * sign(param)."""
    return param - lr * (grad + l1 * param + l2 * param)


def sgd_sign_zero_positive(param, grad, lr, l1=0.0, l2=0.0):
    """edge: sign via torch.where(param >= 0, 1, -1), so sign(0) = 1 and zeros are pushed negative."""
    sign = torch.where(param >= 0, 1.0, -1.0)
    return param - lr * (grad + l1 * sign + l2 * param)


def sgd_sign_by_division(param, grad, lr, l1=0.0, l2=0.0):
    """edge: sign as param / |param|, which is 0 / 0 = NaN at exact zeros."""
    return param - lr * (grad + l1 * param / param.abs() + l2 * param)


def sgd_in_place(param, grad, lr, l1=0.0, l2=0.0):
    """inplace: param.sub_(...) updates the caller's tensor, then returns it."""
    return param.sub_(lr * (grad + l1 * torch.sign(param) + l2 * param))


def sgd_l2_doubled(param, grad, lr, l1=0.0, l2=0.0):
    """scale: the gradient of l2 * sum(w^2), 2 * l2 * w, where the penalty is (l2 / 2) * sum(w^2)."""
    return param - lr * (grad + l1 * torch.sign(param) + 2 * l2 * param)


def sgd_mean_penalty(param, grad, lr, l1=0.0, l2=0.0):
    """reduction: penalties averaged over the elements (mean(|w|), mean(w^2) / 2) instead of summed."""
    n = param.numel()
    return param - lr * (grad + (l1 * torch.sign(param) + l2 * param) / n)


BUGS = {
    "regularization.dropout": {
        "scale": [dropout_unscaled],
        "polarity": [dropout_keep_p],
        "mask-shared": [dropout_shared_mask],
        "edge": [dropout_nan_at_one],
        "train-eval": [dropout_in_eval],
    },
    "regularization.label_smoothing": {
        "smoothing-mass": [label_smoothing_other_classes],
        "reduction": [label_smoothing_summed],
        "stability": [label_smoothing_naive_softmax],
        "axis": [label_smoothing_softmax_dim0],
        "sign": [label_smoothing_no_minus],
    },
    "regularization.l1_l2_step": {
        "sign": [sgd_l1_as_l2],
        "edge": [sgd_sign_zero_positive, sgd_sign_by_division],
        "inplace": [sgd_in_place],
        "scale": [sgd_l2_doubled],
        "reduction": [sgd_mean_penalty],
    },
}
