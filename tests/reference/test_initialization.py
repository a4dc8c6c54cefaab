"""The initialisation references against torch.nn.init: same draws, same laws, in place."""
import math

import pytest
import torch
from hypothesis import given, settings, strategies as st
from scipy import stats
from torch import nn

from qkv.reference import initialization as ref

SETTINGS = settings(max_examples=30, deadline=None, database=None)

XAVIER = [(ref.xavier_uniform_, nn.init.xavier_uniform_), (ref.xavier_normal_, nn.init.xavier_normal_)]
KAIMING = [(ref.kaiming_uniform_, nn.init.kaiming_uniform_), (ref.kaiming_normal_, nn.init.kaiming_normal_)]
ALL = XAVIER + KAIMING
IDS = ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"]

shapes = st.lists(st.integers(1, 6), min_size=2, max_size=4).map(tuple)
kaiming_kwargs = st.fixed_dictionaries({
    "a": st.sampled_from([0.0, 0.2, math.sqrt(5)]),
    "mode": st.sampled_from(ref.FAN_MODES),
    "nonlinearity": st.sampled_from(["leaky_relu", "relu", "tanh", "linear", "selu"]),
})


def _same_seed(mine, theirs, shape, kwargs, seed):
    torch.manual_seed(seed)
    got = mine(torch.empty(shape), **kwargs)
    torch.manual_seed(seed)
    return got, theirs(torch.empty(shape), **kwargs)


@SETTINGS
@given(pair=st.sampled_from(XAVIER), shape=shapes, gain=st.sampled_from([1.0, 0.5, 5 / 3]), seed=st.integers(0, 2**31))
def test_xavier_draws_exactly_as_torch(pair, shape, gain, seed):
    got, expected = _same_seed(*pair, shape, {"gain": gain}, seed)
    assert torch.equal(got, expected)


@SETTINGS
@given(pair=st.sampled_from(KAIMING), shape=shapes, kwargs=kaiming_kwargs, seed=st.integers(0, 2**31))
def test_kaiming_draws_exactly_as_torch(pair, shape, kwargs, seed):
    got, expected = _same_seed(*pair, shape, kwargs, seed)
    assert torch.equal(got, expected)


@pytest.mark.parametrize("mine,theirs", ALL, ids=IDS)
def test_sample_agrees_with_torch_in_distribution(mine, theirs):
    """Two-sample KS between independent draws (different seeds) of a conv weight."""
    shape, kwargs = (64, 32, 3, 3), {}
    got, _ = _same_seed(mine, theirs, shape, kwargs, 0)
    _, expected = _same_seed(mine, theirs, shape, kwargs, 1)
    assert not torch.equal(got, expected)
    assert stats.ks_2samp(got.flatten().numpy(), expected.flatten().numpy()).pvalue > 1e-6


@pytest.mark.parametrize("init", [mine for mine, _ in ALL], ids=IDS)
def test_fills_and_returns_the_given_tensor_even_a_parameter(init):
    weight = nn.Parameter(torch.full((8, 4, 3), float("nan"), dtype=torch.float64))
    out = init(weight)
    assert out is weight
    assert torch.isfinite(weight).all() and weight.dtype == torch.float64 and weight.requires_grad


@pytest.mark.parametrize("init,kwargs,bound", [
    (ref.xavier_uniform_, {"gain": 0.5}, 0.5 * math.sqrt(6 / (288 + 1152))),
    (ref.kaiming_uniform_, {"mode": "fan_out"}, math.sqrt(2) * math.sqrt(3 / 1152)),
], ids=["xavier_uniform", "kaiming_uniform"])
def test_uniform_stays_within_the_bound_and_reaches_it(init, kwargs, bound):
    torch.manual_seed(0)
    w = init(torch.empty(128, 32, 3, 3), **kwargs)  # fan_in 288, fan_out 1152
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.999 * bound


def test_fans_follow_pytorch():
    assert ref.fan_in_and_fan_out((256, 128)) == (128, 256)
    assert ref.fan_in_and_fan_out((64, 16, 3, 3)) == (144, 576)
    assert ref.kaiming_fan((64, 16, 5), "fan_out") == 320


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="mode='fan_avg'.*'fan_in' and 'fan_out'"):
        ref.kaiming_normal_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        ref.xavier_uniform_(torch.empty(5))
