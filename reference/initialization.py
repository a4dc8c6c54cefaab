"""Reference weight initialisers: Xavier (Glorot) and Kaiming (He), uniform and normal.

Sources:
- Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
  networks", AISTATS 2010, section 4.2.1, eq. (16): Var[W] = 2 / (fan_in + fan_out).
- He, Zhang, Ren and Sun, "Delving Deep into Rectifiers", ICCV 2015
  (https://arxiv.org/abs/1502.01852), section 2.2: Var[W] = 2 / fan_in for ReLU (eq. 10),
  2 / fan_out for the backward pass (eq. 14), 2 / ((1 + a^2) fan) for leaky ReLU (eq. 15).
- PyTorch documentation of torch.nn.init: fans, gains (calculate_gain) and the
  uniform bound sqrt(3) * std, which gives U(-b, b) the target standard deviation.

Every initialiser fills `tensor` in place under torch.no_grad() (so it works on an
nn.Parameter) and returns it. It draws from the global RNG exactly as torch.nn.init does,
so the same seed gives the same tensor as PyTorch's own function.
"""
from __future__ import annotations

import math

import torch

FAN_MODES = ("fan_in", "fan_out")


def fan_in_and_fan_out(shape):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as PyTorch computes them.

    fan_in = in * receptive field, fan_out = out * receptive field, where the receptive field
    is the product of the kernel dimensions (1 for a Linear weight (out, in)).
    """
    if len(shape) < 2:
        raise ValueError(f"Got a tensor of shape {tuple(shape)}, but fans need at least 2 dimensions")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def xavier_std(fan_in, fan_out, gain):
    """std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot and Bengio, 2010, eq. 16)."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_std(fan, gain):
    """std = gain / sqrt(fan) (He et al., 2015, eq. 10 and 14; gain = sqrt(2) for ReLU)."""
    return gain / math.sqrt(fan)


def kaiming_fan(shape, mode):
    """fan_in or fan_out of `shape`, as `mode` selects."""
    if mode not in FAN_MODES:
        raise ValueError(f"Got mode={mode!r}, but the only valid values are 'fan_in' and 'fan_out'")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain=1.0):
    """Fill `tensor` with U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)) = sqrt(3) * std.

    Glorot and Bengio (2010), eq. (16); torch.nn.init.xavier_uniform_.
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    bound = math.sqrt(3.0) * xavier_std(fan_in, fan_out, gain)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)  # (out, in, *kernel), filled in place


def xavier_normal_(tensor, gain=1.0):
    """Fill `tensor` with N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).

    Glorot and Bengio (2010), section 4.2.1; torch.nn.init.xavier_normal_.
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    std = xavier_std(fan_in, fan_out, gain)
    with torch.no_grad():
        return tensor.normal_(0.0, std)  # (out, in, *kernel), filled in place


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Fill `tensor` with U(-b, b), b = gain * sqrt(3 / fan) = sqrt(3) * std.

    gain = calculate_gain(nonlinearity, a), fan = fan_in or fan_out as `mode` says
    (He et al., 2015, section 2.2; torch.nn.init.kaiming_uniform_).
    """
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * kaiming_std(kaiming_fan(tensor.shape, mode), gain)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)  # (out, in, *kernel), filled in place


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Fill `tensor` with N(0, std^2), std = gain / sqrt(fan).

    gain = calculate_gain(nonlinearity, a), fan = fan_in or fan_out as `mode` says
    (He et al., 2015, section 2.2; torch.nn.init.kaiming_normal_).
    """
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    std = kaiming_std(kaiming_fan(tensor.shape, mode), gain)
    with torch.no_grad():
        return tensor.normal_(0.0, std)  # (out, in, *kernel), filled in place
