"""Lint the exercises' text files (grader/texts/*.yaml) the way test_catalogue lints the exercises: every
exercise has its summary, statement and hints in both languages, every check name it shows and every
code it can report is translated and explained for it, and the validator names file and line."""
from __future__ import annotations

import pytest

from qkv.grader import catalogue, exercise_texts, text_files
from qkv.grader.exercises import load_task

EXERCISES = list(catalogue.EXERCISES.values())


def test_the_bundled_text_files_validate():
    assert [str(p) for p in text_files.problems()] == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_reads_in_both_languages(exercise):
    for lang in exercise_texts.LANGUAGES:
        assert len(exercise.summary_in(lang)) > 10 and "\n" not in exercise.summary_in(lang)
        assert exercise.entry_point in exercise.statement_in(lang), f"{exercise.id} {lang}: statement names no entry"
        assert len(exercise.hints_in(lang)) == 3 and all(len(h) > 15 for h in exercise.hints_in(lang))
    assert exercise.statement_in("zh") != exercise.statement_in("en")
    assert all(zh != en for zh, en in zip(exercise.hints_in("zh"), exercise.hints_in("en")))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_check_name_has_a_chinese_name_and_no_translation_is_stale(exercise):
    names = {check.name for check in load_task(exercise).checks}
    untranslated = {name for name in names if exercise_texts.check_name(name, exercise.id, "zh") == name}
    assert not untranslated, f"{exercise.id}: no zh name for {sorted(untranslated)}"
    own = set(exercise_texts.section(exercise.id).get("checks") or {})
    assert own <= names, f"{exercise.id}: translations of checks it does not have: {sorted(own - names)}"


def test_shared_check_names_are_used_by_several_exercises_and_nowhere_else():
    users: dict[str, set[str]] = {}
    for exercise in EXERCISES:
        for check in load_task(exercise).checks:
            users.setdefault(check.name, set()).add(exercise.id)
    narrower_titles = {"float64 inputs give float64 outputs",  # failure titles (grader/properties.py)
                       "float64 inputs: the values differ from the float64 reference",
                       "uses no forbidden function"}  # the one check of a forbidden verdict (grader/child.py)
    for name in exercise_texts.general()["checks"]:
        assert name in narrower_titles or len(users.get(name, ())) > 1, f"general.yaml: {name!r} belongs to " \
                                                                       f"{sorted(users.get(name, ())) or 'no check'}"
        for eid in users.get(name, ()):
            assert name not in (exercise_texts.section(eid).get("checks") or {}), f"{eid}: {name!r} twice"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_declared_code_has_a_text_for_its_exercise_in_both_languages(exercise):
    own = exercise_texts.by_exercise().get(exercise.id, {})
    missing = set(exercise.codes) - set(own) - exercise_texts.shared_codes()
    assert not missing, f"{exercise.id}: no exercise-specific text for {sorted(missing)}"
    for code in exercise.codes:
        en, zh = exercise_texts.explain(code, exercise.id, "en"), exercise_texts.explain(code, exercise.id, "zh")
        assert en != zh and all(zh), (exercise.id, code)


def test_shared_codes_have_no_exercise_texts():
    for exercise, codes in exercise_texts.by_exercise().items():
        assert not set(codes) & exercise_texts.shared_codes(), f"{exercise}: shared codes are explained once"


def test_the_lookup_prefers_the_exercise_text():
    dropout = exercise_texts.explain("scale", "regularization.dropout")[1]
    sdpa = exercise_texts.explain("scale", "attention.sdpa")[1]
    assert "1 - p" in dropout and "sqrt(d_k)" not in dropout
    assert "sqrt(d_k)" in sdpa and "1 - p" not in sdpa
    assert exercise_texts.explain("shape", "attention.sdpa") == exercise_texts.explain("shape")
    assert exercise_texts.explain("no-such-code", "attention.sdpa") == ("no-such-code", "")
    assert "sqrt(d_k)" in exercise_texts.explain("scale", "attention.sdpa", "zh")[1]
    assert exercise_texts.check_name("an unknown check", "attention.sdpa", "zh") == "an unknown check"


BROKEN = """\
attention.sdpa:
  summary:
    en: Scaled dot-product attention.
  statement:
    en: Write scaled_dot_product_attention(q, k, v, mask=None).
    zh: 编写 scaled_dot_product_attention(q, k, v, mask=None)。
  hints:
    - en: one
      zh: 一
    - en: two
      zh: 二
  checks:
    matches the reference without a mask: {}
  diagnoses:
    scale:
      en: {title: wrong scale, text: "The scores must be divided by sqrt(d_k), with d_k = q.size(-1)."}
      zh: {title: 缩放错误, text: "分数必须除以 sqrt(d_k)，其中 d_k = q.size(-1)， 而不是 d_k。"}
    heads:
      en: {title: heads, text: "not a code of this exercise, so the validator must say so here."}
      zh: {title: 头, text: "这个练习没有这个诊断代码,校验器必须指出来。"}
  colour: blue
masking.sdpa:
  summary: {en: x, zh: y}
"""


def test_the_validator_names_the_file_the_line_and_what_was_expected(tmp_path):
    path = tmp_path / "attention.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    found = [str(p) for p in text_files._TextChecker(path).problems]
    expected = {
        3: "missing field 'zh' in attention.sdpa.summary",
        7: "hints has 2 items, but attention.sdpa (revealed one level at a time) needs 3 to 3",
        13: "must be a string, got a mapping",
        17: "has a space after '，'",
        18: "the exercise does not declare the code 'heads'",
        20: "uses the half-width ','",
        21: "unknown field 'colour' in attention.sdpa",
        22: "'masking.sdpa' is not an exercise of topic 'attention'",
    }
    for line, message in expected.items():
        assert any(f"attention.yaml:{line}: " in p and message in p for p in found), (line, message, found)
    assert len(found) == len(expected), found
