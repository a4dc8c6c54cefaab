"""The normalisation references against PyTorch's own functions (values, gradients, running statistics)."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from qkv.reference import normalization as ref

SETTINGS = settings(max_examples=40, deadline=None, database=None)
EPS = st.sampled_from([1e-5, 1e-2, 0.5])


def _randn(gen, *shape, requires_grad=True):
    return torch.randn(*shape, generator=gen, dtype=torch.float64, requires_grad=requires_grad)


def _assert_same_grads(out, expected, inputs, gen):
    upstream = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    got = torch.autograd.grad(out, inputs, upstream)
    want = torch.autograd.grad(expected, inputs, upstream)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)


@SETTINGS
@given(batch=st.lists(st.integers(1, 3), max_size=3), d=st.integers(1, 8), eps=EPS, seed=st.integers(0, 2**31))
def test_layer_norm_matches_torch(batch, d, eps, seed):
    gen = torch.Generator().manual_seed(seed)
    x, weight, bias = _randn(gen, *batch, d), _randn(gen, d), _randn(gen, d)
    out = ref.layer_norm(x, weight, bias, eps)
    expected = F.layer_norm(x, (d,), weight, bias, eps)
    torch.testing.assert_close(out, expected)
    _assert_same_grads(out, expected, (x, weight, bias), gen)


@SETTINGS
@given(batch=st.lists(st.integers(1, 3), max_size=3), d=st.integers(1, 8), eps=EPS, seed=st.integers(0, 2**31))
def test_rms_norm_matches_torch(batch, d, eps, seed):
    gen = torch.Generator().manual_seed(seed)
    x, weight = _randn(gen, *batch, d), _randn(gen, d)
    out = ref.rms_norm(x, weight, eps)
    expected = F.rms_norm(x, (d,), weight, eps)
    torch.testing.assert_close(out, expected)
    _assert_same_grads(out, expected, (x, weight), gen)


def test_default_eps_is_the_contracts():
    gen = torch.Generator().manual_seed(0)
    x = _randn(gen, 3, 4, requires_grad=False) * 1e-3  # variance comparable to eps, so eps shows
    weight, bias = torch.ones(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    torch.testing.assert_close(ref.layer_norm(x, weight, bias), F.layer_norm(x, (4,), weight, bias, 1e-5))
    torch.testing.assert_close(ref.rms_norm(x, weight), F.rms_norm(x, (4,), weight, 1e-6))


@st.composite
def batch_norm_inputs(draw):
    """x (N, C, *) with at least 2 values per channel, and positive running variances."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rest = draw(st.lists(st.integers(1, 3), max_size=2))
    if n * torch.Size(rest).numel() < 2:
        n = 2
    gen = torch.Generator().manual_seed(draw(st.integers(0, 2**31)))
    x = _randn(gen, n, c, *rest)
    running_mean = _randn(gen, c, requires_grad=False)
    running_var = torch.rand(c, generator=gen, dtype=torch.float64) + 0.5
    return x, running_mean, running_var, _randn(gen, c), _randn(gen, c), gen


@SETTINGS
@given(inputs=batch_norm_inputs(), training=st.booleans(), momentum=st.sampled_from([0.1, 0.35, 1.0]), eps=EPS)
def test_batch_norm_matches_torch(inputs, training, momentum, eps):
    x, running_mean, running_var, weight, bias, gen = inputs
    theirs_mean, theirs_var = running_mean.clone(), running_var.clone()
    before_mean, before_var = running_mean.clone(), running_var.clone()
    out = ref.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
    expected = F.batch_norm(x, theirs_mean, theirs_var, weight, bias, training, momentum, eps)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(running_mean, theirs_mean)  # updated in place in training,
    torch.testing.assert_close(running_var, theirs_var)  # left alone in evaluation
    if not training:
        assert torch.equal(running_mean, before_mean) and torch.equal(running_var, before_var)
    assert not running_mean.requires_grad and not running_var.requires_grad
    _assert_same_grads(out, expected, (x, weight, bias), gen)


def test_batch_norm_training_then_eval_uses_the_updated_statistics():
    gen = torch.Generator().manual_seed(1)
    x, weight, bias = _randn(gen, 8, 3, 5), _randn(gen, 3), _randn(gen, 3)
    mine = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    theirs = [t.clone() for t in mine]
    for step in range(3):
        batch = x + step  # a drifting batch mean
        ref.batch_norm(batch, *mine, weight, bias, True, 0.2)
        F.batch_norm(batch, *theirs, weight, bias, True, 0.2)
    torch.testing.assert_close(ref.batch_norm(x, *mine, weight, bias, False),
                               F.batch_norm(x, *theirs, weight, bias, False))


def test_batch_norm_refuses_one_value_per_channel_in_training():
    with pytest.raises(ValueError, match=r"\(1, 3\)"):
        ref.batch_norm(torch.randn(1, 3), torch.zeros(3), torch.ones(3), torch.ones(3), torch.zeros(3), True)


@pytest.mark.parametrize("normalise", [
    lambda x, w, b: ref.layer_norm(x, w, b),
    lambda x, w, b: ref.batch_norm(x, torch.zeros(x.shape[1]), torch.ones(x.shape[1]), w, b, True),
], ids=["layer_norm", "batch_norm"])
def test_two_pass_variance_survives_a_large_offset_in_float32(normalise):
    """Rows with mean 1e4 and std 1: E[x^2] - E[x]^2 would lose every digit of the variance."""
    gen = torch.Generator().manual_seed(2)
    x = (torch.randn(64, 16, generator=gen, dtype=torch.float64) + 1e4).float()
    weight, bias = torch.ones(16), torch.zeros(16)
    out = normalise(x, weight, bias)
    golden = normalise(x.double(), weight.double(), bias.double())
    assert (out.double() - golden).abs().max() < 1e-2
