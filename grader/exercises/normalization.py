"""Known-bug variants of the normalisation exercises, for diagnosis.

The tasks (inputs, checks, probes) follow at the end of the module.

BUGS[exercise_id][code] lists plain functions with the reference's signature, each
making one classic mistake (the format of attention.SDPA_BUGS). Diagnosis runs the
candidate and every variant on probe inputs and names the code whose variant agrees.
For batch_norm the running statistics are part of what must agree: they are
updated in place, and three of the bugs show only there.

The probes must make each mistake visible:
- eps: a row (LayerNorm, RMSNorm) or channel (BatchNorm) with variance comparable to
  eps, e.g. std 1e-3 with eps = 1e-5, or eps = 0.5; with unit variance and eps = 1e-5,
  eps outside the square root changes the output by only ~5e-6.
- axis: 3-D and 4-D inputs with N > 1; on (N, D) / (N, C) inputs some axis bugs agree
  with the reference.
- stability: float32 rows or channels with mean ~1e4 and std ~1.
- affine: weight and bias far from 1 and 0.
- momentum: momentum != 0.5; variance-bias and running-stats: few values per channel,
  so that m / (m - 1) is far from 1.
"""
from __future__ import annotations

from functools import partial

import torch
from hypothesis import strategies as st

from typing import Callable

from qkv.grader.checking import Case, CheckFailed, call_candidate, describe_call, generator, mismatch, tensor_seed
from qkv.grader.exercises import Bound, FunctionTask, covering, in_dtype, omitting
from qkv.grader.remote import watching_devices_now
from qkv.grader.properties import (Check, expected_outputs, follows_float64, gradients_match_reference,
                               kept_by_shape, leaves_inputs_unchanged, matches_on, matches_reference, on_device,
                               repeated_calls, run_candidate, smoke, stays_on_device)
from qkv.reference import normalization as ref


def _normalise_last(x, var, eps):
    """(x - mean) / sqrt(var + eps) over the last dim, for a given variance."""
    return (x - x.mean(dim=-1, keepdim=True)) / torch.sqrt(var + eps)  # (*, D)


def layer_norm_unbiased(x, weight, bias, eps=1e-5):
    """variance-bias: torch.var's default unbiased estimate (divide by D - 1)."""
    return _normalise_last(x, x.var(dim=-1, keepdim=True), eps) * weight + bias


def layer_norm_eps_outside(x, weight, bias, eps=1e-5):
    """eps: added to the standard deviation instead of the variance."""
    centered = x - x.mean(dim=-1, keepdim=True)
    std = centered.pow(2).mean(dim=-1, keepdim=True).sqrt()
    return centered / (std + eps) * weight + bias


def layer_norm_per_sample(x, weight, bias, eps=1e-5):
    """axis: statistics over every dim but the first (one mean per sample), not per position."""
    dims = tuple(range(1, x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = (x - mean).pow(2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def layer_norm_shift_inside(x, weight, bias, eps=1e-5):
    """affine: the shift applied before the scale, weight * (x_hat + bias)."""
    x_hat = ref.layer_norm(x, torch.ones_like(weight), torch.zeros_like(bias), eps)
    return (x_hat + bias) * weight


def layer_norm_not_centered(x, weight, bias, eps=1e-5):
    """centering: the variance is right but x itself is divided, not x - mean."""
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return x / torch.sqrt(var + eps) * weight + bias


def layer_norm_std_eps(x, weight, bias, eps=1e-5):
    """std-eps: The Annotated Transformer's (x - mean) / (x.std() + eps): unbiased std, eps added to it."""
    centered = x - x.mean(dim=-1, keepdim=True)
    return centered / (x.std(dim=-1, keepdim=True) + eps) * weight + bias


def layer_norm_weight_inside(x, weight, bias, eps=1e-5):
    """affine: x scaled by the weight before the statistics, so the weight cancels in the normalisation."""
    return ref.layer_norm(x * weight, torch.ones_like(weight), bias, eps)


def layer_norm_one_pass(x, weight, bias, eps=1e-5):
    """cancellation: var = E[x^2] - E[x]^2, which cancels catastrophically for a large mean."""
    var = x.pow(2).mean(dim=-1, keepdim=True) - x.mean(dim=-1, keepdim=True).pow(2)
    return _normalise_last(x, var, eps) * weight + bias


def batch_norm_variant(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5, *,
                       unbiased=False, one_pass=False, all_dims=False, running_var_unbiased=True,
                       reversed_momentum=False, in_place=True, batch_stats_in_eval=False, eps_outside=False):
    """Batch norm with the named mistakes switched on; the reference when none is."""
    shape = [1, -1] + [1] * (x.dim() - 2)  # (C,) -> (1, C, 1, ...)
    if training or batch_stats_in_eval:
        dims = list(range(x.dim())) if all_dims else [0, *range(2, x.dim())]
        mean = x.mean(dim=dims)  # (C,), or () over all dims
        var = x.pow(2).mean(dim=dims) - mean.pow(2) if one_pass else x.var(dim=dims, unbiased=unbiased)
    if training:
        m = x.numel() / mean.numel()  # values per statistic
        biased = var * (m - 1) / m if unbiased else var
        new_var = biased * m / (m - 1) if running_var_unbiased else biased
        old, new = (momentum, 1 - momentum) if reversed_momentum else (1 - momentum, momentum)
        with torch.no_grad():
            if in_place:
                running_mean.mul_(old).add_(new * mean)
                running_var.mul_(old).add_(new * new_var)
            else:  # rebinds the local names: the caller's buffers never change
                running_mean = old * running_mean + new * mean
                running_var = old * running_var + new * new_var
    elif not batch_stats_in_eval:
        mean, var = running_mean, running_var
    denominator = torch.sqrt(var) + eps if eps_outside else torch.sqrt(var + eps)
    return (x - mean.view(shape)) / denominator.view(shape) * weight.view(shape) + bias.view(shape)


def rms_norm_centered(x, weight, eps=1e-6):
    """centering: subtracts the mean first, which makes it LayerNorm without a bias."""
    centered = x - x.mean(dim=-1, keepdim=True)
    return centered / torch.sqrt(centered.pow(2).mean(dim=-1, keepdim=True) + eps) * weight


def rms_norm_eps_outside(x, weight, eps=1e-6):
    """eps: added to the root mean square instead of under the square root."""
    return x / (x.pow(2).mean(dim=-1, keepdim=True).sqrt() + eps) * weight


def rms_norm_no_eps(x, weight, eps=1e-6):
    """eps: ignored, x / sqrt(mean(x^2)) (lucidrains' F.normalize(x, dim=-1) * sqrt(D), whose clamp at 1e-12
    is no eps)."""
    return x / x.pow(2).mean(dim=-1, keepdim=True).sqrt() * weight


def rms_norm_dim1(x, weight, eps=1e-6):
    """axis: the mean of squares over dim 1, right only for 2-D input."""
    return x / torch.sqrt(x.pow(2).mean(dim=1, keepdim=True) + eps) * weight


def rms_norm_one_plus_weight(x, weight, eps=1e-6):
    """affine: scales by (1 + weight), the convention of some codebases (Gemma), not by weight."""
    return ref.rms_norm(x, 1 + weight, eps)


def rms_norm_l2(x, weight, eps=1e-6):
    """scale: divides by the L2 norm, sqrt(sum x^2), instead of the root mean square: sqrt(D) too small."""
    return x / torch.sqrt(x.pow(2).sum(dim=-1, keepdim=True) + eps) * weight


BUGS = {
    "normalization.layer_norm": {
        "variance-bias": [layer_norm_unbiased],
        "eps": [layer_norm_eps_outside],
        "axis": [layer_norm_per_sample],
        "affine": [layer_norm_shift_inside, layer_norm_weight_inside],
        "centering": [layer_norm_not_centered],
        "cancellation": [layer_norm_one_pass],
        "std-eps": [layer_norm_std_eps],
    },
    "normalization.batch_norm": {
        "variance-bias": [partial(batch_norm_variant, unbiased=True)],  # torch.var's default, for normalising
        "eps": [partial(batch_norm_variant, eps_outside=True)],  # sqrt(var) + eps
        "axis": [partial(batch_norm_variant, all_dims=True)],  # range(1, ...) for range(2, ...): channel dim too
        "momentum": [partial(batch_norm_variant, reversed_momentum=True)],  # momentum * r + (1 - momentum) * stat
        "momentum+running-stats": [partial(batch_norm_variant, reversed_momentum=True,  # an older d2l
                                           running_var_unbiased=False)],
        "train-eval": [partial(batch_norm_variant, batch_stats_in_eval=True)],  # batch statistics in eval too
        "running-stats": [partial(batch_norm_variant, running_var_unbiased=False),  # biased var into running_var
                          partial(batch_norm_variant, in_place=False)],  # running_mean = ...: buffers unchanged
        "cancellation": [partial(batch_norm_variant, one_pass=True)],  # E[x^2] - E[x]^2 per channel
    },
    "normalization.rms_norm": {
        "centering": [rms_norm_centered],
        "eps": [rms_norm_eps_outside, rms_norm_no_eps],
        "axis": [rms_norm_dim1],
        "affine": [rms_norm_one_plus_weight],
        "scale": [rms_norm_l2],
    },
}


# --- inputs ------------------------------------------------------------------------------

EPS = (1e-5, 1e-3, 0.5)  # 0.5 makes eps matter for unit-variance rows


@st.composite
def feature_inputs(draw, with_bias=True, large=False):
    """x (1-4 dims, size-1 dims included) with weight and bias over the last dim; `large`: offsets and
    scales up to 1e3, where a one-pass E[x^2] - E[x]^2 variance loses its digits."""
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    eps = draw(st.sampled_from(EPS))
    scale, offset = (draw(st.sampled_from([1e-2, 1.0, 1e3])), draw(st.sampled_from([-1e3, 1e3]))) if large \
        else (1.0, 0.0)
    seed = draw(tensor_seed())
    gen = generator(seed)
    x = torch.randn(*shape, generator=gen) * scale + offset  # (..., D)
    weight = torch.randn(shape[-1], generator=gen)  # (D,)
    note = f"eps={eps}" + (f", x ~ {offset:g} + {scale:g} * N(0, 1)" if large else "")
    # centring cancels the offset's rounding
    extra = {"condition": 4 * abs(offset) / scale, "covers": ("special:offsets up to 1e3",)} if large else {}
    if not with_bias:
        return Case((x, weight, eps), ("x", "weight", "eps"), note, seed, extra)
    bias = torch.randn(shape[-1], generator=gen)  # (D,)
    return Case((x, weight, bias, eps), ("x", "weight", "bias", "eps"), note, seed, extra)


@st.composite
def batch_norm_inputs(draw, large=False, training=None):
    """(N, C) or (N, C, H, W) with N >= 2, training or eval, running statistics, momentum and eps."""
    n, c = draw(st.integers(2, 4)), draw(st.integers(1, 4))
    spatial = draw(st.sampled_from([(), (3,), (1, 1), (2, 3), (2, 1, 2)]))  # (N, C), (N, C, L), 2-D, 3-D
    train = draw(st.booleans()) if training is None else training
    momentum, eps = draw(st.sampled_from([0.1, 0.3, 0.0])), draw(st.sampled_from(EPS))  # 0: buffers stay put
    offset = draw(st.sampled_from([-1e3, 1e3])) if large else 0.0
    fresh = not large and draw(st.booleans())  # a new module's buffers: zeros and ones
    seed = draw(tensor_seed())
    gen = generator(seed)
    x = torch.randn(n, c, *spatial, generator=gen) + offset  # (N, C, *)
    running_mean = torch.randn(c, generator=gen) + offset  # (C,)
    running_var = torch.rand(c, generator=gen) + 0.5  # (C,), positive
    if fresh:
        running_mean, running_var = torch.zeros(c), torch.ones(c)
    weight, bias = torch.randn(c, generator=gen), torch.randn(c, generator=gen)  # (C,), (C,)
    note = f"{'training' if train else 'eval'}, momentum={momentum}, eps={eps}" + (f", offset {offset:g}" if large
                                                                                  else "") \
        + (", fresh running statistics" if fresh else "")
    extra = {"covers": ("special:offsets up to 1e3",) if large else ()}
    if large:  # F.batch_norm's own kernel folds the statistics: x * scale + (bias - mean * scale), which loses
        # the offset's rounding times the scale (the two terms are each ~ |offset| * |scale| and cancel)
        dims = [0, *range(2, x.dim())]
        var = x.double().var(dims, unbiased=False) if train else running_var.double()
        scale = (weight.double().abs() / (var + eps).sqrt()).max().item()
        extra["condition"] = 4 * abs(offset) * max(scale, 1.0)
    return Case((x, running_mean, running_var, weight, bias, train, momentum, eps),
                ("x", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"), note, seed,
                extra)


def _probe(shape, eps, seed, with_bias=True):
    gen = generator(300 + seed)
    x = torch.randn(*shape, generator=gen) * 2 + 1  # (..., D): not centred, not unit variance
    weight = torch.rand(shape[-1], generator=gen) * 2 + 0.5  # (D,): far from 1
    if not with_bias:
        return Case((x, weight, eps), ("x", "weight", "eps"), f"eps={eps}", seed)
    bias = torch.randn(shape[-1], generator=gen) * 3  # (D,): far from 0
    return Case((x, weight, bias, eps), ("x", "weight", "bias", "eps"), f"eps={eps}", seed)


def _batch_probe(shape, training, seed):
    gen = generator(400 + seed)
    c = shape[1]
    x = torch.randn(*shape, generator=gen) * 2 + 1  # (N, C, *)
    return Case((x, torch.randn(c, generator=gen), torch.rand(c, generator=gen) + 0.5,
                 torch.rand(c, generator=gen) + 0.5, torch.randn(c, generator=gen), training, 0.3, 0.5),
                ("x", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"),
                "training" if training else "eval", seed)


def _feature_contract(with_bias: bool, eps_values: tuple):
    """One case per rank (1-4 dims, each eps value), float16, bfloat16, and eps left to its default (float64,
    where any other default shows)."""
    shapes = [(6,), (3, 5), (2, 3, 4), (2, 1, 2, 3)]
    forms = [covering(_probe(shape, eps_values[i % len(eps_values)], 10 + i, with_bias), f"form:{len(shape)}-D x")
             for i, shape in enumerate(shapes)]
    dtypes = [in_dtype(_probe((3, 8), 1e-3, 20 + i, with_bias), dtype)
              for i, dtype in enumerate((torch.float16, torch.bfloat16))]
    default = omitting(in_dtype(_probe((3, 5), 0.5, 22, with_bias), torch.float64), 3 if with_bias else 2)
    return lambda: forms + dtypes + [default]


def _batch_contract():
    """Every rank, training and eval, momentum and eps left to their defaults (float64), float16, bfloat16."""
    shapes = [(4, 3), (3, 2, 5), (2, 3, 2, 2), (2, 2, 2, 1, 3)]
    names = ["(N, C)", "(N, C, L)", "(N, C, H, W)", "(N, C, D, H, W)"]
    cases = [covering(_batch_probe(shape, training, 10 + 2 * i + training), f"form:{name}")
             for i, (shape, name) in enumerate(zip(shapes, names)) for training in (True, False)]
    for case in cases[2::4] + cases[3::4]:  # half of them with PyTorch's momentum and eps
        case.args = case.args[:6] + (0.1, 1e-5)
    cases += [in_dtype(_batch_probe((4, 3, 2), True, 20 + i), dtype)
              for i, dtype in enumerate((torch.float16, torch.bfloat16))]
    cases += [omitting(in_dtype(_batch_probe((3, 2, 2), True, 22), torch.float64), 6),
              omitting(in_dtype(_batch_probe((3, 2), False, 23), torch.float64), 7)]
    return lambda: cases


def running_stats_without_history() -> Check:
    """After a training call whose x, weight and bias require grad, the running buffers carry no autograd
    history: updated inside the graph, the next training step's backward fails."""

    def run(ctx):
        case = covering(_batch_probe((4, 3, 2), True, 30), "special:running buffers without autograd history after "
                        "a training call")
        case.note = "training, x, weight and bias require grad"
        x, running_mean, running_var, weight, bias, *rest = on_device(ctx, case.args)
        args = (x.requires_grad_(), running_mean, running_var, weight.requires_grad_(), bias.requires_grad_(), *rest)
        call_candidate(ctx, ctx.entry, args, case)
        tracked = [case.names[i] for i in ctx.entry.worker.history if i in (1, 2)]
        if tracked:
            raise CheckFailed(f"Called {describe_call(ctx, case)}.\nAfter the call {' and '.join(tracked)} carry "
                              "autograd history (a grad_fn): they were updated inside the graph. In a training loop "
                              "the next step's backward then fails ('Trying to backward through the graph a second "
                              "time'). Update the running statistics under torch.no_grad(), or from mean.detach() "
                              "and var.detach().", case)

    return Check("running statistics carry no autograd history after a training call", run)


# --- float16 values past 256: x * x passes 65504, float16's largest value. PyTorch's kernels (and the reference)
# compute the statistics of half-precision inputs in float32, so the answer is one float16 holds.

HALF_RANGE = "float16 inputs past 256, whose squares float16 cannot hold, stay accurate"
HALF_RANGE_COVERS = "special:float16 values past 256"


def overflows_half(typical, large) -> Callable:
    """A targeted test for diagnosis (`precision`): right on a typical float16 input, wrong on the float16 one
    whose squares pass 65504, and right on the same values in float32: the statistics overflow float16."""

    def right(ctx, case) -> bool:
        bound, outputs = run_candidate(ctx, case)
        golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
        return all(mismatch(name, o, g, r) is None for name, o, g, r in zip(ctx.task.outputs, outputs, golden,
                                                                              reference))

    def confirm(ctx) -> list[str]:
        case = large()
        if not right(ctx, typical()) or right(ctx, case):
            return []
        return ["precision"] if right(ctx, in_dtype(case, torch.float32)) else []

    return confirm


def confirming(*tests) -> Callable:
    """A task's `confirm` running several targeted tests: the codes of each (one whose inputs the candidate cannot
    run confirms nothing)."""

    def confirm(ctx) -> list[str]:
        codes: list[str] = []
        for test in tests:
            try:
                codes += [code for code in test(ctx) if code not in codes]
            except CheckFailed:
                continue
        return codes

    return confirm


def _half_range_probe(shape, eps, seed, with_bias=True):
    """float16 x of 100 * N(0, 1) (plus 100 with a bias) and one value of 350 or -350 in each row: its square
    passes 65504, while the row's mean square and variance (2e4 to 3e4) are values float16 holds."""
    gen = generator(500 + seed)
    x = torch.randn(*shape, generator=gen) * 100 + (100.0 if with_bias else 0.0)  # (..., D)
    x[..., 0] = 350.0 * (1 - 2 * (torch.arange(x[..., 0].numel()) % 2)).view(x.shape[:-1])
    weight = torch.rand(shape[-1], generator=gen) * 2 + 0.5  # (D,)
    names = ("x", "weight", "bias", "eps") if with_bias else ("x", "weight", "eps")
    args = (x, weight, torch.randn(shape[-1], generator=gen), eps) if with_bias else (x, weight, eps)
    case = Case(args, names, f"eps={eps}, x ~ {100 if with_bias else 0} + 100 * N(0, 1) and one 350 or -350 per "
                "row: 350^2 is past 65504", seed)
    return covering(in_dtype(case, torch.float16), HALF_RANGE_COVERS)


def _mean_square_probe(eps) -> Case:
    """float16 rows of 400 * N(0, 1), whose mean square (about 1.6e5) float16 cannot hold either: rms_norm's mean
    of squares taken in float32 and cast back before the rsqrt is inf there."""
    gen = generator(530)
    x = torch.randn(3, 16, generator=gen) * 400  # (3, D): values up to ~1200, which float16 holds
    weight = torch.rand(16, generator=gen) * 2 + 0.5  # (D,)
    case = Case((x, weight, eps), ("x", "weight", "eps"), f"eps={eps}, x ~ 400 * N(0, 1): the mean square, about "
                "1.6e5, is past 65504", 0)
    return covering(in_dtype(case, torch.float16), HALF_RANGE_COVERS)


def _batch_half_range():
    """Training, x of 100 * N(0, 1) with one value of 350 per channel: its squared distance from the mean
    passes 65504, while the variance (about 2e4) and the running variance are values float16 holds."""
    gen = generator(520)
    x = torch.randn(4, 3, 2, generator=gen) * 100  # (N, C, L)
    x[0, :, 0] = 350.0
    case = Case((x, torch.randn(3, generator=gen), torch.rand(3, generator=gen) + 0.5,
                 torch.rand(3, generator=gen) + 0.5, torch.randn(3, generator=gen), True, 0.1, 1e-5),
                ("x", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"),
                "training, x ~ 100 * N(0, 1) and one 350 per channel: (x - mean)^2 past 65504", 520)
    return covering(in_dtype(case, torch.float16), HALF_RANGE_COVERS)


class BatchNormTask(FunctionTask):
    """batch_norm's outputs are y and the running statistics after the call: the candidate updates
    copies of them in place, and both are compared with the reference's."""

    def bind(self, ctx, case) -> Bound:
        return Bound(with_running_stats(ctx.entry), with_running_stats(self.reference), case.args, case.names,
                     {code: [with_running_stats(v) for v in vs] for code, vs in self.variants.items()})


def with_running_stats(fn):
    def call(x, running_mean, running_var, *rest):
        running_mean, running_var = running_mean.clone(), running_var.clone()
        y = fn(x, running_mean, running_var, *rest)
        if watching_devices_now() and running_mean.device.type == "cpu":  # the caller's buffers: on x's device
            return y, running_mean.detach().to("meta"), running_var.detach().to("meta")
        return y, running_mean.detach(), running_var.detach()

    return call


def _norm_checks(cases, large_cases, small_case, contract, pair, fresh, half_large,
                 large_name="offsets and scales up to 1e3 stay accurate (two-pass variance)"):
    return [
        smoke(small_case),
        matches_reference("matches the reference (1-4 dims, size-1 dims, eps up to 0.5)", cases),
        matches_reference(large_name, large_cases,
                          extreme_codes=("stability",)),
        matches_on("every rank and eps, float16 and bfloat16 (dtype kept), and eps left to its default", contract),
        matches_on(HALF_RANGE, half_large),
        repeated_calls(pair),
        gradients_match_reference(cases),
        follows_float64(cases),
        leaves_inputs_unchanged(cases),
        stays_on_device(small_case, fresh),
    ]


_LAYER_CASES = feature_inputs()
_RMS_CASES = feature_inputs(with_bias=False)
_BATCH_CASES = batch_norm_inputs()

LAYER_NORM = FunctionTask(
    call_name="layer_norm",
    reference=ref.layer_norm,
    outputs=("y",),
    variants=BUGS["normalization.layer_norm"],
    probes=lambda: [_probe((2, 3, 4), 0.5, 0), _probe((3, 5), 1e-5, 1), _probe((2, 2, 2, 3), 0.5, 2)],
    confirm=confirming(kept_by_shape(lambda: (_probe((12, 13), 1e-5, 47), _probe((12, 13), 1e-5, 48))),
                       overflows_half(lambda: in_dtype(_probe((3, 8), 1e-3, 20), torch.float16),
                                      lambda: _half_range_probe((4, 8), 1e-5, 1))),
    degenerate=lambda case: "D = 1: a single feature, variance 0" if case.args[0].shape[-1:] == (1,) else "",
    checks=_norm_checks(_LAYER_CASES, feature_inputs(large=True), lambda: _probe((2, 3), 1e-5, 9),
                        _feature_contract(True, EPS),
                        lambda: (_probe((2, 3, 4), 0.5, 40), _probe((5,), 1e-5, 41), _probe((2, 3, 4), 0.5, 42)),
                        lambda: (_probe((7, 9), 1e-5, 43), _probe((8, 11), 1e-5, 44)),
                        lambda: [_half_range_probe((4, 8), 1e-5, 0)]),
)

RMS_NORM = FunctionTask(
    call_name="rms_norm",
    reference=ref.rms_norm,
    outputs=("y",),
    variants=BUGS["normalization.rms_norm"],
    probes=lambda: [_probe((2, 3, 4), 0.5, 0, False), _probe((3, 5), 1e-6, 1, False),
                    _probe((2, 2, 2, 3), 0.5, 2, False)],
    confirm=confirming(kept_by_shape(lambda: (_probe((12, 13), 1e-6, 47, False), _probe((12, 13), 1e-6, 48, False))),
                       overflows_half(lambda: in_dtype(_probe((3, 8), 1e-3, 20, False), torch.float16),
                                      lambda: _half_range_probe((4, 8), 1e-6, 1, False)),
                       overflows_half(lambda: in_dtype(_probe((3, 8), 1e-3, 20, False), torch.float16),
                                      lambda: _mean_square_probe(1e-6))),
    checks=_norm_checks(_RMS_CASES, feature_inputs(with_bias=False, large=True),
                        lambda: _probe((2, 3), 1e-6, 9, False), _feature_contract(False, (1e-6, 0.5)),
                        lambda: (_probe((2, 3, 4), 0.5, 40, False), _probe((5,), 1e-6, 41, False),
                                 _probe((2, 3, 4), 0.5, 42, False)),
                        lambda: (_probe((7, 9), 1e-6, 43, False), _probe((8, 11), 1e-6, 44, False)),
                        lambda: [_half_range_probe((4, 8), 1e-6, 0, False), _mean_square_probe(1e-6)],
                        large_name="offsets and scales up to 1e3 stay accurate"),
)

BATCH_NORM = BatchNormTask(
    call_name="batch_norm",
    reference=ref.batch_norm,
    outputs=("y", "running_mean", "running_var"),
    variants=BUGS["normalization.batch_norm"],
    frozen=(1, 2),  # running statistics: buffers, not differentiated
    mutable=(1, 2),  # and updated in place
    probes=lambda: [_batch_probe((3, 2), True, 0), _batch_probe((2, 3, 2, 2), True, 1),
                    _batch_probe((2, 3, 2, 2), False, 2)],
    confirm=confirming(kept_by_shape(lambda: (_batch_probe((12, 13), True, 47), _batch_probe((12, 13), True, 48))),
                       overflows_half(lambda: in_dtype(_batch_probe((4, 3, 2), True, 20), torch.float16),
                                      _batch_half_range)),
    checks=[
        smoke(lambda: _batch_probe((3, 2), True, 9)),
        matches_reference("training: output and running statistics match the reference",
                          batch_norm_inputs(training=True)),
        matches_reference("eval: normalises with the running statistics and leaves them unchanged",
                          batch_norm_inputs(training=False)),
        matches_reference("offsets up to 1e3 stay accurate (two-pass variance)", batch_norm_inputs(large=True),
                          extreme_codes=("stability",)),
        matches_on("every rank ((N, C) to (N, C, D, H, W)) in training and eval, float16 and bfloat16 (dtype kept), "
                   "momentum and eps left to their defaults", _batch_contract()),
        matches_on(HALF_RANGE, lambda: [_batch_half_range()]),
        running_stats_without_history(),
        repeated_calls(lambda: (_batch_probe((2, 3, 2, 2), True, 42), _batch_probe((5, 2), True, 43),
                                _batch_probe((2, 3, 2, 2), True, 44))),
        gradients_match_reference(_BATCH_CASES),
        follows_float64(_BATCH_CASES),
        leaves_inputs_unchanged(_BATCH_CASES),
        stays_on_device(lambda: _batch_probe((3, 2), True, 9),
                        lambda: (_batch_probe((6, 7), True, 45), _batch_probe((7, 9), True, 46))),
    ],
)

TASKS = {"normalization.layer_norm": LAYER_NORM, "normalization.batch_norm": BATCH_NORM,
         "normalization.rms_norm": RMS_NORM}
