"""Reference regularisers: inverted dropout, label-smoothed cross-entropy, an SGD step with L1 and L2.

Sources:
- Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
  JMLR 15, 2014, section 4. The paper keeps units with probability p and scales the weights
  by p at test time; this is the inverted form of torch.nn.Dropout, which scales the kept
  units by 1 / (1 - p) in training (p = drop probability) and does nothing at inference.
- Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016
  (https://arxiv.org/abs/1512.00567), section 7: q'(k) = (1 - eps) delta(k, y) + eps / K,
  as torch.nn.CrossEntropyLoss(label_smoothing=eps).
- Goodfellow, Bengio and Courville, "Deep Learning", MIT Press 2016, sections 7.1.1
  (L2: w <- w - lr * (grad + alpha * w)) and 7.1.2 (L1: the subgradient alpha * sign(w)).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def dropout(x, p, training=True):
    """y = x * mask / (1 - p), mask_i ~ Bernoulli(1 - p) independently; y = x when not training.

    Inverted dropout (torch.nn.Dropout): the scaling keeps E[y] = x, so inference needs no
    correction. p = 1 drops everything and returns zeros (there is nothing to rescale).
    Draws the mask from the global RNG as torch.nn.functional.dropout does.
    x (*). Returns (*).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"Got p={p}, but a dropout probability must lie in [0, 1]")
    if not training:
        return x
    if p == 1.0:
        return x * 0.0  # (*), all zeros, still in the graph (the gradient is 0)
    keep = torch.empty_like(x).bernoulli_(1 - p)  # (*), 1 with probability 1 - p
    return x * (keep / (1 - p))  # (*)


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    """loss = mean_n ( -sum_k q_nk log softmax(logits_n)_k ),  q_nk = (1 - s) [k = y_n] + s / C.

    The smoothing mass s is spread over all C classes, the true one included (Szegedy et al.,
    2016, section 7; torch.nn.CrossEntropyLoss). log softmax is logits - logsumexp(logits),
    which stays finite for logits of any magnitude.
    logits (N, C), target int64 (N,). Returns a scalar.
    """
    n_classes = logits.size(-1)
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)  # (N, C) - (N, 1) -> (N, C)
    one_hot = F.one_hot(target, n_classes).to(log_probs.dtype)  # (N,) -> (N, C)
    q = (1 - smoothing) * one_hot + smoothing / n_classes  # (N, C), rows sum to 1
    return -(q * log_probs).sum(dim=-1).mean()  # (N, C) -> (N,) -> ()


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    """param - lr * (grad + l1 * sign(param) + l2 * param), a new tensor; inputs unchanged.

    One SGD step on loss + l1 * sum|w| + (l2 / 2) * sum w^2 (Goodfellow et al., 2016,
    sections 7.1.1 and 7.1.2), with the subgradient sign(0) = 0 for |w| at 0.
    param (*), grad (*). Returns (*).
    """
    return param - lr * (grad + l1 * torch.sign(param) + l2 * param)  # (*)
