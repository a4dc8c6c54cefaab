"""Lint the exercise catalogue the way rustlings lints its manifest: every exercise is complete,
and every diagnosis code the grader can report is declared and explained."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qkv.grader import catalogue
from qkv.grader.exercise_texts import known_codes
from qkv.grader.exercises import load_task

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EXERCISES = list(catalogue.EXERCISES.values())


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_is_complete(exercise):
    assert exercise.topic in {"attention", "masking", "normalization", "initialization", "regularization"}
    assert exercise.difficulty in {"easy", "medium", "hard"}
    assert len(exercise.hints) == 3 and all(len(h) > 40 for h in exercise.hints)
    ast.parse(exercise.stub)  # the starter is valid Python defining the entry point
    assert exercise.signature("forward" if exercise.is_class else None)
    assert "raise NotImplementedError" in exercise.stub
    task = load_task(exercise)
    assert task.checks, f"{exercise.id} has no checks"
    assert len({c.name for c in task.checks}) == len(task.checks), "check names must be unique"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_code_is_declared_and_explained(exercise):
    declared = set(exercise.codes)
    assert declared <= known_codes(), declared - known_codes()
    variants = {code for key in load_task(exercise).variants for code in key.split("+")}
    assert variants <= declared, f"variants name undeclared codes {variants - declared}"
    expected = {code for path in CORPUS.glob(f"{exercise.id}/*.py")
                if (line := path.read_text().splitlines()[0]).startswith("# expect: fail") for code in (w.removesuffix("?") for w in line.split()[3:])}
    assert expected <= declared, f"the corpus expects undeclared codes {expected - declared}"


def test_forbidden_names_resolve():
    import importlib

    for exercise in EXERCISES:
        for entry in exercise.forbidden:
            dotted = entry.split("[")[0]
            module, _, attr = dotted.rpartition(".")
            assert hasattr(importlib.import_module(module), attr), f"{exercise.id}: {dotted} does not exist"
