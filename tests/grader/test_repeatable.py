"""A grade is a function of (file, exercise, seed, options) only: whatever the grading process graded
before (`qkv watch` keeps one for a whole session), the same request gives the same verdict, checks,
counterexamples and diagnosis."""
from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import torch
from hypothesis import strategies as st

from qkv.grader import checking, runner

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _whole(verdict: runner.Verdict) -> dict:
    return {key: value for key, value in dataclasses.asdict(verdict).items() if key != "seconds"}


def test_the_same_files_graded_again_in_one_process_get_the_same_grades():
    """One warm grading process (runner.Session, as `qkv watch` uses): two files, files of the other
    topics, then the first two again. There the masked_softmax file at seed 1 was once diagnosed
    `shape` the first time and nothing the second (and the mha file's counterexample changed):
    hypothesis mixed into its draws constants from the source of the grader's own modules, a pool
    that grew as the process imported each topic's checks."""
    first = [("attention.mha", "bug_scale_head_dim"),
             ("masking.masked_softmax", "bug_empty_slices_from_unbroadcast_mask")]
    others = [("normalization.layer_norm", "bug_std_eps_annotated"),
              ("initialization.xavier_normal", "bug_receptive_field_ignored"),
              ("regularization.dropout", "bug_mask_per_feature")]
    session = runner.Session()
    try:
        grades = [_whole(session.grade(exercise, str(CORPUS / exercise / f"{name}.py"), seed=1, device="cpu"))
                  for exercise, name in [*first, *others, *first, others[0]]]
    finally:
        session.close()
    assert all(grade["status"] == "graded" for grade in grades), grades
    # the first two files after three other exercises; another exercise's file after the first two
    changed = {grades[before]["exercise"]: _differences(grades[before], grades[again])
               for before, again in ((0, 5), (1, 6), (2, 7))}
    assert changed == dict.fromkeys(changed, [])


def _differences(a: dict, b: dict) -> list[str]:
    """What differs between two grades, in words short enough for a failure message."""
    found = [f"{key}: {a[key]!r} then {b[key]!r}" for key in a if key != "checks" and a[key] != b[key]]
    found += [f"check {x['name']!r}: {key} differs" for x, y in zip(a["checks"], b["checks"])
              for key in x if x[key] != y.get(key)]
    return found + (["the checks differ"] if not found and a != b else [])


class _Task:
    def degenerate(self, case) -> str:
        return ""


def _drawn(seed: int) -> list:
    ctx = checking.Context(_Task(), None, torch.device("cpu"), seed, 25, "")
    cases = st.tuples(st.integers(1, 64), st.integers(-8, 8), st.floats(-1e4, 1e4), st.text(max_size=3),
                      checking.tensor_seed())
    drawn = []
    checking.for_all(ctx, cases, drawn.append)
    return drawn


def test_the_inputs_drawn_at_a_seed_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes into its draws constants from the source of the loaded "local" modules (not
    under site-packages or the standard library): the grader keeps that pool empty
    (checking._draw_no_local_constants), so a module imported between two runs, as a grade imports
    an exercise's checks, changes nothing."""
    before = _drawn(seed=3)
    (tmp_path / "qkv_more_constants.py").write_text(
        "SIZES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61)\n"
        "OFFSETS = (-7, -5, -3, 2, 4, 6)\nSCALES = (1234.5, -987.25, 3.0625, 0.001953125)\n"
        "SEEDS = (123456789, 987654321, 4000000000)\nWORDS = ('qkv', 'mask', 'heads', 'xyz')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        importlib.import_module("qkv_more_constants")  # sys.modules grows: hypothesis reads its source
        assert _drawn(seed=3) == before
    finally:
        sys.modules.pop("qkv_more_constants", None)
