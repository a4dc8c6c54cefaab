"""Recompute every numeric answer of questions/regularization.yaml.

Each entry rebuilds the quantity its question asks for with the PyTorch operation the
question is about (F.dropout, nn.Dropout, torch.optim.SGD/Adam/AdamW,
F.cross_entropy(label_smoothing=...), clip_grad_norm_, a timm-style drop_path, a CutMix
paste), or with a short derivation whose closed form is checked against Monte-Carlo sampling. Keys are question ids; the shared test
tests/banks/test_numeric_answers.py compares each stored answer with these values.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

_SAMPLES = 1_000_000
_F64 = torch.float64

# Chinchilla (Hoffmann et al., 2022): 70B parameters trained on 1.4T tokens.
_CHINCHILLA_PARAMS = 70e9
_CHINCHILLA_TOKENS = 1.4e12


def _agrees_with_sampling(exact: float, samples: torch.Tensor, *, statistic: str) -> float:
    """Return `exact` after checking it against the sample mean or variance of `samples`.

    The Monte-Carlo estimate must lie within 6 standard errors, so a wrong closed form fails
    here instead of silently matching a wrong stored answer.
    """
    centred = samples - samples.mean()
    if statistic == "mean":
        estimate = samples.mean().item()
        std_error = samples.std().item() / math.sqrt(samples.numel())
    else:  # variance; its standard error needs the fourth central moment
        estimate = centred.pow(2).mean().item()
        std_error = math.sqrt((centred.pow(4).mean().item() - estimate**2) / samples.numel())
    assert abs(exact - estimate) <= 6 * std_error, (
        f"closed form {exact} disagrees with Monte-Carlo {statistic} {estimate} ± {std_error}"
    )
    return exact


def _inverted_dropout_draws(x: float, p: float) -> torch.Tensor:
    """_SAMPLES independent outputs of F.dropout (training mode) for the constant input x."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return F.dropout(torch.full((_SAMPLES,), x, dtype=_F64), p=p, training=True)


def dropout_kept_value() -> float:
    draws = _inverted_dropout_draws(1.5, p=0.4)
    kept = draws[draws != 0].unique()
    assert kept.numel() == 1, f"kept elements take several values: {kept}"
    return kept.item()


def classic_dropout_expected_train() -> float:
    x, p = 2.0, 0.3
    with torch.random.fork_rng():
        torch.manual_seed(0)
        keep = torch.bernoulli(torch.full((_SAMPLES,), 1 - p, dtype=_F64))  # (N,) 1 = kept
    # Classic dropout leaves kept units unscaled: E = p * 0 + (1 - p) * x.
    return _agrees_with_sampling(p * 0.0 + (1 - p) * x, x * keep, statistic="mean")


def dropout_stacked_zero_fraction() -> float:
    p1, p2 = 0.1, 0.2
    layers = nn.Sequential(nn.Dropout(p1), nn.Dropout(p2)).train()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        out = layers(torch.ones(_SAMPLES, dtype=_F64))
    # An element survives only if both independent masks keep it.
    return _agrees_with_sampling(1 - (1 - p1) * (1 - p2), (out == 0).to(_F64), statistic="mean")


def dropout_variance() -> float:
    x, p = 3.0, 0.2
    draws = _inverted_dropout_draws(x, p)
    kept = draws.max().item()  # the value PyTorch gives a kept element, x / (1 - p)
    mean = (1 - p) * kept
    exact = p * (0.0 - mean) ** 2 + (1 - p) * (kept - mean) ** 2
    return _agrees_with_sampling(exact, draws, statistic="variance")


def _sgd_with_penalties(w0: float, *, grad: float, lr: float, l1: float, l2: float,
                        steps: int = 1) -> float:
    """Plain SGD on grad * w + l1 * |w| + (l2 / 2) * w**2, i.e. a data loss with gradient `grad`."""
    w = torch.tensor(w0, dtype=_F64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = grad * w + l1 * w.abs() + l2 / 2 * w**2
        loss.backward()
        opt.step()
    return w.item()


def _adam_first_step(optimizer: type[torch.optim.Optimizer], *, w0: float, grad: float) -> float:
    """One step of `optimizer` (lr 0.01, weight_decay 0.1, default betas and eps) on a scalar."""
    w = torch.tensor(w0, dtype=_F64, requires_grad=True)
    opt = optimizer([w], lr=0.01, weight_decay=0.1)
    w.grad = torch.tensor(grad, dtype=_F64)
    opt.step()
    return w.item()


def _smoothed_target(num_classes: int, s: float) -> torch.Tensor:
    """PyTorch's label-smoothed target for true class 0, read off the loss gradient.

    d CE / d logits = softmax(logits) - q, so q = softmax - grad at any logits.
    """
    logits = torch.zeros(1, num_classes, dtype=_F64, requires_grad=True)
    F.cross_entropy(logits, torch.tensor([0]), label_smoothing=s).backward()
    return (logits.softmax(dim=-1) - logits.grad).detach()[0]  # (C,)


def label_smoothing_min_loss() -> float:
    s = 0.1
    q = _smoothed_target(10, s)
    # Cross-entropy H(q, p) = H(q) + KL(q || p) is smallest at p = q, i.e. logits = log q.
    return F.cross_entropy(q.log()[None], torch.tensor([0]), label_smoothing=s).item()


def label_smoothing_optimal_logit_gap() -> float:
    s, num_classes = 0.1, 10
    target = torch.tensor([0])
    logits = torch.zeros(1, num_classes, dtype=_F64, requires_grad=True)
    opt = torch.optim.LBFGS([logits], max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=1e-15, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(logits, target, label_smoothing=s)
        loss.backward()
        return loss

    opt.step(closure)
    return (logits[0, 0] - logits[0, 1]).item()


def label_smoothing_loss_value() -> float:
    logits = torch.tensor([[1.0, 2.0, 0.5, -1.0]], dtype=_F64)
    return F.cross_entropy(logits, torch.tensor([0]), label_smoothing=0.2).item()


def _chinchilla_tokens_per_param() -> float:
    return _CHINCHILLA_TOKENS / _CHINCHILLA_PARAMS


def chinchilla_tokens_billions() -> float:
    return 13e9 * _chinchilla_tokens_per_param() / 1e9


def chinchilla_compute_optimal_params_billions() -> float:
    budget = 5.88e23
    # C = 6 N D with D = r N gives C = 6 r N**2.
    return math.sqrt(budget / (6 * _chinchilla_tokens_per_param())) / 1e9


def clip_grad_norm_first_param() -> float:
    p1 = torch.zeros(1, requires_grad=True)
    p2 = torch.zeros(2, requires_grad=True)
    p1.grad = torch.tensor([3.0])
    p2.grad = torch.tensor([4.0, 12.0])
    torch.nn.utils.clip_grad_norm_([p1, p2], max_norm=1.0)
    return p1.grad.item()


def stochastic_depth_expected_active_blocks() -> float:
    num_blocks, p_last = 54, 0.5
    depth = torch.arange(1, num_blocks + 1, dtype=_F64)  # l = 1..L
    survival = 1 - depth / num_blocks * (1 - p_last)  # (L,) linear decay rule
    with torch.random.fork_rng():
        torch.manual_seed(0)
        gates = torch.bernoulli(survival.expand(100_000, num_blocks))  # (N, L) 1 = block active
    return _agrees_with_sampling(survival.sum().item(), gates.sum(dim=1), statistic="mean")


def _drop_path(x: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """timm's drop_path in training mode: one gate per example, kept branches scaled by 1/keep."""
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    return x * x.new_empty(shape).bernoulli_(keep_prob) / keep_prob


def vit_expected_dropped_branches() -> float:
    depth, branches_per_block = 12, 2
    rates = torch.linspace(0, 0.1, depth, dtype=_F64)  # timm: dpr = linspace(0, drop_path_rate, depth)
    samples = 200_000
    dropped = torch.zeros(samples, dtype=_F64)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        for rate in rates.tolist():
            for _ in range(branches_per_block):
                branch = torch.ones(samples, 3, 4, dtype=_F64)  # (B, N, D) output of one residual branch
                out = _drop_path(branch, rate) if rate > 0 else branch
                dropped += (out[:, 0, 0] == 0).to(_F64)
    exact = branches_per_block * rates.sum().item()
    return _agrees_with_sampling(exact, dropped, statistic="mean")


def mixup_beta_mass() -> float:
    """P(0.1 <= lam <= 0.9) for lam ~ Beta(0.2, 0.2), by Simpson's rule on the density."""
    beta = torch.distributions.Beta(torch.tensor(0.2, dtype=_F64), torch.tensor(0.2, dtype=_F64))
    grid = torch.linspace(0.1, 0.9, 20_001, dtype=_F64)
    density = beta.log_prob(grid).exp()
    weights = torch.ones_like(grid)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    exact = (weights * density).sum().item() * (grid[1] - grid[0]).item() / 3
    with torch.random.fork_rng():
        torch.manual_seed(0)
        lam = beta.sample((_SAMPLES,))
    inside = ((lam >= 0.1) & (lam <= 0.9)).to(_F64)
    return _agrees_with_sampling(exact, inside, statistic="mean")


def mixup_loss_value() -> float:
    logits = torch.tensor([[2.0, 0.5, -1.0]], dtype=_F64)
    lam = 0.7
    two_losses = (lam * F.cross_entropy(logits, torch.tensor([0]))
                  + (1 - lam) * F.cross_entropy(logits, torch.tensor([1])))
    mixed_target = torch.tensor([[lam, 1 - lam, 0.0]], dtype=_F64)
    soft = F.cross_entropy(logits, mixed_target)
    assert torch.allclose(two_losses, soft), (two_losses, soft)  # CE is linear in the target
    return soft.item()


def cutmix_recomputed_lambda() -> float:
    height = width = 224
    lam, cx, cy = 0.75, 20, 100
    side = int(width * math.sqrt(1 - lam))
    x1, x2 = max(cx - side // 2, 0), min(cx + side // 2, width)
    y1, y2 = max(cy - side // 2, 0), min(cy + side // 2, height)
    image_a, image_b = torch.zeros(1, height, width), torch.ones(1, height, width)  # B marked by 1s
    mixed = image_a.clone()
    mixed[:, y1:y2, x1:x2] = image_b[:, y1:y2, x1:x2]
    return 1 - mixed.mean().item()  # share of pixels still from image A


def mixup_double_smoothing() -> float:
    num_classes, s = 10, 0.1
    target = F.one_hot(torch.tensor([0]), num_classes).to(_F64)  # (1, C)
    target = (1 - s) * target + s / num_classes  # timm's mixup_target with lam = 1
    logits = torch.zeros(1, num_classes, dtype=_F64, requires_grad=True)
    F.cross_entropy(logits, target, label_smoothing=s).backward()
    used = (logits.softmax(dim=-1) - logits.grad).detach()[0]  # the target the loss really uses
    # used = (1 - s_eff) * one_hot + s_eff / C, so used[true] - used[wrong] = 1 - s_eff.
    return 1 - (used[0] - used[1]).item()


def randaugment_sequence_count() -> float:
    num_ops, depth = 14, 2
    return float(len(list(itertools.product(range(num_ops), repeat=depth))))


RECOMPUTE: dict[str, Callable[[], float]] = {
    "regularization.dropout-kept-value": dropout_kept_value,
    "regularization.classic-dropout-expected-train": classic_dropout_expected_train,
    "regularization.dropout-stacked-zero-fraction": dropout_stacked_zero_fraction,
    "regularization.dropout-variance": dropout_variance,
    "regularization.sgd-step-l1-l2":
        lambda: _sgd_with_penalties(-0.8, grad=0.3, lr=0.05, l1=0.02, l2=0.1),
    "regularization.l1-subgradient-overshoot":
        lambda: _sgd_with_penalties(0.003, grad=0.0, lr=0.1, l1=0.05, l2=0.0),
    "regularization.l2-repeated-shrink":
        lambda: _sgd_with_penalties(1.0, grad=0.0, lr=0.1, l1=0.0, l2=0.01, steps=100),
    "regularization.adamw-one-step":
        lambda: _adam_first_step(torch.optim.AdamW, w0=2.0, grad=-0.1),
    "regularization.adam-l2-one-step":
        lambda: _adam_first_step(torch.optim.Adam, w0=2.0, grad=-0.1),
    "regularization.label-smoothing-true-class-target":
        lambda: _smoothed_target(10, 0.1)[0].item(),
    "regularization.label-smoothing-loss-value": label_smoothing_loss_value,
    "regularization.label-smoothing-min-loss": label_smoothing_min_loss,
    "regularization.label-smoothing-optimal-logit-gap": label_smoothing_optimal_logit_gap,
    "regularization.chinchilla-tokens": chinchilla_tokens_billions,
    "regularization.chinchilla-compute-optimal-size": chinchilla_compute_optimal_params_billions,
    "regularization.clip-grad-norm-value": clip_grad_norm_first_param,
    "regularization.stochastic-depth-expected-depth": stochastic_depth_expected_active_blocks,
    "regularization.vit-drop-path-expected-dropped": vit_expected_dropped_branches,
    "regularization.mixup-beta-mass": mixup_beta_mass,
    "regularization.mixup-loss-value": mixup_loss_value,
    "regularization.cutmix-lambda-area": cutmix_recomputed_lambda,
    "regularization.mixup-label-smoothing-double": mixup_double_smoothing,
    "regularization.randaugment-policy-count": randaugment_sequence_count,
}
