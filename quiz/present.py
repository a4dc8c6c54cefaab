"""Show a question, read an answer, check it and explain it.

Independent of the quiz loop, so the mock interview can reuse them:

    render_question(q, lang)        -> text to show
    ask_prompt(q, lang)             -> the input prompt
    parse_answer(q, line, lang)     -> the response, or InvalidAnswer saying what is expected
    check_answer(q, response)       -> right or wrong (every type but `short`, which is self-rated)
    render_feedback(q, response, right, lang)
    render_key_points(q, lang), parse_rating(line, lang) for `short` questions
"""
from __future__ import annotations

import dataclasses

import math
import re
import textwrap
import unicodedata

from qkv.questions.bank import Question
from qkv.quiz.lang import fill, t
from qkv.quiz.schedule import AGAIN, EASY, GOOD, HARD

_RATING_WORDS = {"again": AGAIN, "hard": HARD, "good": GOOD, "easy": EASY,
                 "重来": AGAIN, "困难": HARD, "良好": GOOD, "简单": EASY}
_TRUE_FALSE = {"t": True, "true": True, "对": True, "f": False, "false": False, "错": False}
_SEPARATORS = re.compile(r"[\s,、]+")

Response = str | tuple[str, ...] | bool | float  # single letter, multi letters, true/false, number, text


class InvalidAnswer(ValueError):
    """The line is not an answer to this question; the message says what is expected."""


def render_question(question: Question, lang: str, number: int = 1, total: int = 1, *,
                    columns: int | None = None, follow_up: tuple[int, int] | None = None) -> str:
    """The header, the prompt, the code and the lettered choices; text filled to `columns` (None: not).
    `follow_up` (index, count): the question is a follow-up of question `number`."""
    where = {"number": number, "total": total} if follow_up is None else \
        {"number": number, "index": follow_up[0], "total": follow_up[1]}
    lines = [t(lang, "header" if follow_up is None else "follow_up_header", **where, topic=question.topic,
               type=t(lang, question.type), difficulty=t(lang, question.difficulty)),
             fill(question.prompt(lang), columns)]
    if question.code:
        lines += ["", textwrap.indent(question.code.rstrip("\n"), "    ")]
    if question.choices:
        lines.append("")
        lines += [fill(f"  {letter}) {choice.text(lang)}", columns, hang=5)
                  for letter, choice in zip(question.letters, question.choices)]
    return "\n".join(lines)


def ask_prompt(question: Question, lang: str) -> str:
    return t(lang, f"ask_{'single' if question.type == 'code_reading' else question.type}",
             letters=_letter_range(question))


def parse_answer(question: Question, line: str, lang: str) -> Response:
    """The response `line` gives to `question`; InvalidAnswer (in `lang`) when it gives none."""
    if question.type == "short":
        if not line.strip():
            raise InvalidAnswer(t(lang, "expect_short"))
        return line.strip()
    text = unicodedata.normalize("NFKC", line).strip().lower()  # full-width ａ，０.５ -> a,0.5
    if question.type == "true_false":
        if text not in _TRUE_FALSE:
            raise InvalidAnswer(t(lang, "expect_true_false", got=line.strip()))
        return _TRUE_FALSE[text]
    if question.type == "numeric":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise InvalidAnswer(t(lang, "expect_numeric", got=line.strip()))
        return number
    letters = [c for part in _SEPARATORS.split(text) for c in part]
    kind = "multi" if question.type == "multi" else "single"
    if not letters or any(c not in question.letters for c in letters) or kind == "single" and len(letters) > 1:
        raise InvalidAnswer(t(lang, f"expect_{kind}", letters=_letter_range(question), got=line.strip()))
    return tuple(sorted(set(letters))) if kind == "multi" else letters[0]


def check_answer(question: Question, response: Response) -> bool:
    """Whether `response` is right. `short` answers are rated by the candidate instead (parse_rating)."""
    if question.type == "short":
        raise ValueError(f"{question.id} is a short question: the candidate rates the answer (parse_rating)")
    if question.type == "numeric":
        return abs(response - question.answer) <= question.tolerance
    return response == question.answer


def parse_rating(line: str, lang: str) -> int:
    """A self-rating: 1-4, or again/hard/good/easy (or 重来/困难/良好/简单)."""
    text = unicodedata.normalize("NFKC", line).strip().lower()
    if text in ("1", "2", "3", "4"):
        return int(text)
    if text not in _RATING_WORDS:
        raise InvalidAnswer(t(lang, "expect_rating", got=line.strip()))
    return _RATING_WORDS[text]


def rating_name(rating: int, lang: str) -> str:
    return t(lang, ("again", "hard", "good", "easy")[rating - 1])


def format_answer(question: Question, response: Response, lang: str) -> str:
    """A response (or the stored answer) the way the candidate would type it."""
    if isinstance(response, bool):
        return t(lang, "true" if response else "false")
    if isinstance(response, tuple):
        return ",".join(response)
    if isinstance(response, float) and response.is_integer():
        return str(int(response))
    return str(response)


def render_feedback(question: Question, response: Response, right: bool, lang: str, *,
                    columns: int | None = None) -> str:
    """Right or wrong, the correct answer, the explanation, and the `why` of each wrong choice taken
    (and, for multi, of each right choice missed); text filled to `columns` (None: not)."""
    answer = format_answer(question, question.answer, lang)
    if question.type == "numeric":
        answer = t(lang, "tolerance", answer=answer, tolerance=question.tolerance)
    lines = [t(lang, "right") if right else t(lang, "wrong", answer=answer)]
    chosen = set(response) if question.choices else set()
    expected = set(question.answer) if question.choices else set()
    for letter, choice in zip(question.letters, question.choices):
        if letter in chosen - expected:
            lines.append(t(lang, "chosen", letter=letter, why=choice.why(lang)))
        elif letter in expected - chosen and question.type == "multi":
            lines.append(t(lang, "missed", letter=letter, why=choice.why(lang)))
    lines.append(t(lang, "explanation", text=question.explanation(lang)))
    return "\n".join(fill(line, columns) for line in lines)


def render_key_points(question: Question, lang: str, *, columns: int | None = None) -> str:
    """What a good answer to a short question says, then the explanation: shown before the self-rating."""
    points = [fill(f"  - {point(lang)}", columns, hang=4) for point in question.key_points]
    explanation = fill(t(lang, "explanation", text=question.explanation(lang)), columns)
    return "\n".join([t(lang, "key_points"), *points, explanation])


def _letter_range(question: Question) -> str:
    return f"{question.letters[0]}-{question.letters[-1]}" if question.letters else ""


def shuffled(question: Question, rng) -> Question:
    """The question with its choices in a new order and the answer's letters moved with them, so a
    review is answered from the content, not from a remembered letter."""
    if len(question.choices) < 2:
        return question
    order = list(range(len(question.choices)))
    while order == sorted(order):
        rng.shuffle(order)
    letters = question.letters
    new_letter = {letters[old]: letters[new] for new, old in enumerate(order)}
    answer = question.answer
    answer = tuple(sorted(new_letter[a] for a in answer)) if isinstance(answer, tuple) else new_letter[answer]
    return dataclasses.replace(question, choices=tuple(question.choices[i] for i in order), answer=answer,
                               shown_from="".join(letters[i] for i in order))


def bank_letters(question: Question, response):
    """A response to a reordered question in the bank's own letters (what the history keeps)."""
    if not question.shown_from or not question.choices:
        return response
    back = dict(zip(question.letters, question.shown_from))
    return tuple(sorted(back[r] for r in response)) if isinstance(response, tuple) else back.get(response, response)
