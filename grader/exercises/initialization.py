"""Known-bug variants of the initialisation exercises.

BUGS[exercise_id][code] lists plain functions with the reference's signature, each
making one classic mistake. Their output is random, so no value-by-value comparison
can name them: grader.statistics tests a filled tensor against the law each bug
predicts (the `fan`, `gain`, `bound` and `distribution` codes), and `inplace` is an
exact check (the function must fill and return the tensor it was given).
tests/test_statistics.py runs every variant here through the statistical tests.
"""
from __future__ import annotations

import math

import torch

from reference.initialization import fan_in_and_fan_out, kaiming_fan


def _uniform(tensor, bound):
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def _normal(tensor, std):
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def _gain(nonlinearity, a):
    return torch.nn.init.calculate_gain(nonlinearity, a)


def xavier_uniform_no_receptive_field(tensor, gain=1.0):
    """fan: fans read as size(1) and size(0), as for a Linear weight, whatever the kernel size."""
    return _uniform(tensor, gain * math.sqrt(6.0 / (tensor.shape[0] + tensor.shape[1])))


def xavier_uniform_no_gain(tensor, gain=1.0):
    """gain: accepted but never used."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _uniform(tensor, math.sqrt(6.0 / (fan_in + fan_out)))


def xavier_uniform_sqrt3(tensor, gain=1.0):
    """bound: sqrt(3 / (fan_in + fan_out)), Kaiming's constant, instead of sqrt(6 / ...)."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _uniform(tensor, gain * math.sqrt(3.0 / (fan_in + fan_out)))


def xavier_uniform_normal(tensor, gain=1.0):
    """distribution: N(0, std^2) with Xavier's std, instead of U(-b, b)."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _normal(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_uniform_new_tensor(tensor, gain=1.0):
    """inplace: returns a fresh tensor with the right law and leaves the given one untouched."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand(tensor.shape) * 2 - 1) * bound


def xavier_normal_no_receptive_field(tensor, gain=1.0):
    """fan: fans read as size(1) and size(0), whatever the kernel size."""
    return _normal(tensor, gain * math.sqrt(2.0 / (tensor.shape[0] + tensor.shape[1])))


def xavier_normal_no_gain(tensor, gain=1.0):
    """gain: accepted but never used."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _normal(tensor, math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_normal_variance_as_std(tensor, gain=1.0):
    """bound: the variance gain^2 * 2 / (fan_in + fan_out) passed where normal_ wants the std."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _normal(tensor, gain ** 2 * 2.0 / (fan_in + fan_out))


def xavier_normal_uniform(tensor, gain=1.0):
    """distribution: U(-std, std), the std passed to uniform_ as its bound."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return _uniform(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_normal_new_tensor(tensor, gain=1.0):
    """inplace: returns torch.randn(...) * std and leaves the given tensor untouched."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    return torch.randn(tensor.shape) * gain * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_uniform_mode_ignored(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """fan: always fan_in, whatever `mode` says."""
    fan_in, _ = fan_in_and_fan_out(tensor.shape)
    return _uniform(tensor, _gain(nonlinearity, a) * math.sqrt(3.0 / fan_in))


def kaiming_uniform_relu_gain(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """gain: sqrt(2) hard-coded, ignoring `nonlinearity` and `a`."""
    return _uniform(tensor, math.sqrt(2.0) * math.sqrt(3.0 / kaiming_fan(tensor.shape, mode)))


def kaiming_uniform_sqrt6(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """bound: gain * sqrt(6 / fan), the ReLU bound with the gain applied once more."""
    return _uniform(tensor, _gain(nonlinearity, a) * math.sqrt(6.0 / kaiming_fan(tensor.shape, mode)))


def kaiming_uniform_normal(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """distribution: N(0, std^2) with Kaiming's std, instead of U(-b, b)."""
    return _normal(tensor, _gain(nonlinearity, a) / math.sqrt(kaiming_fan(tensor.shape, mode)))


def kaiming_uniform_new_tensor(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """inplace: returns torch.empty_like(tensor).uniform_(...) and leaves the given tensor untouched."""
    bound = _gain(nonlinearity, a) * math.sqrt(3.0 / kaiming_fan(tensor.shape, mode))
    return torch.empty_like(tensor).uniform_(-bound, bound)


def kaiming_normal_fans_swapped(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """fan: fan_in taken from size(0) and fan_out from size(1) (a Linear weight read as (in, out))."""
    fan_out, fan_in = fan_in_and_fan_out(tensor.shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return _normal(tensor, _gain(nonlinearity, a) / math.sqrt(fan))


def kaiming_normal_no_gain(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """gain: std = 1 / sqrt(fan)."""
    return _normal(tensor, 1.0 / math.sqrt(kaiming_fan(tensor.shape, mode)))


def kaiming_normal_variance_as_std(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """bound: the variance gain^2 / fan passed where normal_ wants the std."""
    return _normal(tensor, _gain(nonlinearity, a) ** 2 / kaiming_fan(tensor.shape, mode))


def kaiming_normal_uniform(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """distribution: U(-b, b) of the right variance (b = sqrt(3) * std) instead of N(0, std^2)."""
    std = _gain(nonlinearity, a) / math.sqrt(kaiming_fan(tensor.shape, mode))
    return _uniform(tensor, math.sqrt(3.0) * std)


def kaiming_normal_new_tensor(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """inplace: returns torch.randn_like(tensor) * std and leaves the given tensor untouched."""
    return torch.randn_like(tensor) * _gain(nonlinearity, a) / math.sqrt(kaiming_fan(tensor.shape, mode))


BUGS = {
    "initialization.xavier_uniform": {
        "fan": [xavier_uniform_no_receptive_field],
        "gain": [xavier_uniform_no_gain],
        "bound": [xavier_uniform_sqrt3],
        "distribution": [xavier_uniform_normal],
        "inplace": [xavier_uniform_new_tensor],
    },
    "initialization.xavier_normal": {
        "fan": [xavier_normal_no_receptive_field],
        "gain": [xavier_normal_no_gain],
        "bound": [xavier_normal_variance_as_std],
        "distribution": [xavier_normal_uniform],
        "inplace": [xavier_normal_new_tensor],
    },
    "initialization.kaiming_uniform": {
        "fan": [kaiming_uniform_mode_ignored],
        "gain": [kaiming_uniform_relu_gain],
        "bound": [kaiming_uniform_sqrt6],
        "distribution": [kaiming_uniform_normal],
        "inplace": [kaiming_uniform_new_tensor],
    },
    "initialization.kaiming_normal": {
        "fan": [kaiming_normal_fans_swapped],
        "gain": [kaiming_normal_no_gain],
        "bound": [kaiming_normal_variance_as_std],
        "distribution": [kaiming_normal_uniform],
        "inplace": [kaiming_normal_new_tensor],
    },
}
