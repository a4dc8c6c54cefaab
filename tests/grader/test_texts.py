"""Lint the diagnosis texts (grader/texts/*.yaml) the way test_catalogue lints the exercises:
every code an exercise can report is explained for that exercise, and nothing else is."""
from __future__ import annotations

import pytest
import yaml

from qkv.grader import catalogue, diagnoses

EXERCISES = list(catalogue.EXERCISES.values())


def _entries():
    for code, entry in diagnoses.general().items():
        yield "general", code, entry
    for exercise, codes in diagnoses.by_exercise().items():
        for code, entry in codes.items():
            yield exercise, code, entry


@pytest.mark.parametrize("where,code,entry", list(_entries()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_text_is_complete(where, code, entry):
    assert set(entry) <= {"shared", *diagnoses.LANGUAGES}, f"{where}/{code}: unknown keys {set(entry)}"
    text = entry["en"]
    assert set(text) == {"title", "text"}, f"{where}/{code}: needs exactly a title and a text"
    assert 3 <= len(text["title"]) <= 90 and "\n" not in text["title"]
    assert len(text["text"]) >= 40, f"{where}/{code}: the text is too short to act on"


def test_topic_files_name_real_exercises_and_codes():
    for exercise, codes in diagnoses.by_exercise().items():
        assert exercise in catalogue.EXERCISES, f"texts for unknown exercise {exercise}"
        declared = set(catalogue.EXERCISES[exercise].codes)
        assert set(codes) <= declared, f"{exercise}: texts for undeclared codes {set(codes) - declared}"
        assert set(codes) <= diagnoses.known_codes(), f"{exercise}: codes without a general fallback"
        topic = exercise.split(".")[0]
        path = diagnoses.TEXTS / f"{topic}.yaml"
        assert exercise in (yaml.safe_load(path.read_text()) or {}), f"{exercise} belongs in {path.name}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_declared_code_has_a_text_for_its_exercise(exercise):
    own = diagnoses.by_exercise().get(exercise.id, {})
    shared = {code for code, entry in diagnoses.general().items() if entry.get("shared")}
    missing = set(exercise.codes) - set(own) - shared
    assert not missing, f"{exercise.id}: no exercise-specific text for {sorted(missing)}"


def test_shared_codes_have_no_exercise_texts():
    shared = {code for code, entry in diagnoses.general().items() if entry.get("shared")}
    for exercise, codes in diagnoses.by_exercise().items():
        assert not set(codes) & shared, f"{exercise}: {set(codes) & shared} are shared, explained once"


def test_the_lookup_prefers_the_exercise_text():
    dropout = diagnoses.explain("scale", "regularization.dropout")[1]
    sdpa = diagnoses.explain("scale", "attention.sdpa")[1]
    assert "1 - p" in dropout and "sqrt(d_k)" not in dropout
    assert "sqrt(d_k)" in sdpa and "1 - p" not in sdpa
    assert diagnoses.explain("shape", "attention.sdpa") == diagnoses.explain("shape")
    assert diagnoses.explain("no-such-code", "attention.sdpa") == ("no-such-code", "")
