"""The bundled banks: they validate, and each topic has the questions the issue asks for."""
from __future__ import annotations

from collections import Counter

import pytest

from qkv.questions import bank

TOPICS = ("attention", "masking", "normalization", "initialization", "regularization", "decoding")
MIN_QUESTIONS, MIN_NUMERIC, MIN_CODE_READING = 40, 8, 5
MIN_MEDIUM, MIN_HARD = 1 / 3, 1 / 5


def test_bundled_banks_validate_without_problems():
    questions, problems = bank.check(bank.bundled_paths())
    assert not problems, "\n".join(map(str, problems))
    assert {q.topic for q in questions} == set(TOPICS)


@pytest.fixture(scope="module")
def by_topic() -> dict[str, list[bank.Question]]:
    grouped: dict[str, list[bank.Question]] = {topic: [] for topic in TOPICS}
    for question in bank.load(bank.bundled_paths()):
        grouped.setdefault(question.topic, []).append(question)
    return grouped


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_enough_questions_of_every_type_and_difficulty(by_topic, topic):
    questions = by_topic[topic]
    types = Counter(q.type for q in questions)
    difficulties = Counter(q.difficulty for q in questions)
    n = len(questions)
    shortfalls = [
        f"{n} questions, needs at least {MIN_QUESTIONS}" if n < MIN_QUESTIONS else "",
        f"no {', '.join(sorted(set(bank.TYPES) - set(types)))} question" if set(types) != set(bank.TYPES) else "",
        f"{types['numeric']} numeric, needs {MIN_NUMERIC}" if types["numeric"] < MIN_NUMERIC else "",
        f"{types['code_reading']} code_reading, needs {MIN_CODE_READING}"
        if types["code_reading"] < MIN_CODE_READING else "",
        f"{difficulties['medium']} medium of {n}, needs 1/3" if difficulties["medium"] < MIN_MEDIUM * n else "",
        f"{difficulties['hard']} hard of {n}, needs 1/5" if difficulties["hard"] < MIN_HARD * n else "",
    ]
    assert not any(shortfalls), f"questions/{topic}.yaml: " + "; ".join(filter(None, shortfalls))
