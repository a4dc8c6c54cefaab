"""Answer history and FSRS cards in SQLite, in the user data dir.

`record` writes one answer and its rescheduled card in one committed transaction,
so a crash or Ctrl-C loses nothing already answered. WAL mode and a busy timeout let
two quizzes write to the same file at once; BEGIN IMMEDIATE serialises the
read-modify-write of a card between them.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from quiz import schedule

SCHEMA_VERSION = 1
DB_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    question_id TEXT NOT NULL,
    answered_at TEXT NOT NULL,   -- ISO 8601, UTC
    response TEXT NOT NULL,      -- JSON: "b", ["a", "c"], true, 0.125 or the text of a short answer
    correct INTEGER NOT NULL,    -- 0 or 1
    rating INTEGER NOT NULL,     -- FSRS rating: 1 again, 2 hard, 3 good, 4 easy
    seconds REAL NOT NULL        -- time from showing the question to the answer
);
CREATE INDEX answers_by_question ON answers (question_id);
CREATE TABLE cards (
    question_id TEXT PRIMARY KEY,
    due REAL NOT NULL,           -- epoch seconds
    card TEXT NOT NULL           -- fsrs.Card.to_json()
);
"""


def data_dir() -> Path:
    """$QKV_HOME, else platformdirs.user_data_dir('qkv'). Holds history.sqlite3 and banks/."""
    if os.environ.get("QKV_HOME"):
        return Path(os.environ["QKV_HOME"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("qkv"))


class HistoryError(RuntimeError):
    pass


class History:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    @classmethod
    def open(cls) -> History:
        """The history in the user data folder."""
        return cls(data_dir() / DB_NAME)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        try:  # the usual case, without a write transaction
            if self._db.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,):
                return
        except sqlite3.OperationalError:  # no such table: a new file
            pass
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                for statement in _SCHEMA.split(";")[:-1]:  # not executescript: it would COMMIT first
                    db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise HistoryError(f"{self.path} has history schema version {row[0]}, but this qkv reads"
                                   f" only version {SCHEMA_VERSION}; upgrade qkv or move the file away")

    def record(self, question_id: str, *, response: object, correct: bool, rating: int, at: datetime,
               seconds: float) -> datetime:
        """Store one answer and reschedule its question; return when it is due next. `at` is UTC."""
        with self._transaction() as db:
            row = db.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            card, due = schedule.review(question_id, row and row[0], rating, at)
            db.execute("INSERT INTO answers (question_id, answered_at, response, correct, rating, seconds)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (question_id, at.isoformat(), json.dumps(response, ensure_ascii=False), int(correct),
                        rating, seconds))
            db.execute("INSERT INTO cards (question_id, due, card) VALUES (?, ?, ?)"
                       " ON CONFLICT (question_id) DO UPDATE SET due = excluded.due, card = excluded.card",
                       (question_id, due.timestamp(), card))
        return due

    def due_times(self) -> dict[str, float]:
        """Question id -> when it is due (epoch seconds), for every question ever answered."""
        return dict(self._db.execute("SELECT question_id, due FROM cards"))

    def tallies(self) -> dict[str, tuple[int, int]]:
        """Question id -> (answers, right answers)."""
        rows = self._db.execute("SELECT question_id, COUNT(*), SUM(correct) FROM answers GROUP BY question_id")
        return {qid: (answers, right) for qid, answers, right in rows}

    def answers(self) -> list[dict]:
        """Every answer, in the order given."""
        cursor = self._db.execute("SELECT question_id, answered_at, response, correct, rating, seconds"
                                  " FROM answers ORDER BY id")
        return [dict(question_id=qid, answered_at=at, response=json.loads(response), correct=bool(correct),
                     rating=rating, seconds=seconds) for qid, at, response, correct, rating, seconds in cursor]
