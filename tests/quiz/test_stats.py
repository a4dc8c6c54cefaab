"""The stats report with a fixed clock (quiz/stats.py)."""
from __future__ import annotations

from datetime import timedelta

from qkv.quiz import stats
from quizkit import T0


def test_due_today_counts_overdue_and_later_today_but_not_tomorrow(demo):
    local_noon = T0.astimezone().replace(hour=12, minute=0)
    due = {"demo.softmax-sum": (local_noon - timedelta(days=3)).timestamp(),
           "demo.scale-value": (local_noon + timedelta(hours=11)).timestamp(),
           "demo.mask-values": (local_noon + timedelta(hours=13)).timestamp()}
    tallies = {qid: (1, 0) for qid in due}
    report = stats.compute(list(demo.values()), tallies, due, local_noon)
    assert report["total"]["due_today"] == 2
    assert (report["total"]["seen"], report["total"]["unseen"]) == (3, 3)


def test_weakest_tags_lowest_accuracy_first_then_most_wrong(demo):
    tallies = {"demo.softmax-sum": (4, 1),        # softmax
               "demo.mask-values": (2, 0),        # masking, softmax
               "demo.read-causal-mask": (2, 2),   # masking, misconception
               "demo.scale-value": (4, 4)}        # scaling: never wrong, never listed
    report = stats.compute(list(demo.values()), tallies, {}, T0)
    assert [(w["tag"], w["correct"], w["answers"]) for w in report["weakest_tags"]] == [
        ("softmax", 1, 6), ("masking", 2, 4)]
    assert report["topics"]["demo"]["accuracy"] == round(7 / 12, 3)
