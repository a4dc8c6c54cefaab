"""Known-bug variants of the initialisation exercises.

BUGS[exercise_id][code] lists plain functions with the reference's signature, each
making one classic mistake. Their output is random, so no value-by-value comparison
can name them: grader.statistics tests a filled tensor against the law each bug
predicts (the `fan`, `gain`, `bound` and `distribution` codes), and `inplace` is an
exact check (the function must fill and return the tensor it was given).
tests/test_statistics.py runs every variant here through the statistical tests. The
tasks (the checks) follow at the end of the module.
"""
from __future__ import annotations

import math

import torch

from qkv.grader import catalogue, statistics
from qkv.grader.checking import Case, CheckFailed, call_candidate, describe_call
from qkv.grader.exercises import sampled_task
from qkv.grader.properties import Check

from qkv.reference.initialization import fan_in_and_fan_out, kaiming_fan


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


# --- checks: initialisers are graded on samples, not value by value ----------------------


def init_case(exercise_id: str, tensor: torch.Tensor, kwargs: dict | None = None, all_args: bool = True,
              covers: tuple[str, ...] = ()) -> Case:
    """A call of the initialiser, positionally: the tensor, then every optional argument (`all_args`,
    defaults filled in) or only those up to the last one in `kwargs` (the rest left to the defaults)."""
    exercise = catalogue.get(exercise_id)
    kwargs = kwargs or {}
    values = {**exercise.defaults(), **kwargs}
    names = exercise.signature()
    keep = len(names) if all_args else 1 + max((names.index(k) for k in kwargs), default=0)
    omitted = tuple(f"omit:{name}" for name in names[keep:])
    return Case((tensor, *(values[name] for name in names[1:keep])), tuple(names[:keep]),
                extra={"covers": (*omitted, *covers)})


def fill(ctx, case: Case) -> torch.Tensor:
    """Call the candidate on `case`; return what it returned, which must be a tensor. Afterwards `case` holds
    a copy of the tensor as it was given (the caller's own tensor holds what the candidate made of it), so
    that a failure describes the input of the call, not its result (a float64 tensor, not the float32 one
    `tensor.data = ...` left)."""
    given = case.args[0].detach().clone() if isinstance(case.args[0], torch.Tensor) else case.args[0]
    try:
        returned = call_candidate(ctx, ctx.entry, case.args, case)
    finally:
        case.args = (given, *case.args[1:])
    if not isinstance(returned, torch.Tensor):
        raise CheckFailed(f"Called {describe_call(ctx, case)}.\nIt returned {type(returned).__name__}: an in-place "
                          "initialiser returns the tensor it filled (`return tensor`).", case, ("inplace",))
    return returned


def noncontiguous_note(tensor: torch.Tensor) -> str:
    return "" if tensor.is_contiguous() else f"a non-contiguous view, strides {tuple(tensor.stride())}"


def fills_in_place(exercise_id: str) -> Check:
    def run(ctx):
        # a plain tensor, then a transposed view (32, 64) of a (64, 32) one, as nn.Linear(32, 64).weight.t()
        for tensor in (torch.full((64, 32), math.nan, device=ctx.device),
                       torch.full((64, 32), math.nan, device=ctx.device).t()):
            case = init_case(exercise_id, tensor)
            case.note = noncontiguous_note(tensor)
            returned = fill(ctx, case)
            if torch.isnan(tensor).any():
                copy = "" if tensor.is_contiguous() else (
                    " This one is a transposed view, not contiguous: tensor.reshape(-1), tensor.contiguous() and "
                    "tensor.flatten() are copies of it then, and writing into a copy leaves it untouched.")
                raise CheckFailed(f"Called {describe_call(ctx, case)} on a tensor full of NaN.\nThe tensor you were "
                                  "given still holds NaN afterwards: fill it in place (tensor.uniform_ / normal_ / "
                                  f"copy_) instead of building a new one.{copy}", case, ("inplace",))
            if returned.data_ptr() != tensor.data_ptr() or returned.shape != tensor.shape:
                raise CheckFailed(f"Called {describe_call(ctx, case)}.\nIt filled the tensor but returned a different "
                                  "one: return the tensor you were given.", case, ("inplace",))

    return Check("fills the given tensor in place and returns it, a non-contiguous one too", run)


def works_on_a_parameter(exercise_id: str) -> Check:
    def run(ctx):
        parameter = torch.nn.Parameter(torch.empty(64, 32, device=ctx.device))
        case = init_case(exercise_id, parameter)
        case.note = "an nn.Parameter, requires_grad=True"
        returned = fill(ctx, case)
        if returned.grad_fn is not None or parameter.grad_fn is not None:
            raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe result carries autograd history "
                              f"({type(returned.grad_fn).__name__}): initialise under torch.no_grad().", case)

    return Check("fills an nn.Parameter without autograd history", run)


def keeps_dtype(exercise_id: str) -> Check:
    def run(ctx):
        for dtype in (torch.float64, torch.float16, torch.bfloat16):
            name = str(dtype).replace("torch.", "")
            tensor = torch.full((64, 32), math.nan, dtype=dtype, device=ctx.device)
            case = init_case(exercise_id, tensor)
            returned = fill(ctx, case)
            if torch.isnan(tensor).any():
                raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe {name} tensor you were given was left "
                                  "unfilled: fill it in place, keeping its dtype.", case, ("inplace",))
            if returned.dtype != dtype:
                raise CheckFailed(f"Called {describe_call(ctx, case)}.\nThe {name} tensor came back as "
                                  f"{str(returned.dtype).replace('torch.', '')}: keep the tensor's dtype.", case,
                                  ("dtype",))

    return Check("keeps the tensor's dtype (float64, float16 and bfloat16 stay so)", run)


def follows_the_target_law(exercise_id: str) -> Check:
    """The statistical tests of grader/statistics.py on one filled tensor per designed case."""

    def run(ctx):
        torch.manual_seed(ctx.seed)
        cases, samples = [], []
        for design in statistics.INIT_CASES[exercise_id]:
            tensor = design.make_tensor(ctx.device)
            case = init_case(exercise_id, tensor, design.kwargs, all_args=False,
                             covers=(f"form:{design.form}", *design.covers))
            case.note = noncontiguous_note(tensor)
            returned = fill(ctx, case)
            cases.append(case)
            samples.append(returned if not torch.isnan(returned).any() else tensor)
        verdict = statistics.check_init(exercise_id, samples)
        if not verdict.passed:
            lines = []  # per case, its own tests again (a case with NaN runs one test, the others several)
            for case, design, sample in zip(cases, statistics.INIT_CASES[exercise_id], samples):
                law = statistics.init_law(exercise_id, design)
                failed = [r for r in statistics.law_tests(sample, law, statistics.init_alpha(exercise_id))
                          if not r.passed]
                if failed:
                    lines.append(f"Called {describe_call(ctx, case)}: expected {law}.")
                    lines += [f"  {r.name}: {r.message}" for r in failed]
            raise CheckFailed("\n".join(lines), None, (verdict.code,) if verdict.code else ())

    return Check("the values follow the target distribution (std, KS and bound tests, false-reject rate < 1e-6)",
                 run)


def follows_the_law_on_small_tensors(exercise_id: str) -> Check:
    """statistics.SMALL_CASES, each filled SMALL_DRAWS times: every fill finite and not one repeated value
    (exact), then the pooled tests of statistics.check_small."""

    def run(ctx):
        torch.manual_seed(ctx.seed)
        samples = []
        for design in statistics.SMALL_CASES[exercise_id]:
            for _ in range(statistics.SMALL_DRAWS):
                tensor = design.make_tensor(ctx.device)
                case = init_case(exercise_id, tensor, design.kwargs, all_args=False)
                returned = fill(ctx, case)
                if torch.isnan(tensor).all():
                    raise CheckFailed(f"Called {describe_call(ctx, case)} on a tensor full of NaN.\nThe tensor you "
                                      "were given was left unfilled: small tensors are initialised like large "
                                      "ones.", case, ("inplace",))
                sample = (returned if not torch.isnan(returned).any() else tensor).detach().cpu()
                if torch.isfinite(sample).all() and (sample == sample.flatten()[0]).all():
                    raise CheckFailed(f"Called {describe_call(ctx, case)}.\nEvery value is "
                                      f"{sample.flatten()[0].item():.4g}: a small tensor needs draws from the same "
                                      f"law as a large one, {statistics.init_law(exercise_id, design)} here.", case)
                samples.append(sample)
        failed = [r for r in statistics.check_small(exercise_id, samples) if not r.passed]
        if failed:
            shapes = ", ".join(str(design.shape) for design in statistics.SMALL_CASES[exercise_id])
            raise CheckFailed(f"Filled {statistics.SMALL_DRAWS} tensors of each shape {shapes} and divided each "
                              "one's values by its target std (their law then has std 1, whatever the shape):\n"
                              + "\n".join(f"  {r.name}: {r.message}" for r in failed))

    return Check("small tensors (a 3x5 Linear weight, 1x1 and Conv1d kernels) follow the same law (pooled tests)", run)


def draws_fresh_values(exercise_id: str) -> Check:
    def run(ctx):
        torch.manual_seed(ctx.seed)  # once: the two calls draw from where the first left the generator
        first, second = (fill(ctx, init_case(exercise_id, torch.full((16, 8), math.nan, device=ctx.device)))
                         for _ in range(2))
        case = init_case(exercise_id, torch.full((16, 8), math.nan, device=ctx.device))
        if torch.equal(first.detach(), second.detach()):
            constant = (first == first.flatten()[0]).all()
            why = (f"every value is {first.flatten()[0].item():.4g}, in both" if constant else
                   "draw from the global generator (tensor.uniform_ / normal_, torch.rand without generator=) and "
                   "do not seed a generator inside the function")
            raise CheckFailed(f"Called {describe_call(ctx, case)} twice, on two fresh tensors, without reseeding "
                              "in between.\nBoth calls gave exactly the same values (independent draws of 128 "
                              f"values never do), so every layer of one shape would start identical: {why}.", case)

    return Check("draws fresh values on every call", run)


def truncated_normal(exercise_id: str):
    """Diagnosis (grader.diagnosis): a 256 x 256 fill whose largest value is ~2.27 standard deviations and
    whose values lie within half the largest for ~71.5% of them is a normal truncated at two standard
    deviations (Keras and JAX draw he_normal and glorot_normal so); a normal of 65,536 draws reaches
    past 4, a uniform stops at sqrt(3) with 50% inside half its bound."""

    def confirm(ctx) -> list[str]:
        x = fill(ctx, init_case(exercise_id, torch.empty(256, 256, device=ctx.device))).detach().double().cpu()
        peak = x.abs().max() / x.std()
        inside = (x.abs() < x.abs().max() / 2).double().mean()
        return ["truncated"] if 2.0 < peak < 2.6 and 0.66 < inside < 0.77 else []

    return confirm


def init_task(exercise_id: str, call_name: str):
    task = sampled_task(call_name, outputs=("tensor",), checks=[
        fills_in_place(exercise_id),
        works_on_a_parameter(exercise_id),
        keeps_dtype(exercise_id),
        follows_the_target_law(exercise_id),
        follows_the_law_on_small_tensors(exercise_id),
        draws_fresh_values(exercise_id),
    ])
    task.mutable = (0,)  # the tensor is filled in place
    if "truncated" in catalogue.get(exercise_id).codes:
        task.confirm = truncated_normal(exercise_id)
    return task


TASKS = {exercise_id: init_task(exercise_id, catalogue.get(exercise_id).entry_point)
         for exercise_id in statistics.INIT_CASES}
