"""Spaced repetition: FSRS due dates through History.record with a fixed clock, and the question order."""
from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

import pytest

from qkv.quiz import schedule
from qkv.quiz.history import SCHEMA_VERSION, History, HistoryError
from quizkit import T0


@pytest.fixture
def history(tmp_path):
    opened = History(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def _answer(history, qid, right, at, rating=None):
    return history.record(qid, response="x", correct=right, rating=rating or schedule.rating_for(right), at=at,
                          seconds=1.0)


def test_a_wrong_answer_is_due_again_within_minutes(history):
    due = _answer(history, "demo.softmax-sum", False, T0)
    assert due - T0 == timedelta(minutes=10)


def test_a_right_answer_on_first_sight_is_due_days_later(history):
    due = _answer(history, "demo.softmax-sum", True, T0)
    assert timedelta(days=1) < due - T0 < timedelta(days=30)


def test_forgetting_a_learned_question_brings_it_back_the_same_day(history):
    learned = _answer(history, "demo.softmax-sum", True, T0)
    again = _answer(history, "demo.softmax-sum", False, learned)
    assert again - learned == timedelta(minutes=10)


def test_intervals_grow_with_each_right_answer(history):
    at, gaps = T0, []
    for _ in range(4):
        due = _answer(history, "demo.softmax-sum", True, at)
        gaps.append(due - at)
        at = due
    assert gaps == sorted(gaps) and gaps[-1] > 2 * gaps[0]


def test_self_ratings_order_the_next_interval(history):
    due = {rating: _answer(history, f"demo.q{rating}", rating != schedule.AGAIN, T0, rating) for rating in (1, 2, 3, 4)}
    assert due[1] < due[2] < due[3] < due[4]


def test_due_times_and_tallies_follow_the_answers(history):
    wrong = _answer(history, "demo.a", False, T0)
    _answer(history, "demo.b", True, T0)
    _answer(history, "demo.b", False, T0 + timedelta(days=5))
    assert history.due_times()["demo.a"] == wrong.timestamp()
    assert history.tallies() == {"demo.a": (1, 0), "demo.b": (2, 1)}
    assert [a["question_id"] for a in history.answers()] == ["demo.a", "demo.b", "demo.b"]


def test_history_keeps_a_schema_version_and_refuses_another(tmp_path):
    path = tmp_path / "history.sqlite3"
    History(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(HistoryError, match=f"schema version 99, but this qkv reads only version {SCHEMA_VERSION}"):
        History(path)


def test_reopening_keeps_the_answers(tmp_path):
    path = tmp_path / "history.sqlite3"
    first = History(path)
    _answer(first, "demo.a", True, T0)
    first.close()
    assert History(path).tallies() == {"demo.a": (1, 1)}


class _Q:  # select() only reads .id
    def __init__(self, qid):
        self.id = qid


POOL = [_Q(f"demo.q{i}") for i in range(8)]


def test_select_without_due_is_a_seeded_random_sample():
    first = schedule.select(POOL, count=5, rng=random.Random(3))
    assert len(first) == 5 and len({q.id for q in first}) == 5
    assert [q.id for q in schedule.select(POOL, count=5, rng=random.Random(3))] == [q.id for q in first]
    assert len(schedule.select(POOL, count=50, rng=random.Random(3))) == len(POOL)


def test_select_due_puts_overdue_first_most_overdue_first_then_new_and_skips_not_yet_due():
    now = T0.timestamp()
    due = {"demo.q5": now - 10, "demo.q2": now - 3600, "demo.q7": now + 60, "demo.q0": now}
    picked = [q.id for q in schedule.select(POOL, count=8, rng=random.Random(0), due=due, now=now)]
    assert picked[:3] == ["demo.q2", "demo.q5", "demo.q0"]
    assert sorted(picked[3:]) == ["demo.q1", "demo.q3", "demo.q4", "demo.q6"]
    assert [q.id for q in schedule.select(POOL, count=2, rng=random.Random(0), due=due, now=now)] == \
        ["demo.q2", "demo.q5"]
