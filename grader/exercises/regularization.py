"""Known-bug variants of the regularisation exercises.

The tasks (inputs, checks, probes) follow at the end of the module.

BUGS[exercise_id][code] lists plain functions with the reference's signature, each
making one classic mistake. label_smoothing and l1_l2_step are deterministic: diagnosis
runs the candidate and each variant on probe inputs and names the code whose variant
agrees. Dropout is random: grader.statistics names `scale`, `polarity` and
`mask-shared` from an output's statistics, while `edge` (p = 1) and `train-eval` are
exact checks; tests/test_statistics.py runs every dropout variant here.

The probes must make each mistake visible:
- label_smoothing: smoothing > 0 and C > 2 (smoothing / (C - 1) vs smoothing / C), N > 1
  (sum vs mean), some logits of magnitude 1e3-1e4 (naive softmax overflows), N != C.
- l1_l2_step: l1 > 0 with exact zeros in param (sign(0)), l2 > 0, lr != 1, more than one
  element (mean vs sum), and the inputs checked for modification.
"""
from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from qkv.grader.checking import (COVERAGE, Case, CheckFailed, as_outputs, call_candidate, describe_call, format_tensor,
                             generator, tensor_seed)
from qkv.grader.exercises import FunctionTask, covering, in_dtype, omitting, sampled_task
from qkv.grader.properties import (Check, follows_float64, gradients_match_reference, kept_by_shape,
                               leaves_inputs_unchanged, matches_on, matches_reference, repeated_calls, smoke,
                               stays_on_device)
from qkv.reference import regularization as ref


def dropout_unscaled(x, p, training=True):
    """scale: zeroes units but never divides the kept ones by 1 - p."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p)


def dropout_keep_p(x, p, training=True):
    """polarity: keeps a unit with probability p instead of 1 - p."""
    if not training:
        return x
    return x * (torch.rand_like(x) < p) / (1 - p)


def dropout_shared_mask(x, p, training=True):
    """mask-shared: one mask of shape x.shape[1:] for every sample of the batch."""
    if not training:
        return x
    keep = torch.rand(x.shape[1:], device=x.device) >= p
    return x * keep / (1 - p)


def dropout_nan_at_one(x, p, training=True):
    """edge: no special case for p = 1, where x * 0 / 0 is NaN."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def dropout_in_eval(x, p, training=True):
    """train-eval: drops units whatever `training` says."""
    return ref.dropout(x, p, training=True)


def label_smoothing_other_classes(logits, target, smoothing=0.1):
    """smoothing-mass: 1 - smoothing on the target, smoothing / (C - 1) on every other class."""
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=-1)
    q = torch.full_like(log_probs, smoothing / (n_classes - 1)).scatter(1, target[:, None], 1 - smoothing)
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_summed(logits, target, smoothing=0.1):
    """reduction: the sum over the batch instead of the mean."""
    return ref.label_smoothing_cross_entropy(logits, target, smoothing) * logits.size(0)


def label_smoothing_naive_softmax(logits, target, smoothing=0.1):
    """stability: log(exp(z) / sum exp(z)), which overflows (inf / inf = NaN) for large logits."""
    n_classes = logits.size(-1)
    log_probs = torch.log(logits.exp() / logits.exp().sum(dim=-1, keepdim=True))
    q = (1 - smoothing) * F.one_hot(target, n_classes).to(logits.dtype) + smoothing / n_classes
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_softmax_dim0(logits, target, smoothing=0.1):
    """axis: log_softmax over the batch dim 0 instead of the classes."""
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=0)
    q = (1 - smoothing) * F.one_hot(target, n_classes).to(logits.dtype) + smoothing / n_classes
    return -(q * log_probs).sum(dim=-1).mean()


def label_smoothing_convention(logits, target, smoothing=0.1, *, spread="all", loss="ce", reduction="mean"):
    """Another library's convention. spread: "all" (s / K on every class, the contract), "others" (s / (K - 1)
    on the other classes, fairseq), "padding" (s / (K - 2), none on padding class 0 nor on rows whose target
    is 0, The Annotated Transformer); loss: "ce" or "kl" (KL(q || p), lower by q's entropy); reduction:
    "mean", "sum" or "batchmean"."""
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=-1)  # (N, C)
    share = {"all": smoothing / n_classes, "others": smoothing / (n_classes - 1),
             "padding": smoothing / (n_classes - 2) if n_classes > 2 else 0.0}[spread]
    true = 1 - smoothing + (share if spread == "all" else 0.0)
    q = torch.full_like(log_probs, share).scatter(1, target[:, None], true)  # (N, C)
    if spread == "padding":
        q[:, 0] = 0
        q[target == 0] = 0
    per_row = -(q * log_probs).sum(-1) if loss == "ce" else (torch.xlogy(q, q) - q * log_probs).sum(-1)  # (N,)
    return per_row.sum() if reduction in ("sum",) else per_row.mean()


def label_smoothing_no_minus(logits, target, smoothing=0.1):
    """sign: returns sum q log p, the negative of the cross-entropy."""
    return -ref.label_smoothing_cross_entropy(logits, target, smoothing)


def sgd_l1_as_l2(param, grad, lr, l1=0.0, l2=0.0):
    """sign: the L1 gradient written as l1 * param (L2's form) instead of l1 * sign(param)."""
    return param - lr * (grad + l1 * param + l2 * param)


def sgd_sign_zero_positive(param, grad, lr, l1=0.0, l2=0.0):
    """edge: sign via torch.where(param >= 0, 1, -1), so sign(0) = 1 and zeros are pushed negative."""
    sign = torch.where(param >= 0, 1.0, -1.0)
    return param - lr * (grad + l1 * sign + l2 * param)


def sgd_sign_by_division(param, grad, lr, l1=0.0, l2=0.0):
    """edge: sign as param / |param|, which is 0 / 0 = NaN at exact zeros."""
    return param - lr * (grad + l1 * param / param.abs() + l2 * param)


def sgd_in_place(param, grad, lr, l1=0.0, l2=0.0):
    """inplace: param.sub_(...) updates the caller's tensor, then returns it."""
    return param.sub_(lr * (grad + l1 * torch.sign(param) + l2 * param))


def sgd_l2_doubled(param, grad, lr, l1=0.0, l2=0.0):
    """scale: the gradient of l2 * sum(w^2), 2 * l2 * w, where the penalty is (l2 / 2) * sum(w^2)."""
    return param - lr * (grad + l1 * torch.sign(param) + 2 * l2 * param)


def sgd_mean_penalty(param, grad, lr, l1=0.0, l2=0.0):
    """reduction: penalties averaged over the elements (mean(|w|), mean(w^2) / 2) instead of summed."""
    n = param.numel()
    return param - lr * (grad + (l1 * torch.sign(param) + l2 * param) / n)


BUGS = {
    "regularization.dropout": {
        "scale": [dropout_unscaled],
        "polarity": [dropout_keep_p],
        "mask-shared": [dropout_shared_mask],
        "edge": [dropout_nan_at_one],
        "train-eval": [dropout_in_eval],
    },
    "regularization.label_smoothing": {
        "smoothing-mass": [label_smoothing_other_classes],
        "smoothing-mass+reduction": [partial(label_smoothing_convention, spread="others", reduction="sum")],  # fairseq
        "padding-class+kl+reduction": [partial(label_smoothing_convention, spread="padding", loss="kl",
                                               reduction="sum")],  # The Annotated Transformer
        "kl": [partial(label_smoothing_convention, loss="kl")],
        "reduction": [label_smoothing_summed],
        "stability": [label_smoothing_naive_softmax],
        "axis": [label_smoothing_softmax_dim0],
        "sign": [label_smoothing_no_minus],
    },
    "regularization.l1_l2_step": {
        "sign": [sgd_l1_as_l2],
        "edge": [sgd_sign_zero_positive, sgd_sign_by_division],
        "inplace": [sgd_in_place],
        "scale": [sgd_l2_doubled],
        "reduction": [sgd_mean_penalty],
    },
}


# --- inputs ------------------------------------------------------------------------------


@st.composite
def smoothing_inputs(draw, magnitude=1.0):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    smoothing = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]))
    seed = draw(tensor_seed())
    gen = generator(seed)
    logits = torch.randn(n, c, generator=gen) * magnitude  # (N, C)
    target = torch.randint(c, (n,), generator=gen)  # (N,)
    note = f"smoothing={smoothing}" + (f", logits up to {magnitude:g}" if magnitude > 1 else "")
    return Case((logits, target, smoothing), ("logits", "target", "smoothing"), note, seed,
                {"covers": ("special:logits up to 1e4",) if magnitude > 1 else ()})


@st.composite
def sgd_inputs(draw):
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    lr, l1, l2 = (draw(st.sampled_from(v)) for v in ([0.01, 0.1, 1.0, 0.0], [0.0, 0.01, 0.5], [0.0, 0.1, 0.9]))
    seed = draw(tensor_seed())
    gen = generator(seed)
    param = torch.randn(*shape, generator=gen)
    param = param.masked_fill(torch.rand(*shape, generator=gen) < 0.3, 0.0)  # exact zeros: sign(0) = 0
    grad = torch.randn(*shape, generator=gen)
    return Case((param, grad, lr, l1, l2), ("param", "grad", "lr", "l1", "l2"), "some params exactly 0", seed)


def _smoothing_probe(n, c, smoothing, seed):
    gen = generator(500 + seed)
    return Case((torch.randn(n, c, generator=gen) * 2, torch.randint(c, (n,), generator=gen), smoothing),
                ("logits", "target", "smoothing"), f"smoothing={smoothing}", seed)


def _sgd_probe(seed):
    gen = generator(600 + seed)
    param = torch.tensor([-1.5, 0.0, 0.7, 2.0, 0.0, -0.3])
    return Case((param, torch.randn(6, generator=gen), 0.1, 0.3, 0.2), ("param", "grad", "lr", "l1", "l2"),
                "some params exactly 0", seed)


def _sgd_case(shape, seed):
    """Random params (some exactly 0) and gradients of `shape`: other values than _sgd_probe's at (6,)."""
    gen = generator(600 + seed)
    param = torch.randn(*shape, generator=gen).masked_fill(torch.rand(*shape, generator=gen) < 0.3, 0.0)
    return Case((param, torch.randn(*shape, generator=gen), 0.1, 0.3, 0.2), ("param", "grad", "lr", "l1", "l2"),
                "some params exactly 0", seed)


def _smoothing_contract():
    """C = 1 and C = 2, smoothing 0, 0.1 and 1, float16 and bfloat16, smoothing left to its default (float64)."""
    cases = [covering(_smoothing_probe(3, 1, 0.1, 10), "special:C = 1"),
             covering(_smoothing_probe(4, 2, 1.0, 11), "special:C = 2"), _smoothing_probe(3, 4, 0.0, 12)]
    cases += [in_dtype(_smoothing_probe(4, 5, 0.2, 13 + i), dtype)
              for i, dtype in enumerate((torch.float16, torch.bfloat16))]
    return cases + [omitting(in_dtype(_smoothing_probe(4, 5, 0.3, 15), torch.float64), 2)]


def _sgd_contract():
    """Every rank, l1 and l2 each alone, float16 and bfloat16, l1 and l2 left to their defaults (float64)."""
    gen = generator(650)
    cases = []
    for i, (shape, l1, l2) in enumerate([((5,), 0.5, 0.0), ((3, 4), 0.0, 0.9), ((2, 3, 2), 0.5, 0.9)]):
        param = torch.randn(*shape, generator=gen).masked_fill(torch.rand(*shape, generator=gen) < 0.3, 0.0)
        cases.append(covering(Case((param, torch.randn(*shape, generator=gen), 0.1, l1, l2),
                                   ("param", "grad", "lr", "l1", "l2"), "some params exactly 0", i),
                              f"form:{len(shape)}-D param", "special:params exactly 0"))
    cases += [in_dtype(_sgd_probe(10 + i), dtype) for i, dtype in enumerate((torch.float16, torch.bfloat16))]
    defaults = [omitting(in_dtype(_sgd_probe(seed), torch.float64), keep) for seed, keep in ((12, 4), (13, 3))]
    return cases + defaults


_SMOOTHING_CASES = smoothing_inputs()
_SGD_CASES = sgd_inputs()

LABEL_SMOOTHING = FunctionTask(
    call_name="label_smoothing_cross_entropy",
    reference=ref.label_smoothing_cross_entropy,
    outputs=("loss",),
    variants=BUGS["regularization.label_smoothing"],
    probes=lambda: [_smoothing_probe(4, 5, 0.2, 0), _smoothing_probe(3, 3, 0.5, 1)],
    confirm=kept_by_shape(lambda: (_smoothing_probe(12, 14, 0.1, 25), _smoothing_probe(12, 14, 0.1, 26))),
    degenerate=lambda case: "two classes or fewer" if case.args[0].size(-1) <= 2 else "",
    checks=[
        smoke(lambda: _smoothing_probe(2, 3, 0.1, 9)),
        matches_reference("matches F.cross_entropy(label_smoothing=...) for many N, C and smoothing",
                          _SMOOTHING_CASES),
        matches_reference("stable for logits up to 1e4", smoothing_inputs(magnitude=1e4),
                          extreme_codes=("stability",)),
        matches_on("C = 1 and 2, smoothing 0 and 1, float16 and bfloat16 (dtype kept), smoothing left to its default",
                   _smoothing_contract),
        repeated_calls(lambda: (_smoothing_probe(4, 5, 0.2, 20), _smoothing_probe(2, 3, 0.5, 21),
                                _smoothing_probe(4, 5, 0.2, 22))),
        gradients_match_reference(_SMOOTHING_CASES),
        follows_float64(_SMOOTHING_CASES),
        leaves_inputs_unchanged(_SMOOTHING_CASES),
        stays_on_device(lambda: _smoothing_probe(2, 3, 0.1, 9),
                        lambda: (_smoothing_probe(7, 11, 0.1, 23), _smoothing_probe(9, 13, 0.1, 24))),
    ],
)

SGD_L1_L2 = FunctionTask(
    call_name="sgd_step_l1_l2",
    reference=ref.sgd_step_l1_l2,
    outputs=("new_param",),
    variants=BUGS["regularization.l1_l2_step"],
    probes=lambda: [_sgd_probe(0), _sgd_probe(1)],
    confirm=kept_by_shape(lambda: (_sgd_case((12, 13), 24), _sgd_case((12, 13), 25))),
    checks=[
        smoke(lambda: _sgd_probe(9)),
        matches_reference("matches param - lr * (grad + l1 * sign(param) + l2 * param)", _SGD_CASES),
        matches_on("every rank, l1 and l2 alone, float16 and bfloat16 (dtype kept), l1 and l2 left to their defaults",
                   _sgd_contract),
        repeated_calls(lambda: (_sgd_probe(20), _sgd_contract()[2], _sgd_case((6,), 21))),
        follows_float64(_SGD_CASES),
        leaves_inputs_unchanged(_SGD_CASES),
        stays_on_device(lambda: _sgd_probe(9), lambda: (_sgd_case((7, 9), 22), _sgd_case((8, 11), 23))),
    ],
)


# --- dropout: graded on samples (grader/statistics.py) plus exact checks ------------------


def _dropout_case(x, p, training=True, note=""):
    return Case((x, p, training), ("x", "p", "training"), note)


def _drop(ctx, case) -> torch.Tensor:
    out = as_outputs(call_candidate(ctx, ctx.entry, case.args, case), ("output",))[0]
    if out.shape != case.args[0].shape:
        raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe output has shape {tuple(out.shape)}, expected "
                          f"{tuple(case.args[0].shape)}.", case, ("shape",))
    return out


def _exact(name: str, case_of, expected_of, code: str, explain: str) -> Check:
    """An exact property of each call `case_of(x)` lists: output == expected_of(x)."""

    def run(ctx):
        torch.manual_seed(ctx.seed)
        for case in case_of(torch.linspace(1.0, 2.0, 24, device=ctx.device).reshape(4, 6)):
            expected = expected_of(case.args[0].clone())  # before the call, from a copy: never from what it wrote
            out = _drop(ctx, case)
            if out.dtype != expected.dtype or not torch.equal(out.detach(), expected) or torch.isnan(out).any():
                raise CheckFailed(f"Called {describe_call(ctx, case)}.\n  got      {format_tensor(out)}\n"
                                  f"  expected {format_tensor(expected)}\n{explain}", case, (code,))

    return Check(name, run)


def drops_at_the_right_rate() -> Check:
    def run(ctx):
        from qkv.grader import statistics  # noqa: PLC0415 - scipy.stats takes ~0.8 s to import: only when needed

        torch.manual_seed(ctx.seed)
        outputs, cases = [], []
        for design in statistics.DROPOUT_CASES:
            case = covering(omitting(_dropout_case(design.make_input().to(ctx.device), design.p), 2),
                            f"form:{len(design.shape)}-D x", "special:mask independent along every dim")
            cases.append(case)
            outputs.append(_drop(ctx, case).detach().cpu())
        verdict = statistics.check_dropout(outputs)
        if not verdict.passed:
            lines = []
            for case, out, design in zip(cases, outputs, statistics.DROPOUT_CASES):
                law = statistics.dropout_hypotheses(design)[0].law
                failed = [r for r in statistics.dropout_tests(design.make_input(), out, law, statistics.dropout_alpha())
                          if not r.passed]
                if failed:
                    lines.append(f"Called {describe_call(ctx, case)}: expected units {law}.")
                    lines += [f"  {r.name}: {r.message}" for r in failed]
            raise CheckFailed("\n".join(lines), None, (verdict.code,) if verdict.code else ())

    return Check("drops each unit independently with probability p and scales kept ones by 1/(1-p) "
                 "(binomial tests, false-reject rate < 1e-6)", run)


def _structure(ctx, case) -> None:
    """Every unit of the output is 0 or x / (1 - p), rounded in x's dtype, and the dtype is x's."""
    x, p = case.args[0], case.args[1]
    out = _drop(ctx, case).detach()
    if out.dtype != x.dtype:
        raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe output is "
                          f"{str(out.dtype).removeprefix('torch.')}, expected {str(x.dtype).removeprefix('torch.')}: "
                          "a mask or constant built in float32 (torch.rand(x.shape), mask.float()) promotes the "
                          "result. Build the mask with torch.rand_like(x) or keep it boolean.", case, ("dtype",))
    expected = x.double() / (1 - p)
    kept = out != 0
    error = ((out.double() - expected).abs() / expected)[kept]
    allowed = 4 * torch.finfo(x.dtype).eps
    if torch.isnan(out).any() or (error.numel() and error.max().item() > allowed):
        raise CheckFailed(f"Called {describe_call(ctx, case)}.\nEvery unit must be 0 or x / (1 - p) = x * "
                          f"{1 / (1 - p):.6g}; one kept unit is off by a relative {error.max().item():.3g} "
                          f"(allowed: {allowed:.2g}, 4 ulps of {str(x.dtype).removeprefix('torch.')}).", case)


def keeps_dtype() -> Check:
    def run(ctx):
        torch.manual_seed(ctx.seed)
        for dtype in (torch.float16, torch.bfloat16, torch.float64):
            x = torch.linspace(1.0, 2.0, 2048, device=ctx.device).reshape(64, 32).to(dtype)
            _structure(ctx, _dropout_case(x, 0.25, note=str(dtype).removeprefix("torch.")))

    return Check("float16, bfloat16 and float64 keep their dtype; kept units are x / (1 - p) in that dtype", run)


def repeated_calls_keep_shapes() -> Check:
    def run(ctx):
        torch.manual_seed(ctx.seed)
        a = _dropout_case(torch.linspace(1.0, 2.0, 15, device=ctx.device).reshape(3, 5), 0.3)
        b = _dropout_case(torch.linspace(1.0, 2.0, 48, device=ctx.device).reshape(2, 4, 6), 0.6)
        for case in (a, b, b, a):
            _structure(ctx, case)
        COVERAGE.add("repeated")

    return Check("called twice with different inputs, in both orders, each output has its input's shape and scale",
                 run)


def gradient_is_mask_over_keep() -> Check:
    def run(ctx):
        torch.manual_seed(ctx.seed)
        x = torch.linspace(1.0, 2.0, 512, device=ctx.device).reshape(16, 32).requires_grad_()
        case = _dropout_case(x, 0.3)
        out = _drop(ctx, case)
        if not out.requires_grad:
            raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe output is not connected to x by autograd: "
                              "no gradient can flow back through your dropout.", case)
        upstream = torch.randn(x.shape, generator=generator(ctx.seed), device=ctx.device)
        grad, = torch.autograd.grad((out * upstream).sum(), x)
        expected = upstream * (out.detach() != 0) / 0.7
        if not torch.allclose(grad, expected, rtol=1e-5, atol=1e-6):
            raise CheckFailed(f"Called {describe_call(ctx, case)}, then backward with a random upstream gradient g.\n"
                              "d(loss)/dx should be g * mask / (1 - p), with the same mask as the forward pass; "
                              f"it differs by up to {(grad - expected).abs().max().item():.3g}.", case)

    return Check("the gradient is mask / (1 - p)", run)


def fresh_mask_each_call() -> Check:
    def run(ctx):
        torch.manual_seed(ctx.seed)
        x = torch.linspace(1.0, 2.0, 512, device=ctx.device).reshape(16, 32)
        case = _dropout_case(x, 0.5)
        first, second = (_drop(ctx, case) == 0 for _ in range(2))
        if torch.equal(first, second):
            raise CheckFailed(f"Called {describe_call(ctx, case)} twice.\nBoth calls dropped exactly the same units "
                              "(probability 2^-512 for independent masks): draw a new mask on every call, and do "
                              "not reseed the generator inside the function.", case)

    return Check("draws a fresh mask on every call", run)


_SMALL = lambda: _dropout_case(torch.linspace(1.0, 2.0, 24).reshape(4, 6), 0.3)  # noqa: E731

DROPOUT = sampled_task("dropout", checks=[
    _exact("eval mode returns x unchanged", lambda x: [_dropout_case(x, 0.5, False), _dropout_case(x, 1.0, False)],
           lambda x: x, "train-eval",
           "With training=False dropout is the identity, whatever p (p = 1 too): inverted dropout already "
           "rescaled during training."),
    _exact("p = 0 returns x unchanged", lambda x: [_dropout_case(x, 0.0)], lambda x: x, "edge",
           "Nothing is dropped and 1 / (1 - 0) = 1."),
    _exact("p = 1 returns zeros, not NaN", lambda x: [_dropout_case(x, 1.0)], torch.zeros_like, "edge",
           "Everything is dropped; x * 0 / (1 - 1) is 0 / 0 = NaN, so p = 1 needs its own branch."),
    drops_at_the_right_rate(),
    keeps_dtype(),
    repeated_calls_keep_shapes(),
    gradient_is_mask_over_keep(),
    fresh_mask_each_call(),
    leaves_inputs_unchanged(st.just(None).map(lambda _: _SMALL())),
    stays_on_device(_SMALL),
])


def training_off_by_default(ctx) -> list[str]:
    """`defaults` (grader.diagnosis): dropout(x, 0.5) with training left out returns x unchanged, where
    dropout(x, 0.5, True) drops units: the candidate's training defaults to False (the contract's is True)."""
    torch.manual_seed(ctx.seed)
    x = torch.linspace(1.0, 2.0, 512, device=ctx.device).reshape(16, 32)
    left_out = _drop(ctx, omitting(_dropout_case(x, 0.5), 2)).detach()
    passed = _drop(ctx, _dropout_case(x, 0.5)).detach()
    return ["defaults"] if torch.equal(left_out, x) and (passed == 0).any() else []


DROPOUT.confirm = training_off_by_default

TASKS = {"regularization.dropout": DROPOUT, "regularization.label_smoothing": LABEL_SMOOTHING,
         "regularization.l1_l2_step": SGD_L1_L2}
