"""The regularisation references against PyTorch: F.dropout, F.cross_entropy, autograd and torch.optim.SGD."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from scipy import stats

from qkv.reference import regularization as ref

SETTINGS = settings(max_examples=40, deadline=None, database=None)
shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3)
seeds = st.integers(0, 2**31)


@SETTINGS
@given(shape=shapes, p=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]), seed=seeds)
def test_dropout_draws_exactly_as_torch(shape, p, seed):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64, requires_grad=True)
    torch.manual_seed(seed)
    out = ref.dropout(x, p)
    torch.manual_seed(seed)
    expected = F.dropout(x, p)
    assert torch.equal(out, expected)
    grad_out = torch.ones_like(out)
    assert torch.equal(torch.autograd.grad(out, x, grad_out)[0], torch.autograd.grad(expected, x, grad_out)[0])


def test_dropout_zeroes_a_binomial_fraction_and_rescales_the_rest():
    x = torch.linspace(1, 2, 20_000)  # no zeros of its own
    torch.manual_seed(3)
    out = ref.dropout(x, 0.3)
    dropped = out == 0
    assert stats.binomtest(int(dropped.sum()), x.numel(), 0.3).pvalue > 1e-6
    torch.testing.assert_close(out[~dropped], x[~dropped] / 0.7)


def test_dropout_edges():
    x = torch.randn(4, 5)
    assert ref.dropout(x, 0.5, training=False) is x
    assert torch.equal(ref.dropout(x, 1.0), torch.zeros_like(x))
    assert torch.equal(ref.dropout(x, 0.0), x)
    with pytest.raises(ValueError, match="p=1.5"):
        ref.dropout(x, 1.5)


@SETTINGS
@given(n=st.integers(1, 6), c=st.integers(1, 7), smoothing=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
       magnitude=st.sampled_from([1.0, 30.0, 1e4]), seed=seeds)
def test_label_smoothing_matches_cross_entropy(n, c, smoothing, magnitude, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = (magnitude * torch.randn(n, c, generator=gen, dtype=torch.float64)).requires_grad_()
    target = torch.randint(0, c, (n,), generator=gen)
    loss = ref.label_smoothing_cross_entropy(logits, target, smoothing)
    expected = F.cross_entropy(logits, target, label_smoothing=smoothing)
    assert loss.shape == () and torch.isfinite(loss)
    torch.testing.assert_close(loss, expected)
    torch.testing.assert_close(torch.autograd.grad(loss, logits)[0], torch.autograd.grad(expected, logits)[0])


def test_label_smoothing_is_stable_in_float32():
    logits = torch.tensor([[1e4, -1e4, 0.0], [-3e3, 2e3, 5e3]])
    target = torch.tensor([1, 0])
    loss = ref.label_smoothing_cross_entropy(logits, target)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss, F.cross_entropy(logits, target, label_smoothing=0.1))


@SETTINGS
@given(shape=shapes, lr=st.sampled_from([0.01, 0.5]), l1=st.sampled_from([0.0, 0.3]),
       l2=st.sampled_from([0.0, 0.2]), seed=seeds)
def test_sgd_step_is_a_step_on_the_penalised_loss(shape, lr, l1, l2, seed):
    gen = torch.Generator().manual_seed(seed)
    param = torch.randn(shape, generator=gen, dtype=torch.float64)
    param[param.abs() < 0.5] = 0.0  # exact zeros: the subgradient of |w| there is 0
    grad = torch.randn(shape, generator=gen, dtype=torch.float64)
    param_before, grad_before = param.clone(), grad.clone()

    out = ref.sgd_step_l1_l2(param, grad, lr, l1, l2)

    w = param.clone().requires_grad_()  # autograd on loss = <grad, w> + l1 |w|_1 + l2/2 |w|^2
    penalised = (grad * w).sum() + l1 * w.abs().sum() + l2 / 2 * w.pow(2).sum()
    torch.testing.assert_close(out, param - lr * torch.autograd.grad(penalised, w)[0])
    assert torch.equal(param, param_before) and torch.equal(grad, grad_before)


def test_sgd_step_without_l1_is_torch_sgd_with_weight_decay():
    param = torch.nn.Parameter(torch.randn(6, 3))
    grad = torch.randn(6, 3)
    expected = ref.sgd_step_l1_l2(param.detach(), grad, lr=0.1, l2=0.05)
    param.grad = grad
    torch.optim.SGD([param], lr=0.1, weight_decay=0.05).step()
    torch.testing.assert_close(expected, param.detach())
