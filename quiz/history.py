"""Answer history and FSRS cards in SQLite, in the user data dir.

`record` writes one answer and its rescheduled card in one committed transaction,
so a crash or Ctrl-C loses nothing already answered. WAL mode and a busy timeout let
two quizzes write to the same file at once; BEGIN IMMEDIATE serialises the
read-modify-write of a card between them. `save_round` keeps the record of each mock
interview (mock/scorecard.py) in the same file.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from qkv.quiz import schedule

SCHEMA_VERSION = 3
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
_MIGRATIONS = {  # version -> the statements that bring a file from the version before to it
    2: """
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,      -- the round's number in `qkv mock --list` and `--show N`
    started_at TEXT NOT NULL,    -- ISO 8601, UTC
    record TEXT NOT NULL         -- JSON: everything the scorecard shows (mock/scorecard.py)
);
""",
    3: """
CREATE TABLE grades (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,      -- a coding exercise id
    graded_at TEXT NOT NULL,     -- ISO 8601, UTC
    status TEXT NOT NULL,        -- graded | not-implemented | timeout | crashed
    passed INTEGER NOT NULL,     -- 0 or 1
    codes TEXT NOT NULL,         -- JSON list of diagnosis codes
    seconds REAL NOT NULL,       -- how long the grade took
    file_hash TEXT NOT NULL      -- sha256 of the graded file
);
CREATE INDEX grades_by_exercise ON grades (exercise);
""",
}
EXERCISE_CARD = "exercise:"  # + exercise id: the FSRS card of a coding exercise, in `cards`


def data_dir() -> Path:
    """$QKV_HOME, else platformdirs.user_data_dir('qkv'). Holds history.sqlite3 and banks/."""
    if os.environ.get("QKV_HOME"):
        return Path(os.environ["QKV_HOME"])
    try:
        from platformdirs import user_data_dir
    except ImportError:  # run from a checkout without the dependencies installed: the XDG default
        return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "qkv"
    return Path(user_data_dir("qkv"))


class HistoryError(RuntimeError):
    pass


class History:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._use_wal()
        self._migrate()

    def _use_wal(self) -> None:
        """Switch the file to write-ahead logging, once per file.

        The switch needs the file to itself, and SQLite answers "database is locked" at once, without
        waiting, when another process opens the same new file at that moment (two quizzes started
        together): so retry until the busy timeout, and skip the switch when the file already uses WAL.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        delay = 0.005
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

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
                _execute(db, _SCHEMA)
                db.execute("INSERT INTO schema_version VALUES (1)")
                row = (1,)
            if row[0] > SCHEMA_VERSION:
                raise HistoryError(f"{self.path} has history schema version {row[0]}, but this qkv reads"
                                   f" only version {SCHEMA_VERSION} or older; upgrade qkv or move the file away")
            for version in range(row[0] + 1, SCHEMA_VERSION + 1):
                _execute(db, _MIGRATIONS[version])
            db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

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

    def redirect(self, renames: dict[str, str]) -> None:
        """Carry the answers and review card of each retired question id over to the id that replaces
        it (a card already under the new id wins). Cheap when there is nothing to move."""
        if not renames:
            return
        marks = ", ".join("?" * len(renames))
        if not self._db.execute(f"SELECT 1 FROM cards WHERE question_id IN ({marks}) UNION ALL "
                                f"SELECT 1 FROM answers WHERE question_id IN ({marks}) LIMIT 1",
                                [*renames, *renames]).fetchone():
            return
        with self._transaction() as db:
            for old, new in renames.items():
                db.execute("UPDATE answers SET question_id = ? WHERE question_id = ?", (new, old))
                db.execute("UPDATE OR IGNORE cards SET question_id = ? WHERE question_id = ?", (new, old))
                db.execute("DELETE FROM cards WHERE question_id = ?", (old,))

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

    def record_grade(self, exercise: str, *, at: datetime, status: str, passed: bool, codes: list[str],
                     seconds: float, file_hash: str) -> None:
        """One grade, and the exercise's card rescheduled (passed: Good, else Again) in one transaction.
        A grade that never ran the checks (the file did not load) is not a review."""
        with self._transaction() as db:
            db.execute("INSERT INTO grades (exercise, graded_at, status, passed, codes, seconds, file_hash)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (exercise, at.isoformat(), status, int(passed),
                                                          json.dumps(codes), seconds, file_hash))
            if status in ("graded", "timeout", "crashed"):
                key = EXERCISE_CARD + exercise
                row = db.execute("SELECT card FROM cards WHERE question_id = ?", (key,)).fetchone()
                card, due = schedule.review(key, row and row[0], schedule.rating_for(passed), at)
                db.execute("INSERT INTO cards (question_id, due, card) VALUES (?, ?, ?)"
                           " ON CONFLICT (question_id) DO UPDATE SET due = excluded.due, card = excluded.card",
                           (key, due.timestamp(), card))

    def grades(self) -> list[dict]:
        cursor = self._db.execute("SELECT exercise, graded_at, status, passed, codes, seconds, file_hash"
                                  " FROM grades ORDER BY id")
        return [dict(exercise=e, graded_at=at, status=st, passed=bool(p), codes=json.loads(c), seconds=sec,
                     file_hash=h) for e, at, st, p, c, sec, h in cursor]

    def reset(self, exercise: str | None = None) -> None:
        """Forget one exercise's grades and card, or (None) the whole history."""
        with self._transaction() as db:
            if exercise is None:
                for table in ("answers", "cards", "rounds", "grades"):
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            else:
                db.execute("DELETE FROM grades WHERE exercise = ?", (exercise,))
                db.execute("DELETE FROM cards WHERE question_id = ?", (EXERCISE_CARD + exercise,))

    def save_round(self, record: dict, *, at: datetime) -> int:
        """Store a mock interview's record (started at `at`, UTC); return its number."""
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO rounds (started_at, record) VALUES (?, ?)",
                                (at.isoformat(), json.dumps(record, ensure_ascii=False)))
        return cursor.lastrowid

    def delete_round(self, number: int) -> bool:
        """Delete round `number`; whether there was one."""
        with self._transaction() as db:
            return db.execute("DELETE FROM rounds WHERE id = ?", (number,)).rowcount > 0

    def rounds(self) -> list[tuple[int, dict]]:
        """Every saved round as (number, record), oldest first."""
        return [(number, json.loads(record)) for number, record in
                self._db.execute("SELECT id, record FROM rounds ORDER BY id")]

    def round(self, number: int) -> dict | None:
        """The record of round `number`, or None if there is none."""
        row = self._db.execute("SELECT record FROM rounds WHERE id = ?", (number,)).fetchone()
        return row and json.loads(row[0])


def _execute(db: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";")[:-1]:  # not executescript: it would COMMIT first
        db.execute(statement)
