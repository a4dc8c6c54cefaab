"""The deep-stack panel of `grade --plot`: the same input for both curves, and layers whose fans
differ, so that a fan mistake shows (on square layers it would not)."""
from __future__ import annotations

import math

import torch

from qkv.grader.plots import activation_stds
from qkv.reference import initialization as ref


def _fans_swapped(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_out, fan_in = tensor.shape[0], tensor.shape[1]
    with torch.no_grad():
        return tensor.normal_(0.0, math.sqrt(2.0 / fan_out))  # fan_out where fan_in belongs


def test_the_reference_keeps_the_scale_and_a_fan_swap_runs_away():
    kwargs = {"nonlinearity": "relu"}
    reference = activation_stds(ref.kaiming_normal_, kwargs, "relu", seed=0)
    swapped = activation_stds(_fans_swapped, kwargs, "relu", seed=0)
    assert 0.3 < reference[-1] / reference[0] < 3
    assert swapped[-1] / swapped[0] > 100


def test_both_curves_start_from_the_same_input():
    def deterministic(tensor, **kwargs):  # no randomness: the curve depends on the input only
        return tensor.fill_(1.0 / tensor.shape[1]).add_(torch.eye(*tensor.shape))

    torch.manual_seed(1)
    first = activation_stds(deterministic, {}, "relu", seed=3)
    torch.manual_seed(2)  # another global RNG state must not change the input
    assert activation_stds(deterministic, {}, "relu", seed=3) == first
    assert activation_stds(deterministic, {}, "relu", seed=4) != first
