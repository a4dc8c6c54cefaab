"""Reference normalisation layers: LayerNorm, BatchNorm and RMSNorm.

Sources:
- Ba, Kiros and Hinton, "Layer Normalization", 2016 (https://arxiv.org/abs/1607.06450), section 3.
- Ioffe and Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
  Internal Covariate Shift", ICML 2015 (https://arxiv.org/abs/1502.03167), section 3,
  algorithms 1 and 2.
- Zhang and Sennrich, "Root Mean Square Layer Normalization", NeurIPS 2019
  (https://arxiv.org/abs/1910.07467), section 3.
- PyTorch documentation of torch.nn.LayerNorm, torch.nn.BatchNorm1d and torch.nn.RMSNorm,
  whose conventions (biased variance for normalising, unbiased for the running
  variance, momentum weighting the new statistic, eps inside the square root) these follow.

Variances are computed in two passes, from x - mean, so that a large common offset
does not cancel catastrophically as it does in E[x^2] - E[x]^2. Half-precision inputs
(float16, bfloat16) are normalised in float32 and the result cast back, as PyTorch's own
kernels do: a float16 value past 256 squares past 65504, float16's largest value.
"""
from __future__ import annotations

import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, over the last dimension.

    mean = (1/D) sum_i x_i and var = (1/D) sum_i (x_i - mean)^2 (biased) over the last
    dimension of size D (Ba et al., 2016, section 3; torch.nn.LayerNorm).
    x (*, D), weight (D,), bias (D,). Returns (*, D).
    """
    h = x.to(_computing_dtype(x))  # half precision in float32
    mean = h.mean(dim=-1, keepdim=True)  # (*, D) -> (*, 1)
    centered = h - mean  # (*, D)
    var = centered.pow(2).mean(dim=-1, keepdim=True)  # (*, D) -> (*, 1), biased
    x_hat = centered / torch.sqrt(var + eps)  # (*, D)
    return (x_hat * weight + bias).to(x.dtype)  # (*, D) * (D,) + (D,) -> (*, D)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dimension 1).

    Training (Ioffe and Szegedy, 2015, algorithm 1): mean and biased var over every
    dimension except 1, i.e. over the m = N * prod(*) values of each channel; the running
    statistics are updated in place, r <- (1 - momentum) * r + momentum * stat, with the
    unbiased variance var * m / (m - 1) for running_var (algorithm 2; torch.nn.BatchNorm1d).
    Evaluation: normalise with running_mean and running_var and leave them unchanged.
    x (N, C, *), running_mean, running_var, weight, bias (C,). Returns (N, C, *).
    """
    dims = [0, *range(2, x.dim())]  # every dimension except the channel dimension 1
    shape = [1, -1] + [1] * (x.dim() - 2)  # (C,) -> (1, C, 1, ...) broadcasts against x
    dtype, x = x.dtype, x.to(_computing_dtype(x))  # half precision in float32
    if training:
        m = x.numel() // x.shape[1]  # values per channel
        if m < 2:
            raise ValueError(f"Got x of shape {tuple(x.shape)}: training needs more than 1 value per channel")
        mean = x.mean(dim=dims)  # (N, C, *) -> (C,)
        var = (x - mean.view(shape)).pow(2).mean(dim=dims)  # (N, C, *) -> (C,), biased
        with torch.no_grad():  # the running statistics are buffers, outside the graph
            running_mean.mul_(1 - momentum).add_(momentum * mean)  # (C,)
            running_var.mul_(1 - momentum).add_(momentum * var * m / (m - 1))  # (C,), unbiased
    else:
        mean, var = running_mean, running_var  # (C,), (C,)
    x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)  # (N, C, *)
    return (x_hat * weight.view(shape) + bias.view(shape)).to(dtype)  # (N, C, *)


def rms_norm(x, weight, eps=1e-6):
    """y = x / sqrt(mean(x^2) + eps) * weight, over the last dimension, without centering.

    RMS(x) = sqrt((1/D) sum_i x_i^2) (Zhang and Sennrich, 2019, section 3; torch.nn.RMSNorm,
    with eps added under the square root).
    x (*, D), weight (D,). Returns (*, D).
    """
    h = x.to(_computing_dtype(x))  # half precision in float32
    rms = torch.sqrt(h.pow(2).mean(dim=-1, keepdim=True) + eps)  # (*, D) -> (*, 1)
    return (h / rms * weight).to(x.dtype)  # (*, D) / (*, 1) * (D,) -> (*, D)


def _computing_dtype(x):
    """float32 for float16 and bfloat16 (PyTorch's kernels normalise half precision in float32), else x's."""
    return torch.promote_types(x.dtype, torch.float32)
