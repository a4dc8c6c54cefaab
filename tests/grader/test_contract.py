"""Lint the contracts the way rustlings' `dev check` lints its exercises: every exercise declares its
whole contract (grader/contracts.py), and a default-settings grade of a correct solution actually draws
every declared dimension: each dtype, rank and broadcast form, special value, each parameter with a
default both passed and left out, each listed value (every nonlinearity and mode), repeated calls and
the long case."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from qkv.grader import catalogue, checking

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EXERCISES = list(catalogue.EXERCISES.values())


def defaults(exercise) -> dict:
    return exercise.defaults("forward") if exercise.is_class else exercise.defaults()


def parameters(exercise) -> list[str]:
    if exercise.is_class:
        return exercise.signature("__init__") + exercise.signature("forward")
    return exercise.signature()


def first_correct(exercise) -> Path:
    return next(p for p in sorted((CORPUS / exercise.id).glob("*.py")) if p.read_text().startswith("# expect: pass"))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_contract_names_every_parameter(exercise):
    contract = exercise.contract
    assert [p.name for p in contract.params] == parameters(exercise)
    assert all(p.domain for p in contract.params)
    assert set(contract.dtypes) <= {"float16", "bfloat16", "float32", "float64"}


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if not e.is_class], ids=lambda e: e.id)
def test_reference_defaults_are_the_stubs(exercise):
    """Omitted arguments are compared with the reference's defaults: they must be the contract's."""
    module = importlib.import_module(f"qkv.reference.{exercise.topic}")
    signature = inspect.signature(getattr(module, exercise.entry_point))
    assert {n: p.default for n, p in signature.parameters.items()
            if p.default is not inspect.Parameter.empty} == defaults(exercise)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_a_default_grade_draws_every_dimension(exercise, grade_here):
    result = grade_here(exercise.id, first_correct(exercise))
    assert result["status"] == "graded" and all(c["passed"] for c in result["checks"]), result
    missing = exercise.contract.dimensions(defaults(exercise)) - checking.COVERAGE
    assert not missing, f"{exercise.id}: a default grade never draws {sorted(missing)}"
