"""bench/mutants.py: the mutator makes the mutations it promises, and a default grade kills every
non-equivalent mutant of a few exercises (the whole run, `python bench/mutants.py`, takes ~10 minutes)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from qkv.grader import catalogue

spec = importlib.util.spec_from_file_location("mutants", Path(__file__).resolve().parents[2] / "bench" / "mutants.py")
mutants = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutants)

SOURCE = '''
import torch


def helper(x):
    return x.sum(dim=-1, keepdim=True)


def f(x, mask, eps=1e-5):
    """docstring"""
    y = x.masked_fill(~mask, float("-inf"))[:, 1:]
    with torch.no_grad():
        x.add_(1)
    return helper(y) / torch.sqrt(y.var() + eps) < 2


def untouched(x):
    return x + 1
'''


def test_every_operator_class_mutates_the_entry_point_and_its_helpers_only():
    made = list(mutants.mutants(SOURCE, "f"))
    what = {w for w, _ in made}
    for expected in ("Div -> Mult", "Lt -> LtE", "Invert dropped", "1e-05 -> 2e-05", "with block unwrapped",
                     "statement deleted", "sum() -> mean()", "dim= dropped from sum()", "True -> False",
                     "slice lower +1", "sqrt() -> rsqrt()", "arguments of masked_fill() swapped"):
        assert expected in what, (expected, sorted(what))
    assert all("untouched" in text and "return x + 1" in text for _, text in made)  # outside the scope
    assert len({text for _, text in made}) == len(made)


@pytest.mark.slow
def test_a_default_grade_kills_every_non_equivalent_mutant():
    for exercise_id in ("masking.padding_mask", "masking.decoder_mask", "regularization.l1_l2_step"):
        made, equivalent, killed, survivors = mutants.run(catalogue.get(exercise_id), None, quiet=True)
        assert made > equivalent and survivors == [] and killed == made - equivalent, exercise_id
