"""What a mock interview round asks, decided before it starts: the same seed gives the same round.

    warm-up    4-6 quick questions (single, true_false, numeric), spread over the topics
    deep-dive  2-3 `short` questions, each with the questions its `follow_ups` name
    coding     one exercise from the grader's catalogue: --exercise, else one a deep-dive
               question points to, else any exercise of the topics

The round's minutes are split between the sections by SHARES. No question is asked twice:
the warm-up never draws a question the deep-dive asks.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from qkv.grader.catalogue import EXERCISES, Exercise
from qkv.questions.bank import Question

SECTIONS = ("warmup", "deep_dive", "coding")
SHARES = {"warmup": 0.15, "deep_dive": 0.35, "coding": 0.50}  # 45 minutes: 6:45, 15:45 and 22:30
WARMUP_TYPES = ("single", "true_false", "numeric")
LONG_ROUND_MINUTES = 40  # from here on the deep-dive has 3 questions, else 2


@dataclass(frozen=True)
class Probe:
    """A deep-dive question and the follow-ups an interviewer asks after it, in the bank's order
    (less any that an earlier question of the round asks)."""

    question: Question
    follow_ups: tuple[Question, ...]


@dataclass(frozen=True)
class Plan:
    minutes: float
    topics: tuple[str, ...]
    seed: int
    warmup: tuple[Question, ...]
    deep_dive: tuple[Probe, ...]
    exercise: Exercise | None  # None: no exercise fits the topics

    def budget(self, section: str) -> float:
        """Seconds of round time for `section`."""
        return SHARES[section] * self.minutes * 60


def warmup_count(minutes: float) -> int:
    """4 questions up to about half an hour, 5 for 45 minutes, 6 from about an hour."""
    return min(6, max(4, round(minutes / 9)))


def make_plan(questions: Sequence[Question], *, minutes: float, topics: Sequence[str], seed: int,
              exercise: Exercise | None = None) -> Plan:
    """The round for `topics` (all topics of `questions` when empty) drawn with `seed`.

    `questions` are all the loaded questions: follow-ups are looked up among them, whatever their topic.
    """
    rng = random.Random(seed)
    topics = tuple(sorted(set(topics) or {q.topic for q in questions}))
    by_id = {q.id: q for q in questions}
    chosen = [q for q in questions if q.topic in topics]
    count = 3 if minutes >= LONG_ROUND_MINUTES else 2
    mains = _spread([q for q in chosen if q.type == "short"], count, rng)
    asked = {q.id for q in mains}
    deep_dive = []
    for q in mains:  # a follow-up two questions share is asked after the first one only
        follow_ups = tuple(by_id[f] for f in q.follow_ups if f in by_id and f not in asked)
        asked.update(f.id for f in follow_ups)
        deep_dive.append(Probe(q, follow_ups))
    warmup = _spread([q for q in chosen if q.type in WARMUP_TYPES and q.id not in asked], warmup_count(minutes), rng)
    return Plan(minutes, topics, seed, tuple(warmup), tuple(deep_dive), exercise or _exercise_for(topics, mains, rng))


def _spread(pool: Sequence[Question], count: int, rng: random.Random) -> list[Question]:
    """`count` questions of `pool` taking each topic in turn (in a random order), so that the
    topics get as even a share as the pool allows; the order within a topic is random too."""
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in pool:
        by_topic[q.topic].append(q)
    queues = [rng.sample(group, len(group)) for _, group in sorted(by_topic.items())]
    rng.shuffle(queues)
    picked: list[Question] = []
    while len(picked) < count and any(queues):
        picked += [queue.pop() for queue in queues if queue][: count - len(picked)]
    return picked


def _exercise_for(topics: Sequence[str], mains: Sequence[Question], rng: random.Random) -> Exercise | None:
    """An exercise a deep-dive question points to, else any exercise of `topics`, else None."""
    linked = sorted({q.exercise for q in mains if q.exercise})
    fitting = linked or sorted(e.id for e in EXERCISES.values() if e.topic in topics)
    return EXERCISES[rng.choice(fitting)] if fitting else None
