"""Checks shared by every exercise: each is a factory taking the inputs to draw and
returning a `Check` whose name says, in a candidate's words, what it verifies.

Exercise modules (grader/exercises/) compose these with their own strategies and add
the properties specific to them.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Callable

import torch
from hypothesis import strategies as st

from qkv.grader import devices, remote
from qkv.grader.checking import (COVERAGE, CheckFailed, Context, Inconclusive, as_outputs, call_candidate,
                             describe_call, for_all, generator, is_float_tensor, map_tensors, mismatch, to_double)


# The check (attention.sdpa, attention.mha, masking.masked_softmax) that finds a finite fill such as -1e4
HUGE_SCORES = "masked entries get no weight even for scores of magnitude 1e5 and more"


@dataclass
class Check:
    name: str
    run: Callable[[Context], None]


def on_device(ctx: Context, args: tuple) -> tuple:
    """Copies of the tensors on the grading device: a candidate that modifies its inputs in place
    cannot change what the reference or a later call sees (only `leaves_inputs_unchanged` looks)."""
    return map_tensors(lambda t: t.detach().to(ctx.device, copy=True), args)


def run_candidate(ctx: Context, case, args: tuple | None = None):
    """(bound, outputs) for the candidate on `case` (moved to the grading device)."""
    bound = ctx.task.bind(ctx, case)
    args = on_device(ctx, bound.args if args is None else args)
    outputs = as_outputs(call_candidate(ctx, bound.candidate, args, case), ctx.task.outputs)
    return bound, outputs


def expected_outputs(ctx: Context, bound, args: tuple):
    """(golden float64 outputs, reference outputs in the test dtype) for `args`."""
    if bound.reference is None:
        raise Inconclusive(bound.why_no_reference)
    with torch.no_grad():
        golden = as_outputs(bound.reference(*to_double(args)), ctx.task.outputs)
        reference = as_outputs(bound.reference(*args), ctx.task.outputs)
    return golden, reference


def compare_outputs(ctx: Context, case, outputs, golden, reference, what: str = "",
                    nonfinite_codes: tuple[str, ...] = ()) -> None:
    for name, got, gold, ref in zip(ctx.task.outputs, outputs, golden, reference):
        problem = mismatch(name, got, gold, ref, case.extra.get("condition", 0.0))
        if problem:
            codes = (problem.code,) if problem.code else nonfinite_codes if problem.nonfinite else ()
            raise CheckFailed(f"Called {describe_call(ctx, case)}{what}.\n{problem.text}", case, codes)


def smoke(case: Callable[[], object]) -> Check:
    """The first check: one small call, so an untouched starter or a forbidden function is found at once."""

    def run(ctx: Context) -> None:
        the_case = case()
        bound, outputs = run_candidate(ctx, the_case)
        golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
        for name, got, ref in zip(ctx.task.outputs, outputs, reference):
            if tuple(got.shape) != tuple(ref.shape):
                raise CheckFailed(f"Called {describe_call(ctx, the_case)}.\n`{name}` has shape {tuple(got.shape)}, "
                                  f"expected {tuple(ref.shape)}.", the_case, ("shape",))

    return Check("runs on a small input and returns the right shapes", run)


def matches_reference(name: str, cases: st.SearchStrategy, nonfinite_codes: tuple[str, ...] = (),
                      extreme_codes: tuple[str, ...] = ()) -> Check:
    """Values against the float64 reference. `nonfinite_codes` name the cause of a NaN or inf here;
    `extreme_codes` name the cause of any failure here when the candidate is right on typical
    inputs (e.g. `stability` for a check on large magnitudes; see grader.diagnosis)."""

    def run(ctx: Context) -> None:
        def prop(case):
            bound, outputs = run_candidate(ctx, case)
            golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
            try:
                compare_outputs(ctx, case, outputs, golden, reference, nonfinite_codes=nonfinite_codes)
            except CheckFailed as failure:
                failure.extreme_codes = extreme_codes
                raise

        for_all(ctx, cases, prop)

    return Check(name, run)


def gradients_match_reference(cases: st.SearchStrategy) -> Check:
    """Backward with a random upstream gradient; compare d(output)/d(every float input)."""

    def run(ctx: Context) -> None:
        def prop(case):
            bound = ctx.task.bind(ctx, case)
            if bound.reference is None:
                raise Inconclusive(bound.why_no_reference)
            args = on_device(ctx, bound.args)
            leaves = [i for i, a in enumerate(args) if is_float_tensor(a) and i not in bound.frozen]

            def grads(fn, inputs, candidate):  # on copies: what the candidate writes reaches no other call
                inputs = tuple(a.detach().clone().requires_grad_() if i in leaves else
                               a.clone() if isinstance(a, torch.Tensor) else a for i, a in enumerate(inputs))
                out = call_candidate(ctx, fn, inputs, case) if candidate else fn(*inputs)
                out = [o for o in as_outputs(out, ctx.task.outputs) if o.is_floating_point()]
                if candidate and not any(o.requires_grad for o in out):
                    raise CheckFailed(f"Called {describe_call(ctx, case)}: the output is not connected to the inputs "
                                      "by autograd, so no gradient can flow back. Did you call .detach(), .item(), "
                                      ".numpy(), or build a new tensor with torch.tensor(...)?", case)
                gen = generator(case.seed + 1)  # the same upstream gradient for candidate and reference
                upstream = [torch.randn(o.shape, generator=gen, dtype=torch.float64).to(o) for o in out]
                # A scalar loss <output, upstream>: backward from it seeds each output with its upstream
                # gradient (and, unlike grad_outputs=, does not import sympy on the first call).
                loss = sum((o * u).sum() for o, u in zip(out, upstream) if o.requires_grad)
                got = torch.autograd.grad(loss, [inputs[i] for i in leaves], allow_unused=True)
                return [torch.zeros_like(inputs[i]) if g is None else g for i, g in zip(leaves, got)]

            got = grads(bound.candidate, args, candidate=True)
            golden = grads(bound.reference, to_double(args), candidate=False)
            reference = grads(bound.reference, args, candidate=False)
            for i, g, gold, ref in zip(leaves, got, golden, reference):
                name = bound.names[i]
                problem = mismatch(f"d(loss)/d({name})", g, gold, ref)
                if problem:
                    unused = g.shape == gold.shape and not g.any() and gold.any()
                    note = (f"\n`{name}` gets no gradient at all on this input: here your output does not depend "
                            "on it.") if unused else ""
                    raise CheckFailed(f"Called {describe_call(ctx, case)}, then backward with a random upstream "
                                      f"gradient.\n{problem.text}{note}", case)

        for_all(ctx, cases, prop)

    return Check("gradients match the reference", run)


def leaves_inputs_unchanged(cases: st.SearchStrategy) -> Check:
    """Every call fails when it changes an argument in place (grader.checking.call_candidate compares the
    bytes); this check makes only such calls, so that a candidate right everywhere else still fails."""

    def run(ctx: Context) -> None:
        def prop(case):
            bound = ctx.task.bind(ctx, case)
            call_candidate(ctx, bound.candidate, on_device(ctx, bound.args), case)

        for_all(ctx, cases, prop, examples=min(ctx.max_examples, 10))

    return Check("leaves its inputs unchanged", run)


def follows_float64(cases: st.SearchStrategy) -> Check:
    """float64 inputs (and weights) must give float64 outputs, matching the float64 reference."""

    def run(ctx: Context) -> None:
        def prop(case):
            case.args = to_double(case.args)
            bound = ctx.task.bind(ctx, case)
            args = to_double(on_device(ctx, bound.args))
            golden, reference = expected_outputs(ctx, bound, args)  # before the call: it may change args in place
            outputs = as_outputs(call_candidate(ctx, bound.candidate, args, case), ctx.task.outputs)
            try:
                compare_outputs(ctx, case, outputs, golden, reference, " in float64")
            except CheckFailed as failure:  # say which half failed: the dtype, or the values
                failure.title = ("float64 inputs give float64 outputs" if "dtype" in failure.codes else
                                 "float64 inputs: the values differ from the float64 reference")
                raise

        for_all(ctx, cases, prop, examples=min(ctx.max_examples, 10))

    return Check("float64 inputs give float64 outputs as accurate as float64", run)


def nearly_equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal up to float rounding from a different order of operations."""
    if a.shape != b.shape:
        return False
    rtol = 1e-4 if a.dtype != torch.float64 else 1e-9
    return torch.allclose(a.detach(), b.detach(), rtol=rtol, atol=rtol / 10, equal_nan=True)


def metamorphic(name: str, cases: st.SearchStrategy, transform: Callable, relation: Callable,
                examples: int | None = None) -> Check:
    """A property that needs no reference: change the inputs with `transform(case, args) -> (args, what)`
    and require `relation(case, before, after) -> problem | None` of the first output. `examples` caps
    the draws (at most the run's --max-examples) where the reference comparison already implies it."""

    def run(ctx: Context) -> None:
        def prop(case):
            bound, before = run_candidate(ctx, case)
            changed, what = transform(case, on_device(ctx, bound.args))
            # the same candidate again (one module instance for a class: a correct module has no state
            # between calls, and one that keeps some fails here as it does in the repeated-call check)
            after = as_outputs(call_candidate(ctx, bound.candidate, on_device(ctx, changed), case), ctx.task.outputs)
            problem = relation(case, before[0], after[0])
            if problem:
                raise CheckFailed(f"Called {describe_call(ctx, case)}, then again after {what}.\n{problem}", case)

        for_all(ctx, cases, prop, examples=min(ctx.max_examples, examples or ctx.max_examples))

    return Check(name, run)


def stays_on_device(case: Callable[[], object], fresh: Callable[[], tuple] | None = None) -> Check:
    """On a CPU-only machine: run once on `meta` tensors and flag ops that mix devices; when that run
    cannot decide (the code reads data), again on real data tagged as another device (grader/devices.py).
    On CUDA the other checks already run on the GPU; this one runs there too.

    `fresh()` gives two cases of `case`'s kind at shapes no other check uses. On the CPU the grade calls
    the candidate on CPU data first, so a tensor it keeps between calls (a mask cached by shape) is a CPU
    tensor when the watched call comes: that mix is kept state, not code that creates tensors on the
    wrong device. It is told apart on the fresh cases: the first runs watched before any call at its
    shapes, the second runs watched right after a plain call at its shapes. When only the second
    mixes, the check fails with `state` (named only if grader.diagnosis confirms it), not `device`."""

    def watched(ctx: Context, the_case) -> str | None:
        """None when the candidate creates nothing on the wrong device on `the_case`, else the failure."""
        bound = ctx.task.bind(ctx, the_case)
        target = ctx.device if ctx.device.type == "cuda" else torch.device("meta")
        # On the CPU the data goes along: the worker runs on meta copies, then on tagged real data if the
        # meta run cannot decide (grader/devices.py).
        args = map_tensors(lambda t: t.to(ctx.device), bound.args)
        args = ctx.task.device_args(args, target)
        the_case.args = args[:len(the_case.args)]
        try:
            outputs, mixed = devices.run_watching_devices(
                lambda: call_candidate(ctx, bound.candidate, args, the_case), target)
        except devices.Unverifiable as exc:
            raise CheckFailed(f"Called {describe_call(ctx, the_case)} with every input on another device.\n"
                              f"Your code could not run there: {exc}\nOn a GPU, code that needs the data on "
                              "the CPU (.numpy(), a Python loop over a tensor's values) fails or copies.",
                              the_case) from None
        if mixed:
            return (f"Called {describe_call(ctx, the_case)} with every input on the {target.type} device.\n"
                    f"{mixed}\nOn a GPU this raises 'Expected all tensors to be on the same device'.")
        for name, out in zip(ctx.task.outputs, as_outputs(outputs, ctx.task.outputs)):
            if any(out is a for a in args):  # an input itself, returned: on the inputs' device
                continue
            if out.device.type != target.type:
                return (f"Called {describe_call(ctx, the_case)} with every input on the {target.type} device.\n"
                        f"`{name}` came back on {out.device}: results must stay on the inputs' device.")
        return None

    def kept_from_before(ctx: Context) -> bool:
        """The fresh cases show the mix comes from what an earlier call left behind (see above)."""
        if fresh is None or ctx.device.type == "cuda":
            return False
        first, second = fresh()
        try:
            if watched(ctx, first) is not None:
                return False
            plain = copy.copy(second)
            run_candidate(ctx, plain)  # a plain call on the grading device at the second case's shapes
            return watched(ctx, second) is not None
        except CheckFailed:
            return False

    def run(ctx: Context) -> None:
        the_case = case()
        problem = watched(ctx, the_case)
        if problem and kept_from_before(ctx):
            raise CheckFailed(f"{problem}\nThe tensor on the other device was kept from an earlier call: at shapes "
                              "it had not seen, your code ran on that device without mixing, but right after a call "
                              "on the CPU with the same shapes it mixed. A tensor kept between calls (cached by shape, "
                              "say) goes stale when the device or the values change: compute it from each call's "
                              "inputs.", the_case, ("state",))
        if problem:
            raise CheckFailed(problem, the_case, ("device",))

    return Check("creates nothing on the wrong device", run)


# --- the contract's dimensions (grader/contracts.py), drawn deterministically -------------------


def matches_on(name: str, cases: Callable[[], list], extreme_codes: tuple[str, ...] = ()) -> Check:
    """Each of `cases()` against the float64 reference, in its own dtype: fixed cases, one or more per
    dimension of the contract (a dtype, a rank or broadcast form, omitted defaults, a long input), so a
    default grade draws every one of them whatever the seed. `extreme_codes`: as in matches_reference.
    They run under torch.no_grad() (the drawn checks run with gradients on): code that computes otherwise
    when gradients are off (a path for inference) is graded there too."""

    def run(ctx: Context) -> None:
        for case in map(without_grad, cases()):
            with torch.no_grad():
                bound, outputs = run_candidate(ctx, case)
            golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
            try:
                compare_outputs(ctx, case, outputs, golden, reference)
            except CheckFailed as failure:
                failure.extreme_codes = extreme_codes
                raise

    return Check(name, run)


def repeated_calls(cases: Callable[[], tuple], spoil: bool = True) -> Check:
    """The same function (or the same module instance) called on two different inputs, A then B and
    B then A: a value cached on the first call (a scale, a mask, keys and values) shows on the second.
    `cases()` gives (A, B) or (A, B, C), C at A's shapes with other values (masks, lengths, inputs):
    A then C and C then A as well, so a value cached by shape shows too. Every order runs with
    gradients on, then again under torch.no_grad(): a value kept only when gradients are off (an
    inference cache of keys and values) shows there. `spoil` (functions): then A once more, its output
    changed in place in the worker as a caller may change it, and A again: a tensor the function keeps
    and returns (a table cached by size) comes back changed."""

    def run(ctx: Context) -> None:
        given = cases()
        for grad in (True, False):
            a, b, *same_shapes = given if grad else [without_grad(case) for case in given]
            orders = [(a, b), (b, a)] + [(a, c) for c in same_shapes] + [(c, a) for c in same_shapes]
            with torch.set_grad_enabled(grad):
                for first, second in orders:
                    for i, (case, bound) in enumerate(zip((first, second),
                                                          ctx.task.bind_together(ctx, (first, second)))):
                        args = on_device(ctx, bound.args)
                        outputs = as_outputs(call_candidate(ctx, bound.candidate, args, case), ctx.task.outputs)
                        golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
                        if not i:
                            what = ""
                        elif same_shapes and {id(first), id(second)} & {id(c) for c in same_shapes}:
                            what = (f", right after a call with inputs of the same shapes and other values "
                                    f"({first.describe(values=False)})")
                        else:
                            what = f", right after a call with {first.describe(values=False)}"
                        compare_outputs(ctx, case, outputs, golden, reference, what)
        a = given[0]
        if spoil:
            returned_tensors_not_kept(ctx, a)
        COVERAGE.add("repeated")

    return Check("called twice with different inputs, in both orders, gives the right answer each time", run)


def without_grad(case):
    """A copy of `case` whose note says it runs under torch.no_grad()."""
    noted = copy.copy(case)
    noted.note = f"{case.note}, under torch.no_grad()" if case.note else "under torch.no_grad()"
    noted.extra = {**case.extra, "no_grad": True}  # (the counterexample's snippet calls under no_grad too)
    return noted


SPOILED = ("right after a call with the same inputs whose output the caller then changed in place (out += 1; a "
           "mask's True and False swapped)")


def returned_tensors_not_kept(ctx: Context, case) -> None:
    """`case` called with its output changed in place in the worker afterwards (remote.spoiling_outputs),
    then again: the second answer must still be right."""
    bound = ctx.task.bind(ctx, case)
    with torch.no_grad(), remote.spoiling_outputs():
        call_candidate(ctx, bound.candidate, on_device(ctx, bound.args), case)
    outputs = as_outputs(call_candidate(ctx, bound.candidate, on_device(ctx, bound.args), case), ctx.task.outputs)
    golden, reference = expected_outputs(ctx, bound, on_device(ctx, bound.args))
    try:
        compare_outputs(ctx, case, outputs, golden, reference, f", {SPOILED}")
    except CheckFailed as failure:
        failure.message += ("\nYour function returned a tensor it keeps (a table cached by size, a global) and hands "
                            "out again: whoever changes one result changes the next ones. Return a new tensor on "
                            "every call (or a .clone() of what you keep).")
        failure.args = (failure.message,)
        raise


def kept_by_shape(cases: Callable[[], tuple]) -> Callable[[Context], list[str]]:
    """A targeted test for diagnosis (a task's `confirm`, see grader.diagnosis): `state` when the candidate
    keeps a value between calls keyed by shape (a mask, lengths, keys, a weight cached in a dict by its
    shape), which the generic test misses once the cache was filled before it ran. `cases()` gives A and C
    at the same shapes with other values, shapes no check and no probe uses. Confirmed when A, called first
    at those shapes, is right, and C, called next, is wrong and is what the reference gives on C with some
    of A's inputs in place of its own (all of them: A's answer): C's answer used a value from A's call.
    Tried with gradients on, then under torch.no_grad() (a value kept only there: an inference cache)."""

    def same(got, expected) -> bool:
        return all(nearly_equal(x.double(), y.double()) if x.is_floating_point() else x.shape == y.shape
                   and torch.equal(x.cpu(), y.cpu().to(x.dtype)) for x, y in zip(got, expected))

    def confirm(ctx: Context) -> list[str]:
        for grad in (True, False):
            with torch.set_grad_enabled(grad):
                if confirmed(ctx):
                    return ["state"]
        return []

    def confirmed(ctx: Context) -> bool:
        a, c = cases()
        bound_a, bound_c = ctx.task.bind_together(ctx, (a, c))
        if bound_a.reference is None:
            return False

        def called(bound, case):
            return as_outputs(call_candidate(ctx, bound.candidate, on_device(ctx, bound.args), case, copies=True),
                              ctx.task.outputs)

        def expected(bound, args):
            with torch.no_grad():
                return as_outputs(bound.reference(*on_device(ctx, args)), ctx.task.outputs)

        if not same(called(bound_a, a), expected(bound_a, bound_a.args)):
            return False
        got = called(bound_c, c)
        if same(got, expected(bound_c, bound_c.args)):
            return False
        differ = [i for i, (x, y) in enumerate(zip(a.args, c.args)) if isinstance(x, torch.Tensor)
                  and not (x.shape == y.shape and torch.equal(x, y))]
        for k in range(1, len(differ) + 1):  # C with some of its inputs taken from A (all of them: A's answer)
            for taken in itertools.combinations(differ, k):
                args = tuple(bound_a.args[i] if i in taken else x for i, x in enumerate(bound_c.args))
                if same(got, expected(bound_c, args)):
                    return True
        return False

    return confirm


def deterministic(case: Callable[[], object], code: str) -> Check:
    """Two calls on the same input give the same output (a module in eval mode, a function)."""

    def run(ctx: Context) -> None:
        the_case = case()
        bound = ctx.task.bind(ctx, the_case)
        first, second = (as_outputs(call_candidate(ctx, bound.candidate, on_device(ctx, bound.args), the_case),
                                    ctx.task.outputs) for _ in range(2))
        for name, a, b in zip(ctx.task.outputs, first, second):
            if a.shape == b.shape and not torch.allclose(a, b, rtol=0, atol=0, equal_nan=True):  # NaN twice: same
                raise CheckFailed(f"Called {describe_call(ctx, the_case)} twice in eval mode (module.eval()).\n"
                                  f"`{name}` differs between the two calls by up to "
                                  f"{(a.double() - b.double()).abs().max().item():.3g}: the output is random. In "
                                  "eval mode dropout must be off: use nn.Dropout, or F.dropout(..., "
                                  "training=self.training), never a bare F.dropout or torch.rand.",
                                  the_case, (code,))

    return Check("gives the same output twice for the same input in eval mode", run)
