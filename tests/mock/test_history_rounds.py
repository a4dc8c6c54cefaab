"""Rounds in the history database (quiz/history.py, schema version 3) and the migration from version 1."""
from __future__ import annotations

import sqlite3

from qkv.quiz.history import SCHEMA_VERSION, History
from quizkit import T0

V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE answers (id INTEGER PRIMARY KEY, question_id TEXT NOT NULL, answered_at TEXT NOT NULL,
                      response TEXT NOT NULL, correct INTEGER NOT NULL, rating INTEGER NOT NULL, seconds REAL NOT NULL);
CREATE INDEX answers_by_question ON answers (question_id);
CREATE TABLE cards (question_id TEXT PRIMARY KEY, due REAL NOT NULL, card TEXT NOT NULL);
INSERT INTO answers VALUES (1, 'demo.a', '2025-03-01T12:00:00+00:00', '"b"', 1, 3, 4.5);
"""


def test_a_version_1_file_is_migrated_and_keeps_its_answers(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
    history = History(path)
    assert history.tallies() == {"demo.a": (1, 1)} and history.rounds() == [] and history.grades() == []
    history.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)] == [(3,)]


def test_rounds_are_numbered_and_read_back_whole(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    first = {"ended": "finished", "topics": ["masking"], "text": "中文 answer"}
    second = {"ended": "interrupted", "topics": []}
    assert [history.save_round(first, at=T0), history.save_round(second, at=T0)] == [1, 2]
    assert history.rounds() == [(1, first), (2, second)]
    assert (history.round(2), history.round(3)) == (second, None)
    history.close()
    assert History(tmp_path / "history.sqlite3").round(1) == first
