"""Name the mistake behind a failing grade, only on evidence (child process).

A wrong diagnosis sends a learner hunting for a mistake they did not make, so a code is
named only when something confirms it:
1. a known-bug variant of the exercise reproduces the candidate on every typical,
   non-degenerate probe input (while the reference does not);
2. a targeted test confirms it: float64 inputs give float32-level errors (`precision`),
   two calls on the same input differ (`random-output`), a call depends on the one before
   (`state`), leaving an argument to its default changes the result (`defaults`), plus the
   exercise's own tests (`Task.confirm`);
3. a failing check observed it as a fact (a wrong dtype, a modified input, a tensor on the
   wrong device, a forbidden call, a statistical law, a crash whose own message names a
   constant float16 cannot hold) or, when no variant explains the
   failure, as its own specific code (a wrong shape, NaN on a fully masked slice);
4. a failure on extreme inputs, when the candidate is right on typical ones, is explained
   by a variant on that input, by rounding that float64 removes (`cancellation`), or by
   values that overflow whatever the precision (`stability`).
A crash names `shape` only when nothing else is known and it happened at a typical size.
When nothing is confirmed the diagnosis is empty, and the report says so.
Failures whose smallest input is a degenerate size are read from their re-run at typical
sizes (`CheckFailed.typical`, see grader.checking.for_all).
"""
from __future__ import annotations

import ast
from pathlib import Path

import torch

from qkv.grader import catalogue, remote
from qkv.grader.checking import Case, CheckFailed, Context, as_outputs, call_candidate, map_tensors, mismatch, to_double
from qkv.grader.properties import nearly_equal

FACTS = {"dtype", "device", "inplace", "forbidden", "fill-overflow"}  # what a check observes, whatever the cause
CRASH_FACTS = {"inplace", "fill-overflow"}  # what torch's own error message says the crash was
CONFIRMED_ONLY = {"random-output", "state", "defaults", "precision"}  # named by the targeted tests only
SUPERSEDES = {"truncated": {"distribution", "bound"}}  # a confirmed code, and what the checks call it instead


def diagnose(ctx: Context, failures: list[CheckFailed]) -> list[str]:
    """The codes of the mistakes confirmed, most specific first; [] when nothing is."""
    seen = [failure.typical or failure for failure in failures]
    declared = set(_exercise(ctx).codes)
    matched, typical_ok = matching_variants(ctx)
    codes = list(matched)
    _add(codes, confirmations(ctx))
    sampled = ctx.task.reference is None and not ctx.task.variants and not ctx.task.call_name[:1].isupper()
    for failure in seen:
        for code in failure.codes:
            if failure.crashed and code not in CRASH_FACTS:
                continue
            if code in CONFIRMED_ONLY and not sampled:  # a check's guess, named above when a test confirmed it
                continue
            if sampled or code in FACTS or not matched:  # a matching variant explains what the others saw
                _add(codes, [code])
    if typical_ok:
        for failure in seen:
            if failure.extreme_codes:
                _add(codes, extreme_cause(ctx, failure, declared))
    if not codes:
        for failure in seen:
            if failure.crashed and not (failure.degenerate and failure.typical is None):
                _add(codes, failure.codes)
    for code, instead in SUPERSEDES.items():
        if code in codes:
            codes = [c for c in codes if c not in instead]
    return [code for code in codes if code in declared]


def _add(codes: list[str], new) -> None:
    codes += [code for code in new if code not in codes]


def _exercise(ctx: Context) -> catalogue.Exercise:
    from qkv.grader.exercises import load_task  # noqa: PLC0415

    return next(e for e in catalogue.EXERCISES.values() if load_task(e) is ctx.task)


# --- 1. known-bug variants on typical inputs ----------------------------------------------


def matching_variants(ctx: Context) -> tuple[list[str], bool]:
    """(codes whose known-bug variants reproduce the candidate on every probe,
    whether the candidate matches the reference on every probe)."""
    probes = ctx.task.probes()
    hits: dict[str, int] = {}
    agrees = 0  # probes where the candidate matches the reference
    for case in probes:
        try:
            bound = ctx.task.bind(ctx, case)
            args = map_tensors(lambda t: t.to(ctx.device), bound.args)
            got = as_outputs(call_candidate(ctx, bound.candidate, map_tensors(torch.clone, args), case,
                                            copies=True), ctx.task.outputs)
        except CheckFailed:
            return [], False
        with torch.no_grad():
            if bound.reference is not None:
                agrees += _same(got, _outputs(ctx, bound.reference, args))
            for key, variants in bound.variants.items():
                if any(_same(got, _outputs(ctx, variant, args)) for variant in variants):
                    hits[key] = hits.get(key, 0) + 1
    if probes and agrees == len(probes):
        return [], True
    codes: list[str] = []
    for key, n in hits.items():
        if n == len(probes):
            _add(codes, key.split("+"))
    return codes, False


def _outputs(ctx: Context, variant, args):
    try:  # on copies: an in-place variant must not change the probe for the next one
        return as_outputs(variant(*map_tensors(torch.clone, args)), ctx.task.outputs)
    except Exception:  # noqa: BLE001 - a variant that cannot run on this probe matches nothing
        return None


def _same(got, expected) -> bool:
    """Equal up to 1e-3: variants differ from each other by far more, and a loose match survives
    a candidate's different order of float32 operations."""
    if expected is None:
        return False
    for a, b in zip(got, expected):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == torch.bool:
            if not torch.equal(a, b):
                return False
        elif not torch.allclose(a.detach().double(), b.detach().double(), rtol=1e-3, atol=1e-3, equal_nan=True):
            return False
    return True


# --- 2. targeted tests ----------------------------------------------------------------------


def confirmations(ctx: Context) -> list[str]:
    try:
        if random_output(ctx):  # the other tests compare calls: random outputs would confirm anything
            return ["random-output"]
    except CheckFailed:
        return []
    codes: list[str] = []
    for test in (precision, kept_state, returned_state, wrong_defaults, ctx.task.confirm):
        try:
            _add(codes, test(ctx))
        except CheckFailed:  # the candidate cannot run the test's inputs: it confirms nothing
            continue
    return codes


def _call(ctx: Context, bound, args: tuple, case) -> tuple:
    args = map_tensors(lambda t: t.detach().to(ctx.device, copy=True), args)
    return tuple(o.detach() for o in as_outputs(call_candidate(ctx, bound.candidate, args, case, copies=True),
                                                ctx.task.outputs))


def _identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bit-for-bit the same values, NaN included: what two runs of the same computation give."""
    return a.dtype == b.dtype and torch.equal(a, b) or \
        a.is_floating_point() and torch.equal(torch.nan_to_num(a, 1.0, 2.0, 3.0), torch.nan_to_num(b, 1.0, 2.0, 3.0)) \
        and torch.equal(a.isnan(), b.isnan())


def _deterministic(ctx: Context) -> bool:
    return ctx.task.reference is not None or bool(ctx.task.variants) or ctx.task.call_name[:1].isupper()


def precision(ctx: Context) -> list[str]:
    """float64 inputs give errors of float32 size on every probe: the code computes in float32.
    Of float32 size: above 1/100 of the reference's own float32 error, and below 8 times it plus
    8 ulps, far below the 64-ulp floor of the float32 checks, so that a value bug of float32 size
    (an eps of 1e-6 for 1e-5) stays above it."""
    probes = ctx.task.probes()
    if not probes or not _deterministic(ctx):
        return []
    for case in probes:
        bound = ctx.task.bind(ctx, case)
        if bound.reference is None or not any(isinstance(a, torch.Tensor) and a.is_floating_point()
                                               for a in bound.args):
            return []
        args64 = to_double(bound.args)
        got = _call(ctx, bound, args64, case)
        with torch.no_grad():
            golden = as_outputs(bound.reference(*args64), ctx.task.outputs)
            single = as_outputs(bound.reference(*bound.args), ctx.task.outputs)
        low = False
        for out, gold, ref in zip(got, golden, single):
            if not out.is_floating_point():
                continue
            if out.dtype != torch.float64 or out.shape != gold.shape or not torch.isfinite(out).all():
                return []
            gold = gold.cpu()
            error = (out.cpu() - gold).abs()
            own = (ref.cpu().double() - gold).abs().max()  # the reference's own float32 error
            if (error > 8 * own + 8 * torch.finfo(torch.float32).eps * (1 + gold.abs())).any():
                return []
            # and of float32 size: a tiny constant (x / (s + 1e-13)) errs far below float32 rounding
            low |= mismatch("out", out.cpu(), gold, gold) is not None and error.max() > own / 100
        if not low:
            return []
    return ["precision"]


def random_output(ctx: Context) -> list[str]:
    """Two calls on the same typical input differ, and (for a class) not because of what the instance
    saw before: an instance that saw another input first gives the same second answer. (Instances are
    built from the same seed, so their random draws follow the same sequence.)"""
    probes = ctx.task.probes()
    if not probes or not _deterministic(ctx):
        return []
    a, b = probes[0], probes[-1]
    bound = ctx.task.bind(ctx, a)
    first, second = _call(ctx, bound, bound.args, a), _call(ctx, bound, bound.args, a)
    if all(x.shape != y.shape or _identical(x, y) for x, y in zip(first, second)):
        return []
    if ctx.task.call_name[:1].isupper():
        other, again = ctx.task.bind_together(ctx, (Case(b.args, b.names, b.note, a.seed, b.extra), a))
        _call(ctx, other, other.args, b)
        if not all(_identical(x, y) for x, y in zip(second, _call(ctx, again, again.args, a))):
            return []  # the answer depends on the input before: kept state, not randomness
    return ["random-output"]


def kept_state(ctx: Context) -> list[str]:
    """The same input, called on a fresh candidate and on one that has just seen another input,
    gives different results (for a function, `fresh` is just the call after the same input)."""
    probes = ctx.task.probes()
    if len(probes) < 2 or not _deterministic(ctx):
        return []
    a, b = probes[0], probes[-1]
    if ctx.task.call_name[:1].isupper():  # a class: a fresh instance's first answer (same seed, same weights)
        fresh = ctx.task.bind(ctx, a)
        before = _call(ctx, fresh, fresh.args, a)
        b = Case(b.args, b.names, b.note, a.seed, b.extra)  # the instance below is built with a's seed
    else:
        bound = ctx.task.bind(ctx, a)
        _call(ctx, bound, bound.args, a)
        before = _call(ctx, bound, bound.args, a)
    first, second = ctx.task.bind_together(ctx, (b, a))
    _call(ctx, first, first.args, b)
    after = _call(ctx, second, second.args, a)
    return ["state"] if any(not nearly_equal(x, y) for x, y in zip(before, after)) else []


def returned_state(ctx: Context) -> list[str]:
    """A function's output, changed in place by its caller (in the worker, after it was sent back), changes
    what the next call with the same input returns: the function hands out a tensor it keeps."""
    probes = ctx.task.probes()
    if not probes or ctx.task.call_name[:1].isupper() or not _deterministic(ctx):
        return []
    bound = ctx.task.bind(ctx, probes[0])
    with remote.spoiling_outputs():
        first = _call(ctx, bound, bound.args, probes[0])
    second = _call(ctx, bound, bound.args, probes[0])
    return ["state"] if any(x.shape != y.shape or not _identical(x, y) for x, y in zip(first, second)) else []


def wrong_defaults(ctx: Context) -> list[str]:
    """Leaving the optional arguments out gives another result than passing the contract's defaults."""
    exercise = _exercise(ctx)
    if exercise.is_class or not _deterministic(ctx):
        return []
    defaults = exercise.defaults()
    if _parameters_reordered(ctx.candidate_path, exercise):
        return []  # passing them by position then differs from leaving them out, but the defaults may be right
    for case in ctx.task.probes():
        keep = next((i for i, name in enumerate(case.names) if name in defaults), None)
        if keep is None:
            return []
        explicit = case.args[:keep] + tuple(defaults[name] for name in case.names[keep:])
        bound = ctx.task.bind(ctx, case)
        passed = _call(ctx, bound, explicit, case)
        left_out = _call(ctx, bound, explicit[:keep], case)
        if any(a.shape != b.shape or not _identical(a, b) for a, b in zip(passed, left_out)):
            return ["defaults"]
    return []


def _parameters_reordered(path: str, exercise: catalogue.Exercise) -> bool:
    """Whether the candidate's entry point (read from its source, never run) takes the stub's parameters in
    another order, e.g. batch_norm(..., eps=1e-5, momentum=0.1)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return False
    stub = list(exercise.signature())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == exercise.entry_point:
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            return sorted(names) == sorted(stub) and names != stub
    return False


# --- 4. failures on extreme inputs ----------------------------------------------------------


def _agrees_on_probes(ctx: Context, key: str) -> bool:
    """Whether some variant of `key` gives the candidate's outputs on every typical probe."""
    for case in ctx.task.probes():
        try:
            bound = ctx.task.bind(ctx, case)
            args = map_tensors(lambda t: t.to(ctx.device), bound.args)
            got = _call(ctx, bound, args, case)
        except CheckFailed:
            return False
        with torch.no_grad():
            if not any(_same(got, _outputs(ctx, v, args)) for v in bound.variants.get(key, [])):
                return False
    return True


def extreme_cause(ctx: Context, failure: CheckFailed, declared: set[str]) -> list[str]:
    """Why the candidate, right on typical inputs, fails on the extreme input of `failure`."""
    case = failure.case
    if case is None:
        return []
    try:
        bound = ctx.task.bind(ctx, case)
        got = _call(ctx, bound, bound.args, case)
        with torch.no_grad():
            expected = _outputs(ctx, bound.reference, map_tensors(lambda t: t.to(ctx.device), bound.args))
            matched = [key for key, variants in bound.variants.items()
                       if any(_same(got, out) and not _same(out, expected) for out in
                              (_outputs(ctx, v, map_tensors(lambda t: t.to(ctx.device), bound.args)) for v in variants))]
            if len(matched) > 1:  # a tie here: keep those that also reproduce the candidate on typical inputs
                matched = [key for key in matched if _agrees_on_probes(ctx, key)] or matched
            if len(matched) > 1:  # still a tie (a fill of -1e4 and scores * mask agree where every kept score is
                return []  # below -1e4): this input cannot tell them apart, another failure may
            if matched:
                return matched[0].split("+")
        args64 = to_double(bound.args)
        got64 = _call(ctx, bound, args64, case)
        with torch.no_grad():
            golden = as_outputs(bound.reference(*args64), ctx.task.outputs)
    except CheckFailed:
        return []
    right64 = all(mismatch("out", o.cpu(), g.cpu(), g.cpu(), case.extra.get("condition", 0.0)) is None
                  for o, g in zip(got64, golden))
    if right64 and "cancellation" in declared:
        return ["cancellation"]
    overflow = any(o.is_floating_point() and (~torch.isfinite(o.cpu()) & torch.isfinite(g.cpu())).any()
                   for o, g in zip(got, golden))
    return [c for c in failure.extreme_codes if c == "stability"] if overflow else []
