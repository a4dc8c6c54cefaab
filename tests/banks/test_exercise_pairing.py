"""Every coding exercise has questions that lead to it (`exercise:` in the banks)."""
from __future__ import annotations

from collections import Counter

from qkv.grader.catalogue import EXERCISE_IDS
from qkv.questions import bank

MIN_PAIRED = 3


def test_every_exercise_has_at_least_three_paired_questions():
    paired = Counter(q.exercise for q in bank.load(bank.bundled_paths()) if q.exercise)
    short = {exercise: paired[exercise] for exercise in EXERCISE_IDS if paired[exercise] < MIN_PAIRED}
    assert short == {}, f"exercises with fewer than {MIN_PAIRED} paired questions: {short}"
