"""Name the classic bug behind a failing grade (child process).

Two sources, in this order:
1. codes the failing checks attach themselves (a wrong shape is `shape`, NaN on large
   inputs is `stability`, a CPU tensor mixed into a meta computation is `device`...);
2. the known-bug variants of the exercise: the candidate and every variant run on a few
   typical, non-degenerate probe inputs; a variant that agrees with the candidate on all
   of them (while the reference does not) names the bug.
"""
from __future__ import annotations

import torch

from grader.checking import CheckFailed, Context, as_outputs, call_candidate, map_tensors


def diagnose(ctx: Context, failures: list[CheckFailed]) -> list[str]:
    codes: list[str] = []
    for failure in failures:
        codes += [c for c in failure.codes if c not in codes]
    for code in matching_variants(ctx):
        if code not in codes:
            codes.append(code)
    return codes


def matching_variants(ctx: Context) -> list[str]:
    """Codes whose known-bug variants reproduce the candidate on every probe."""
    probes = ctx.task.probes()
    hits: dict[str, int] = {}
    differs = False
    for case in probes:
        try:
            bound = ctx.task.bind(ctx, case)
            args = map_tensors(lambda t: t.to(ctx.device), bound.args)
            got = as_outputs(call_candidate(ctx, bound.candidate, args, case), ctx.task.outputs)
        except CheckFailed:
            return []
        with torch.no_grad():
            if bound.reference is not None:
                differs |= not _same(got, as_outputs(bound.reference(*args), ctx.task.outputs))
            for code, variants in bound.variants.items():
                if any(_same(got, _outputs(ctx, variant, args)) for variant in variants):
                    hits[code] = hits.get(code, 0) + 1
    return [code for code, n in hits.items() if n == len(probes)] if differs else []


def _outputs(ctx: Context, variant, args):
    try:
        return as_outputs(variant(*args), ctx.task.outputs)
    except Exception:  # noqa: BLE001 - a variant that cannot run on this probe matches nothing
        return None


def _same(got, expected) -> bool:
    if expected is None:
        return False
    for a, b in zip(got, expected):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == torch.bool:
            if not torch.equal(a, b):
                return False
        elif not torch.allclose(a.detach().double(), b.detach().double(), rtol=1e-4, atol=1e-5, equal_nan=True):
            return False
    return True
