"""Name the classic bug behind a failing grade (child process).

Two sources:
1. the known-bug variants of the exercise: the candidate and every variant run on a few
   typical, non-degenerate probe inputs; a variant that agrees with the candidate on all
   of them (while the reference does not) names the bug;
2. codes the failing checks attach themselves (a wrong shape is `shape`, NaN on large
   inputs is `stability`, a CPU tensor mixed into a meta computation is `device`...).
"""
from __future__ import annotations

import torch

from grader.checking import CheckFailed, Context, as_outputs, call_candidate, map_tensors


def diagnose(ctx: Context, failures: list[CheckFailed]) -> list[str]:
    """Most specific first: a known-bug variant that reproduces the candidate, then the codes the
    failing checks state outright; the codes of checks on extreme inputs only when the candidate
    is right on typical ones; the usual causes of failed properties only when nothing else is known."""
    matched, typical_ok = matching_variants(ctx)
    codes = list(matched)
    for failure in failures:
        codes += [c for c in failure.codes if c not in codes]
    if typical_ok:
        for failure in failures:
            codes += [c for c in failure.extreme_codes if c not in codes]
    if not codes:
        for failure in failures:
            codes += [c for c in failure.weak_codes if c not in codes]
    return codes


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
            got = as_outputs(call_candidate(ctx, bound.candidate, map_tensors(torch.clone, args), case),
                             ctx.task.outputs)
        except CheckFailed:
            return [], False
        with torch.no_grad():
            if bound.reference is not None:
                agrees += _same(got, _outputs(ctx, bound.reference, args))
            for code, variants in bound.variants.items():
                if any(_same(got, _outputs(ctx, variant, args)) for variant in variants):
                    hits[code] = hits.get(code, 0) + 1
    if probes and agrees == len(probes):
        return [], True
    return [code for code, n in hits.items() if n == len(probes)], False


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
