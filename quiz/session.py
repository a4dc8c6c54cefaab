"""One quiz: ask the selected questions one at a time, record each answer at once, sum up.

The loop reads lines through a Console, so it runs the same on a terminal, on piped
stdin and under tests. A lone `q` quits, end of input stops, Ctrl-C stops: in all three
cases the answers given so far are in the history and in the summary.
"""
from __future__ import annotations

import shutil
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator, Sequence, TextIO

from qkv.questions.bank import Question
from qkv.quiz import present, schedule
from qkv.quiz.history import History
from qkv.quiz.lang import fill, t, width


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Console:
    """Line-based input and output. When input is not a terminal, each line read is echoed so a
    piped transcript reads like a session. On a terminal, text is filled to its width (at most
    MAX_COLUMNS); `columns` is None otherwise, and lines are left whole for scripts."""

    MAX_COLUMNS = 100

    def __init__(self, stdin: TextIO, out: TextIO):
        self.stdin, self.out = stdin, out
        self.echo = not stdin.isatty()
        self.columns = min(shutil.get_terminal_size().columns, self.MAX_COLUMNS) if out.isatty() else None

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str | None:
        """The next line without its newline; None at end of input."""
        self.out.write(prompt)
        self.out.flush()
        line = self.stdin.readline()
        if not line:
            self.say("")
            return None
        line = line.rstrip("\r\n")
        if self.echo:
            self.say(line)
        return line


@dataclass(frozen=True)
class Answer:
    question: Question
    response: present.Response
    correct: bool
    rating: int
    seconds: float


@dataclass
class Summary:
    total: int  # questions selected
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    ended: str = "finished"  # finished | quit | eof | interrupted

    @property
    def correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def revisit(self) -> list[str]:
        return [a.question.id for a in self.answers if not a.correct]

    def scores(self, key: str) -> dict[str, dict[str, int]]:
        """{topic or type: {"answered": n, "correct": n}} in order of first appearance."""
        answered = Counter(getattr(a.question, key) for a in self.answers)
        right = Counter(getattr(a.question, key) for a in self.answers if a.correct)
        return {name: {"answered": n, "correct": right[name]} for name, n in answered.items()}

    def to_dict(self) -> dict:
        return {
            "questions": self.total,
            "answered": len(self.answers),
            "correct": self.correct,
            "ended": self.ended,
            "duration_s": round(self.seconds, 1),
            "by_topic": self.scores("topic"),
            "by_type": self.scores("type"),
            "revisit": self.revisit,
            "answers": [{"id": a.question.id, "response": a.response, "correct": a.correct, "rating": a.rating,
                         "seconds": round(a.seconds, 1)} for a in self.answers],
        }

    def render(self, lang: str, *, columns: int | None = None) -> str:
        def line(key: str) -> str:  # types are translated, topics are names
            label = (lambda name: t(lang, name)) if key == "type" else str
            return " · ".join(f"{label(name)} {s['correct']}/{s['answered']}" for name, s in self.scores(key).items())

        minutes, seconds = divmod(round(self.seconds), 60)
        percent = f"{self.correct / len(self.answers):.0%}" if self.answers else "-"
        lines = [f"── {t(lang, 'summary')} ──",
                 t(lang, "score", answered=len(self.answers), total=self.total, correct=self.correct,
                   percent=percent, duration=t(lang, "duration", minutes=minutes, seconds=seconds))]
        if self.answers:
            lines += [t(lang, "by_topic", scores=line("topic")), t(lang, "by_type", scores=line("type"))]
        lines.append(t(lang, "revisit", ids=", ".join(self.revisit)) if self.revisit
                     else t(lang, "nothing_to_revisit"))
        return "\n".join(fill(line, columns, hang=width(t(lang, "revisit", ids=""))) for line in lines)


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class Quiz:
    def __init__(self, questions: Sequence[Question], *, console: Console, history: History, lang: str,
                 clock: Callable[[], datetime] = utc_now):
        self.questions, self.console, self.history, self.lang, self.clock = questions, console, history, lang, clock

    def run(self) -> Summary:
        """Ask every question; stop early on `q`, end of input or Ctrl-C (summary.ended says which)."""
        summary = Summary(total=len(self.questions))
        started = time.monotonic()
        try:
            for number, question in enumerate(self.questions, 1):
                summary.answers.append(self._one(question, number))
        except _Stop as stop:
            summary.ended = stop.reason
        except KeyboardInterrupt:
            summary.ended = "interrupted"
        summary.seconds = time.monotonic() - started
        return summary

    def _one(self, question: Question, number: int) -> Answer:
        lang = self.lang
        columns = self.console.columns
        self.console.say("\n" + present.render_question(question, lang, number, len(self.questions), columns=columns))
        shown = time.monotonic()
        response = self._read(present.ask_prompt(question, lang), lambda line: present.parse_answer(question, line, lang))
        seconds = time.monotonic() - shown
        if question.type == "short":
            self.console.say(present.render_key_points(question, lang, columns=columns))
            rating = self._read(t(lang, "ask_rating"), lambda line: present.parse_rating(line, lang))
            correct = rating != schedule.AGAIN
        else:
            correct = present.check_answer(question, response)
            rating = schedule.rating_for(correct)
        with holding_ctrl_c():
            self.history.record(question.id, response=present.bank_letters(question, response), correct=correct,
                                rating=rating, at=self.clock(), seconds=seconds)
        if question.type == "short":
            self.console.say(t(lang, "rated", rating=present.rating_name(rating, lang)))
        else:
            self.console.say(present.render_feedback(question, response, correct, lang, columns=columns))
        if question.exercise:
            self.console.say(t(lang, "practise", exercise=question.exercise))
        return Answer(question, present.bank_letters(question, response), correct, rating, seconds)

    def _read(self, prompt: str, parse: Callable[[str], object]):
        """Ask until `parse` accepts the line; _Stop on `q` or end of input."""
        while True:
            line = self.console.ask(prompt)
            if line is None:
                raise _Stop("eof")
            if line.strip().lower() == "q":
                raise _Stop("quit")
            try:
                return parse(line)
            except present.InvalidAnswer as invalid:
                self.console.say(str(invalid))


@contextmanager
def holding_ctrl_c() -> Iterator[None]:
    """Delay Ctrl-C until the block is done, so an answer is recorded whole or not at all."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt
