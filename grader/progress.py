"""Your progress on the coding exercises and the quiz: `qkv list`'s status column, `qkv progress`,
`qkv next`, and the record of every grade (no torch here).

Every grade goes into the history database (quiz/history.py): exercise, time, verdict,
diagnosis codes, duration and a hash of the file. Exercises join spaced repetition: a
pass schedules the exercise's FSRS card like a right answer (back for review in days,
to re-solve from a fresh starter), a fail like a wrong one (back in ten minutes).
"""
from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from qkv.grader import catalogue
from qkv.quiz.history import EXERCISE_CARD, History, HistoryError
from qkv.quiz.lang import pad, t, width


def record(verdict, path: str) -> None:
    """Save a grade; a history that cannot be written costs the record, never the verdict."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        history = History.open()
        try:
            history.record_grade(verdict.exercise, at=datetime.now(timezone.utc), status=verdict.status,
                                 passed=verdict.passed, codes=list(verdict.diagnosis), seconds=verdict.seconds,
                                 file_hash=digest)
        finally:
            history.close()
    except (OSError, HistoryError) as exc:
        print(f"(the grade was not saved to your history: {exc})", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - sqlite3 errors: the verdict matters more than the record
        print(f"(the grade was not saved to your history: {type(exc).__name__}: {exc})", file=sys.stderr)


def statuses(grades: list[dict]) -> dict[str, tuple[str, str]]:
    """{exercise: (passed | attempted, date of the last grade)}; exercises never graded are absent."""
    found: dict[str, tuple[str, str]] = {}
    for grade in grades:
        passed = grade["passed"] or found.get(grade["exercise"], ("",))[0] == "passed"
        found[grade["exercise"]] = ("passed" if passed else "attempted", grade["graded_at"][:10])
    return found


def _open_grades() -> tuple[list[dict], dict[str, float], dict[str, tuple[int, int]]]:
    """(grades, due times, answer tallies) from the history; empty when there is none yet."""
    try:
        history = History.open()
    except (OSError, HistoryError):
        return [], {}, {}
    try:
        return history.grades(), history.due_times(), history.tallies()
    finally:
        history.close()


def exercise_table(lang: str = "en") -> str:
    """`qkv list`: one row per exercise, columns sized to their content (in terminal columns: CJK takes two)."""
    known = statuses(_open_grades()[0])

    def status(exercise_id: str) -> str:
        state, when = known.get(exercise_id, ("new", ""))
        return f"{t(lang, 'status_' + state)} {when}".strip()

    rows = [(e.id, e.topic, t(lang, e.difficulty), status(e.id), e.summary_in(lang))
            for e in catalogue.EXERCISES.values()]
    widths = [max(width(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(pad(cell, w) for cell, w in zip(row[:4], widths)) + "  " + row[4] for row in rows)


def report() -> dict:
    """The whole picture per topic: exercises passed, quiz accuracy, reviews due, frequent mistakes."""
    grades, due, tallies = _open_grades()
    known = statuses(grades)
    now = time.time()
    topics: dict[str, dict] = {}
    for exercise in catalogue.EXERCISES.values():
        entry = topics.setdefault(exercise.topic, _empty())
        entry["exercises"] += 1
        entry["passed"] += known.get(exercise.id, ("",))[0] == "passed"
    for question_id, (answered, right) in tallies.items():
        entry = topics.setdefault(question_id.split(".")[0], _empty())
        entry["answered"] += answered
        entry["right"] += right
    for key, when in due.items():
        if when <= now:
            topic = key.removeprefix(EXERCISE_CARD).split(".")[0]
            topics.setdefault(topic, _empty())["due"] += 1
    mistakes = Counter(code for grade in grades if not grade["passed"] for code in grade["codes"])
    return {"topics": topics, "mistakes": mistakes.most_common(5), "grades": len(grades)}


def _empty() -> dict:
    return {"exercises": 0, "passed": 0, "answered": 0, "right": 0, "due": 0}


def render(report: dict) -> str:
    lines = [f"{'topic':<16}{'exercises passed':>18}{'quiz accuracy':>16}{'due now':>10}"]
    for topic, entry in sorted(report["topics"].items()):
        exercises = f"{entry['passed']}/{entry['exercises']}" if entry["exercises"] else "-"
        accuracy = f"{entry['right'] / entry['answered']:.0%} of {entry['answered']}" if entry["answered"] else "-"
        lines.append(f"{topic:<16}{exercises:>18}{accuracy:>16}{entry['due']:>10}")
    if report["mistakes"]:
        lines += ["", "Mistakes your code made most often (diagnosis codes):"]
        lines += [f"  {code}: {count} grade{'s' * (count != 1)}" for code, count in report["mistakes"]]
    lines += ["", f"Next: {suggestion()}"]
    return "\n".join(lines)


def suggestion() -> str:
    """One thing to do now: an exercise you are in the middle of, a due exercise review, due quiz
    reviews, else the next exercise of your weakest topic."""
    grades, due, tallies = _open_grades()
    now = time.time()
    known = statuses(grades)
    unfinished = [g["exercise"] for g in reversed(grades) if known[g["exercise"]][0] == "attempted"]
    if unfinished:
        exercise = unfinished[0]
        return f"finish {exercise}: `qkv grade {exercise} FILE` again (`qkv hint {exercise}` if you are stuck)."
    due_exercises = sorted((when, key.removeprefix(EXERCISE_CARD)) for key, when in due.items()
                           if key.startswith(EXERCISE_CARD) and when <= now)
    if due_exercises:
        exercise = due_exercises[0][1]
        return (f"review {exercise}: solve it again from a fresh starter "
                f"(`qkv start {exercise} review.py`, then `qkv grade {exercise} review.py`).")
    due_questions = sum(1 for key, when in due.items() if not key.startswith(EXERCISE_CARD) and when <= now)
    if due_questions:
        return f"{due_questions} quiz question{'s are' if due_questions != 1 else ' is'} due: `qkv quiz --due`."
    todo = [e for e in catalogue.EXERCISES.values() if known.get(e.id, ("",))[0] != "passed"]
    if not todo:
        return "every exercise is passed and nothing is due: `qkv quiz` for new questions."
    if not grades and not tallies:
        first = todo[0]
        return f"start with {first.id} ({first.summary[0].lower() + first.summary[1:]}): `qkv start {first.id}`."
    done = Counter(e.topic for e in catalogue.EXERCISES.values() if known.get(e.id, ("",))[0] == "passed")
    accuracy = {topic: right / answered for topic, (answered, right) in _by_topic(tallies).items() if answered}
    weakest = min({e.topic for e in todo}, key=lambda topic: (done[topic], accuracy.get(topic, 0.0), topic))
    exercise = next(e for e in todo if e.topic == weakest)
    return f"{exercise.id} ({weakest}, your weakest topic): `qkv start {exercise.id}`."


def _by_topic(tallies: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    totals: dict[str, list[int]] = {}
    for question_id, (answered, right) in tallies.items():
        entry = totals.setdefault(question_id.split(".")[0], [0, 0])
        entry[0] += answered
        entry[1] += right
    return {topic: (a, r) for topic, (a, r) in totals.items()}


def unswap(first: str, second: str) -> tuple[str, str]:
    """`qkv grade FILE ID` means `qkv grade ID FILE`: swap when the first looks like a file and the second
    like an exercise id (and say so on stderr)."""
    looks_like_file = first.endswith((".py", ".ipynb")) or Path(first).is_file()
    if looks_like_file and not second.endswith((".py", ".ipynb")):
        try:
            catalogue.get(second)
        except catalogue.UnknownExercise:
            return first, second
        print(f"(reading that as `qkv grade {second} {first}`: the exercise comes first)", file=sys.stderr)
        return second, first
    return first, second
