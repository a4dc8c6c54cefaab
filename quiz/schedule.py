"""Spaced repetition: FSRS (py-fsrs, https://github.com/open-spaced-repetition/py-fsrs) and question order.

Each question id has one FSRS card. A wrong answer is rated Again, a right one Good;
a `short` answer is rated by the candidate. The scheduler uses one 10-minute learning
step (py-fsrs has 1 and 10 minutes), so a question answered wrong comes back ten
minutes later while one answered right on first sight graduates to days at once: the
cards are interview questions the candidate may already know, not new vocabulary.
Fuzzing is off so that due dates are reproducible. `fsrs` is imported on the first
review only (it costs nothing before the first question is shown).
"""
from __future__ import annotations

import random
import zlib
from datetime import datetime, timedelta
from functools import cache
from typing import Sequence

from qkv.questions.bank import Question

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # fsrs.Rating values
LEARNING_STEPS = (timedelta(minutes=10),)


def rating_for(right: bool) -> int:
    return GOOD if right else AGAIN


@cache
def _scheduler():
    from fsrs import Scheduler

    return Scheduler(learning_steps=LEARNING_STEPS, enable_fuzzing=False)


def review(question_id: str, card_json: str | None, rating: int, at: datetime) -> tuple[str, datetime]:
    """The card after a review with `rating` (1-4) at `at` (UTC), as JSON, and when it is due next."""
    from fsrs import Card, Rating

    card = Card.from_json(card_json) if card_json else Card(card_id=zlib.crc32(question_id.encode()), due=at)
    card, _ = _scheduler().review_card(card, Rating(rating), review_datetime=at)
    return card.to_json(), card.due


def select(questions: Sequence[Question], *, count: int, rng: random.Random,
           due: dict[str, float] | None = None, now: float = 0.0) -> list[Question]:
    """`count` questions in the order to ask them.

    Without `due`: a random sample. With `due` (question id -> due time, epoch seconds, for
    every question ever answered): the questions due at `now`, most overdue first, then
    questions never answered in random order; questions answered and not yet due are left out.
    """
    if due is None:
        return rng.sample(list(questions), min(count, len(questions)))
    overdue = sorted((q for q in questions if q.id in due and due[q.id] <= now), key=lambda q: (due[q.id], q.id))
    new = [q for q in questions if q.id not in due]
    rng.shuffle(new)
    return (overdue + new)[:count]
