"""The pieces every check is built from (child process only: imports torch).

A *check* is a small function with a name a candidate understands; it draws
inputs with hypothesis, calls the candidate, and raises `CheckFailed` with a
message in the exercism shape: what was called, what came back, what was expected.

Tolerance policy (dtype-aware): for each output we compute a float64 "golden"
answer with the reference and measure the error the reference itself makes in the
test dtype. A candidate passes when, element-wise,

    |candidate - golden| <= 8 * max|reference_in_dtype - golden| + 64 * eps(dtype) * (1 + |golden|)

i.e. a few times the reference's own error, with a floor of 64 ulps relative to the
value (16 ulps for float16 and bfloat16, whose ulp is already 2^-10 and 2^-7: there the
reference's own, measured error dominates). Shapes and dtypes must match exactly (nothing is broadcast), and a NaN or inf
where the golden answer is finite fails.
"""
from __future__ import annotations

import contextlib
import copy
import re
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from qkv.grader import forbid, remote

REFERENCE_ERROR_FACTOR = 8
ULP_FLOOR = 64
HALF_ULP_FLOOR = 16  # float16, bfloat16

COVERAGE: set[str] = set()  # contract dimensions (grader/contracts.py) the current grade has drawn


class CheckFailed(Exception):
    """A check's verdict: the candidate's behaviour is wrong on `case`."""

    def __init__(self, message: str, case: "Case | None" = None, codes: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.case = case
        self.codes = codes
        self.extreme_codes: tuple[str, ...] = ()  # kept only if the candidate is right on typical inputs
        self.crashed = False  # candidate code raised: its codes are a guess from the error message
        self.title = ""  # what failed, when it is narrower than the check's name
        self.degenerate = ""  # why the smallest failing input is a special size (`typical` then shows more)
        self.typical: CheckFailed | None = None  # the same property failing on a typical, non-degenerate input


class Inconclusive(Exception):
    """The check cannot decide (e.g. data-dependent code on the meta device): counted as passed."""


class NotImplementedYet(BaseException):
    """The candidate's entry point raised NotImplementedError: an untouched starter."""


@dataclass
class Case:
    """One drawn input: positional arguments in contract order, plus a few words on what it is."""

    args: tuple
    names: tuple[str, ...]
    note: str = ""
    seed: int = 0
    extra: dict = field(default_factory=dict)  # exercise-specific facts (mask kind, lengths, ...)

    def describe(self, values: bool = True) -> str:
        parts = [f"{name}={describe_value(a, values)}" for name, a in zip(self.names, self.args)]
        text = ", ".join(parts)
        return f"{text}   [{self.note}]" if self.note else text


def describe_value(value: Any, values: bool = True) -> str:
    if isinstance(value, torch.Tensor):
        head = f"{str(value.dtype).replace('torch.', '')} {tuple(value.shape)}"
        if values and value.device.type != "meta" and value.numel() <= 12:
            return f"{head} {format_tensor(value)}"
        return head
    return repr(value)


def format_tensor(t: torch.Tensor, digits: int = 4) -> str:
    """Nested-list text of a small tensor, `digits` significant digits."""
    t = t.detach().cpu()
    if t.dim() == 0:
        return f"{t.item():.{digits}g}" if t.is_floating_point() else str(int(t.item()))
    return "[" + ", ".join(format_tensor(row, digits) for row in t) + "]"


def distinct_digits(a: float, b: float, least: int = 6) -> int:
    """The fewest significant digits (at least `least`, at most 17) that print a and b differently."""
    return next((d for d in range(least, 18) if f"{a:.{d}g}" != f"{b:.{d}g}"), 17)


@dataclass
class Context:
    """What every check needs: the task, the candidate's entry point and the run settings."""

    task: Any  # grader.exercises.Task
    entry: Any  # the candidate's function or class
    device: torch.device
    seed: int
    max_examples: int
    candidate_path: str


# --- calling the candidate -------------------------------------------------------------

def record(case: Case | None) -> None:
    """Add the contract dimensions `case` exercises to COVERAGE: its float dtypes, the parameters it
    passes (with their values when they are plain values) and its own `covers` labels."""
    if case is None:
        return
    COVERAGE.update(case.extra.get("covers", ()))
    for name, a in zip(case.names, case.args):
        COVERAGE.add(f"pass:{name}")
        if isinstance(a, torch.Tensor):
            if a.is_floating_point():
                COVERAGE.add(f"dtype:{str(a.dtype).removeprefix('torch.')}")
        elif isinstance(a, (bool, int, float, str)):
            COVERAGE.add(f"value:{name}={a!r}")


def call_candidate(ctx: Context, fn: Callable, args: tuple, case: Case | None, *, copies: bool = False):
    """Call candidate code (in the worker); turn what went wrong there into a readable CheckFailed.

    An argument the call changed in place fails the check (code `inplace`) unless the exercise's contract
    lets it (`Task.mutable`: batch norm's running statistics, an initialiser's tensor), and is put back as
    it was first: no check, and no reference, ever reads a value the candidate wrote into the grader's
    tensors. `copies`: the arguments are copies made for this call alone (diagnosis), which it may change."""
    record(case)
    with remote.recording_changes() as changes:
        try:
            result = fn(*args)
        except remote.CandidateError as exc:
            raise _candidate_error(ctx, exc.info, case) from None
        except remote.OddValue as exc:
            raise CheckFailed(f"Called {describe_call(ctx, case)}.\nYour code returned {exc}: return plain "
                              "torch.Tensor results (no subclass, no sparse or nested tensors).", case) from None
        except (CheckFailed, forbid.ForbiddenCall, remote.WorkerGone):
            raise
        finally:
            allowed = range(len(args)) if copies else getattr(ctx.task, "mutable", ())
            undone = remote.undo_changes(changes, args, allowed)
    if undone:
        names = case.names if case is not None else ()
        name = names[undone[0]] if undone[0] < len(names) else f"argument {undone[0] + 1}"
        raise CheckFailed(f"Called {describe_call(ctx, case)}.\nYour code modified its input `{name}` in place (e.g. "
                          "masked_fill_, +=, .data, a numpy view, or assigning into a slice of an argument). Work on "
                          "a copy or use the out-of-place version.", case, ("inplace",))
    return result


SHAPE_ERROR = re.compile(r"size|shape|dimension|out of range|mat1 and mat2|broadcast|expand", re.IGNORECASE)
INPLACE_ERROR = re.compile(r"leaf Variable that requires grad is being used in an in-place", re.IGNORECASE)
FILL_OVERFLOW_ERROR = re.compile(r"value cannot be converted to type \S*Half without overflow")


def _candidate_error(ctx: Context, info: dict, case: Case | None) -> BaseException:
    """An exception from candidate code as a verdict; errors about sizes usually mean the `shape` bug
    (code that works for some shapes only, e.g. assumes Lq == Lk or a fixed number of dims)."""
    if info["type"] == "NotImplementedError" and info["raised_in_candidate"]:
        return NotImplementedYet()  # the starter's own `raise NotImplementedError`
    if info["exit_code"] is not None:
        return CheckFailed(f"Your code called sys.exit({info['exit_code']}) when called with "
                           f"{describe_call(ctx, case)}. A function under test must return its result, never exit.",
                           case)
    if info["memory"]:
        return CheckFailed(f"Your code went over the memory limit when called with {describe_call(ctx, case)}: "
                           f"{info['type']}: {info['message'][:300]}\nThe worker that runs your code may use a "
                           "limited amount of memory (4 GiB by default, --memory to change it): look for a tensor "
                           "far larger than the inputs.", case)
    where = "".join(f"\n  at {file}:{line}: {text.strip()}" for file, line, text in info["frames"])
    codes = ("inplace",) if INPLACE_ERROR.search(info["message"]) else \
        ("fill-overflow",) if FILL_OVERFLOW_ERROR.search(info["message"]) else \
        ("shape",) if SHAPE_ERROR.search(info["message"]) else ()
    failure = CheckFailed(f"Your code raised {info['type']}: {_tidy_message(info['message'])}{where}\n"
                          f"when called with {describe_call(ctx, case)}.", case, codes)
    failure.crashed = True
    return failure


def _tidy_message(message: str, max_lines: int = 12) -> str:
    """An exception message as the report shows it: runs of blank lines collapsed, at most `max_lines` lines
    (the worker already caps its length), so a message cannot push the report off the screen."""
    lines: list[str] = []
    for line in message.splitlines():
        if line.strip() or not lines or lines[-1].strip():
            lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def describe_call(ctx: Context, case: Case | None) -> str:
    if case is None:
        return "the exercise's inputs"
    return ctx.task.call_text(case)


# --- comparing outputs -----------------------------------------------------------------

def as_outputs(value: Any, names: tuple[str, ...]) -> tuple:
    """Split a return value into the named outputs, or explain why it cannot be."""
    if len(names) == 1:
        value = (value,)
    elif not isinstance(value, (tuple, list)) or len(value) != len(names):
        got = f"a {type(value).__name__}" + (f" of {len(value)} items" if isinstance(value, (tuple, list)) else "")
        raise CheckFailed(f"Expected a tuple ({', '.join(names)}), but your code returned {got}.", codes=("shape",))
    for name, item in zip(names, value):
        if not isinstance(item, torch.Tensor):
            raise CheckFailed(f"`{name}` should be a torch.Tensor, but your code returned {type(item).__name__}.",
                              codes=("dtype",))
    return tuple(value)


def tolerance(golden: torch.Tensor, reference: torch.Tensor, condition: float = 0.0) -> torch.Tensor:
    """Element-wise allowed |candidate - golden| (see the module docstring). `condition` bounds how much
    the problem itself amplifies rounding of its inputs (e.g. 4 * max|score| for a softmax): a correct
    implementation may lose that much even where the reference is lucky."""
    eps = torch.finfo(reference.dtype).eps
    floor = HALF_ULP_FLOOR if reference.dtype in (torch.float16, torch.bfloat16) else ULP_FLOOR
    ref_err = (reference.double() - golden).abs()
    ref_err = ref_err[torch.isfinite(ref_err)].max() if torch.isfinite(ref_err).any() else golden.new_tensor(0.0)
    return REFERENCE_ERROR_FACTOR * ref_err + (floor + condition) * eps * (1 + golden.abs())


@dataclass
class Mismatch:
    text: str
    code: str | None = None  # the diagnosis this kind of difference always means
    nonfinite: bool = False  # NaN or inf where the expected value is finite


def mismatch(name: str, got: torch.Tensor, golden: torch.Tensor, reference: torch.Tensor,
             condition: float = 0.0) -> Mismatch | None:
    """How `got` differs from the expected output, or None when it matches."""
    if tuple(got.shape) != tuple(reference.shape):
        return Mismatch(f"`{name}` has shape {tuple(got.shape)}, expected {tuple(reference.shape)}.", "shape")
    if got.dtype != reference.dtype:
        return Mismatch(f"`{name}` has dtype {str(got.dtype).replace('torch.', '')}, expected "
                        f"{str(reference.dtype).replace('torch.', '')}.", "dtype")
    if got.device != reference.device:
        return Mismatch(f"`{name}` is on {got.device}, expected {reference.device} (the inputs' device).", "device")
    return _value_mismatch(name, got, golden, reference, condition)


def _value_mismatch(name: str, got: torch.Tensor, golden: torch.Tensor, reference: torch.Tensor,
                    condition: float) -> Mismatch | None:
    got, golden_cpu = got.detach().cpu(), golden.detach().cpu()
    if got.dtype == torch.bool or not got.is_floating_point():
        wrong = got != golden_cpu.to(got.dtype)
        if not wrong.any():
            return None
        index = tuple(torch.nonzero(wrong)[0].tolist())
        return Mismatch(f"`{name}` differs from the expected value at {int(wrong.sum())} of {got.numel()} positions, "
                f"first at index {index}: got {got[index].item()}, expected {golden_cpu[index].item()}.\n"
                f"  got      {format_tensor(got) if got.numel() <= 64 else '(large)'}\n"
                f"  expected {format_tensor(golden_cpu.to(got.dtype)) if got.numel() <= 64 else '(large)'}")
    bad_nan = ~torch.isfinite(got) & torch.isfinite(golden_cpu)
    if bad_nan.any():
        index = tuple(torch.nonzero(bad_nan)[0].tolist())
        return Mismatch(f"`{name}` contains {got[index].item()} at index {index} where the expected value is "
                        f"{golden_cpu[index].item():.6g}.", nonfinite=True)
    allowed = tolerance(golden_cpu, reference.detach().cpu(), condition)
    error = (got.double() - golden_cpu).abs()
    error = torch.where(torch.isfinite(golden_cpu), error, torch.zeros_like(error))
    excess = error - allowed
    if (excess <= 0).all():
        return None
    index = tuple(torch.nonzero(excess == excess.max())[0].tolist())
    a, b = got[index].item(), golden_cpu[index].item()
    digits = distinct_digits(a, b)  # enough to see the difference
    text = (f"`{name}` differs from the expected value by up to {error.max().item():.3g} "
            f"(allowed here: {allowed[index].item():.2g}); at index {index} got {a:.{digits}g}, "
            f"expected {b:.{digits}g}.")
    if got.numel() <= 24:
        digits = distinct_digits(a, b, least=4)
        text += f"\n  got      {format_tensor(got, digits)}\n  expected {format_tensor(golden_cpu, digits)}"
    return Mismatch(text)


# --- hypothesis -------------------------------------------------------------------------

def _draw_no_local_constants() -> None:
    """Keep hypothesis from mixing constants read from this process's own modules into its draws.

    Hypothesis (6.131 and later) sometimes draws, instead of a random value, a constant it found in
    the source of the "local" modules in sys.modules (any not under site-packages or the standard
    library), and collects them again whenever sys.modules grows. Here those modules are qkv's own
    (from a checkout), imported lazily as grades go (grader.diagnosis, an exercise's checks): the
    same file at the same seed then drew other inputs in a process's first grade than in the next
    ones (`qkv watch` keeps one process), other inputs from a checkout than from an installed wheel,
    and other inputs whenever an unrelated line of the grader changed. A grade must depend on the
    file, exercise, seed and options only: the pool of local constants stays empty. (The candidate's
    code never runs in this process, so its constants were never in the pool anyway.)"""
    try:
        from hypothesis.internal.conjecture import providers  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a hypothesis without the module draws no such constants
        return
    if callable(getattr(providers, "_get_local_constants", None)):
        empty = providers._local_constants.__class__()
        providers._get_local_constants = lambda: empty  # HypothesisProvider looks it up on every input
        cache = getattr(providers, "CONSTANTS_CACHE", None)  # the allowed constants per kind of draw,
        if cache is not None:  # from local ones collected before this module was imported
            cache.cache.clear()


_draw_no_local_constants()


def for_all(ctx: Context, strategy: st.SearchStrategy, prop: Callable[[Any], None], examples: int | None = None):
    """Run `prop` on up to `examples` drawn inputs; on failure hypothesis shrinks to the
    smallest failing input and the CheckFailed raised on it propagates. When that input is a
    degenerate size (the task's `degenerate`: D = 1, Lq = 1, ...), where a mistake often shows
    as something else (a crash, NaN, a constant softmax), the property runs again on typical
    sizes only, and the failure found there goes along as `typical`."""
    try:
        _for_all(ctx, strategy, prop, examples)
    except CheckFailed as failure:
        why = failure.case is not None and ctx.task.degenerate(failure.case)
        if why:
            failure.degenerate = why
            try:
                _for_all(ctx, strategy.filter(lambda case: not ctx.task.degenerate(case)), prop, examples)
            except CheckFailed as typical:
                failure.typical = typical
        raise


def _for_all(ctx: Context, strategy: st.SearchStrategy, prop: Callable[[Any], None], examples: int | None):
    examples = examples or ctx.max_examples
    key = (id(strategy), ctx.seed, examples)
    known = DRAWN.get(key)
    if known is not None and known[0] is strategy:
        _replay(ctx, strategy, prop, examples, known[1])
        return
    drawn: list | None = []

    def recording(case):
        nonlocal drawn
        if drawn is not None:
            try:
                drawn.append(copy.deepcopy(case))  # as drawn: before the property changes it
            except Exception:  # noqa: BLE001 - an input that cannot be copied: this run is not kept
                drawn = None
        prop(case)

    _hypothesis(ctx, strategy, recording, examples)
    if drawn is not None:  # every input passed: this is the run's whole sequence
        if len(DRAWN) >= 256:
            DRAWN.clear()
        DRAWN[key] = (strategy, drawn)


# What a passing run drew, per (strategy, seed, number of examples), in this process (`qkv watch` grades
# again and again). With a seed, hypothesis draws the same inputs in the same order whenever every one
# passes (what it draws next depends only on the seed and on which draws failed), so a later run checks
# these copies in order instead of drawing them again (most of the grading process's time); at the first
# failure it hands over to hypothesis exactly where that run would have been. Inputs only: nothing of a
# candidate's, which may have passed or failed on them.
DRAWN: dict[tuple, tuple] = {}


def _replay(ctx: Context, strategy: st.SearchStrategy, prop: Callable[[Any], None], examples: int,
            drawn: list) -> None:
    failures = _hypothesis_failures()
    reseed = _reseeding()
    with _deterministic_prng():  # the global generators get their states back at the end, as after hypothesis
        for done, case in enumerate(drawn):
            try:
                if reseed is not None:  # each example starts with them seeded, as under hypothesis
                    reseed()
                    prop(copy.deepcopy(case))
                else:
                    with _deterministic_prng():
                        prop(copy.deepcopy(case))
            except failures as exc:
                failure = exc
                break
        else:
            return
    # Hypothesis from the start: it draws the same inputs; those that ran already in this grade are not
    # run again (the candidate sees each call once, as without the copies), the one that failed fails
    # again, and shrinking goes on from there as usual.
    calls = iter(range(2**62))

    def resuming(case):
        index = next(calls)
        if index < done:
            return
        if index == done:
            raise failure
        prop(case)

    _hypothesis(ctx, strategy, resuming, examples)


def _hypothesis_failures() -> tuple:
    """The exceptions hypothesis counts as a failing example (and shrinks); any other propagates at once."""
    try:
        from hypothesis.core import failure_exceptions_to_catch  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return (Exception, SystemExit, GeneratorExit)
    return failure_exceptions_to_catch()


def _reseeding() -> Callable[[], None] | None:
    """What hypothesis's deterministic_PRNG() does to the global generators it manages (random's, numpy's,
    any registered) before each example, without saving and restoring their states each time (numpy's
    cost most of a replayed example): None where hypothesis does it some other way."""
    try:
        from random import Random  # noqa: PLC0415

        from hypothesis.internal.entropy import RANDOMS_TO_MANAGE, _seeded_state  # noqa: PLC0415

        seeded = _seeded_state(0)[0]
        managed = RANDOMS_TO_MANAGE.data
    except (ImportError, AttributeError, TypeError):  # pragma: no cover
        return None

    def reseed() -> None:
        for ref in list(managed.values()):
            rng = ref()
            if rng is None:
                continue
            if type(rng) is Random:
                rng.setstate(seeded)
            else:
                rng.seed(0)

    return reseed


def _deterministic_prng():
    try:
        from hypothesis.internal.entropy import deterministic_PRNG  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return deterministic_PRNG()


def _hypothesis(ctx: Context, strategy: st.SearchStrategy, prop: Callable[[Any], None], examples: int):
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
              phases=(Phase.explicit, Phase.generate, Phase.shrink), print_blob=False)
    @hypothesis_seed(ctx.seed)
    @given(strategy)
    def run(case):
        prop(case)

    run()


def tensor_seed() -> st.SearchStrategy[int]:
    """The seed a case builds its tensors from; shrinks towards 0."""
    return st.integers(0, 2**32 - 1)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def is_float_tensor(x: Any) -> bool:
    return isinstance(x, torch.Tensor) and x.is_floating_point()


def map_tensors(fn: Callable[[torch.Tensor], torch.Tensor], args: tuple) -> tuple:
    return tuple(fn(a) if isinstance(a, torch.Tensor) else a for a in args)


def to_double(args: tuple) -> tuple:
    return map_tensors(lambda t: t.double() if t.is_floating_point() else t, args)
