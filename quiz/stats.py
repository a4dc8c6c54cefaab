"""`qkv stats`: accuracy per topic, seen and unseen questions, what is due today, the weakest tags."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Sequence

from qkv.questions.bank import Question
from qkv.quiz.lang import pad, t, width

WEAKEST_TAGS = 5
_COLUMNS = ("questions", "seen", "unseen", "answers", "accuracy", "due_today")


def compute(questions: Sequence[Question], tallies: dict[str, tuple[int, int]], due: dict[str, float],
            now: datetime) -> dict:
    """The report for the loaded `questions`, from History.tallies() and History.due_times().

    A question is due today when its card is due before the next local midnight (overdue included).
    Weakest tags: the tags with wrong answers, lowest accuracy first, then most wrong answers.
    """
    local = now.astimezone()
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    topics: dict[str, Counter] = {}
    tag_answers, tag_right = Counter(), Counter()
    for q in questions:
        answers, right = tallies.get(q.id, (0, 0))
        topics.setdefault(q.topic, Counter()).update(
            questions=1, seen=answers > 0, unseen=answers == 0, answers=answers, correct=right,
            due_today=q.id in due and due[q.id] < midnight)
        for tag in q.tags:
            tag_answers[tag] += answers
            tag_right[tag] += right
    total = sum(topics.values(), Counter())
    weak = sorted((tag for tag in tag_answers if tag_right[tag] < tag_answers[tag]),
                  key=lambda tag: (tag_right[tag] / tag_answers[tag], tag_right[tag] - tag_answers[tag], tag))
    return {
        "topics": {name: _row(counts) for name, counts in sorted(topics.items())},
        "total": _row(total),
        "weakest_tags": [{"tag": tag, "answers": tag_answers[tag], "correct": tag_right[tag],
                          "accuracy": _accuracy(tag_right[tag], tag_answers[tag])} for tag in weak[:WEAKEST_TAGS]],
    }


def render(report: dict, lang: str) -> str:
    """The report as an aligned table (CJK-aware), then the weakest tags."""
    rows = [t(lang, "stats_header").split("|")]
    for name, row in [*report["topics"].items(), (t(lang, "stats_total"), report["total"])]:
        rows.append([name, *(_cell(key, row[key]) for key in _COLUMNS)])
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, w, right=i > 0) for i, (cell, w) in enumerate(zip(r, widths))) for r in rows]
    tags = ", ".join(f"{w['tag']} {w['correct']}/{w['answers']} ({w['accuracy']:.0%})" for w in report["weakest_tags"])
    lines.append(t(lang, "weakest_tags", tags=tags) if tags else t(lang, "no_weak_tags"))
    return "\n".join(lines)


def _row(counts: Counter) -> dict:
    row = {key: counts[key] for key in _COLUMNS if key != "accuracy"}
    row["correct"] = counts["correct"]
    row["accuracy"] = _accuracy(counts["correct"], counts["answers"])
    return row


def _accuracy(right: int, answers: int) -> float | None:
    return round(right / answers, 3) if answers else None


def _cell(key: str, value: float | int | None) -> str:
    if key == "accuracy":
        return "-" if value is None else f"{value:.0%}"
    return str(value)
