"""The quiz loop with a scripted console and a fixed clock (quiz/session.py)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from qkv.quiz.history import History
from qkv.quiz.session import Console, Quiz
from quizkit import T0, right_lines, wrong_lines


class Scripted:
    """A console that answers from a list; an exception in the list is raised instead of read."""

    columns = None

    def __init__(self, lines):
        self.lines, self.shown = list(lines), []

    def say(self, text):
        self.shown.append(text)

    def ask(self, prompt):
        self.shown.append(prompt)
        if not self.lines:
            return None
        line = self.lines.pop(0)
        if isinstance(line, BaseException):
            raise line
        return line


@pytest.fixture
def history(tmp_path):
    opened = History(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def _run(questions, lines, history, lang="en"):
    console = Scripted(lines)
    summary = Quiz(questions, console=console, history=history, lang=lang, clock=lambda: T0).run()
    return summary, console


def test_every_type_scored_and_recorded(demo, history):
    questions = list(demo.values())
    right, wrong = questions[::2], questions[1::2]
    lines = [line for q in questions for line in (right_lines(q) if q in right else wrong_lines(q))]
    summary, _ = _run(questions, lines, history)
    assert summary.ended == "finished" and len(summary.answers) == 6
    assert [a.correct for a in summary.answers] == [q in right for q in questions]
    assert summary.revisit == [q.id for q in wrong]
    assert summary.scores("type") == {q.type: {"answered": 1, "correct": int(q in right)} for q in questions}
    assert summary.scores("topic") == {"demo": {"answered": 6, "correct": 3}}
    assert [(a["question_id"], a["correct"]) for a in history.answers()] == [(q.id, q in right) for q in questions]


def test_invalid_input_is_reasked_and_not_counted(demo, history):
    question = demo["demo.softmax-sum"]
    summary, console = _run([question], ["z", "", "a,b", "b"], history)
    assert [a.response for a in summary.answers] == ["b"]
    assert console.shown.count("Expected one letter among a-c, got 'z'.") == 1
    assert len(history.answers()) == 1


def test_q_quits_and_keeps_what_was_answered(demo, history):
    questions = [demo["demo.softmax-sum"], demo["demo.scale-value"], demo["demo.dropout-inference"]]
    summary, _ = _run(questions, ["b", "Q"], history)
    assert (summary.ended, summary.total, len(summary.answers)) == ("quit", 3, 1)
    assert [a["question_id"] for a in history.answers()] == ["demo.softmax-sum"]


def test_end_of_input_stops_cleanly(demo, history):
    summary, _ = _run([demo["demo.softmax-sum"], demo["demo.scale-value"]], ["a"], history)
    assert (summary.ended, len(summary.answers), summary.correct) == ("eof", 1, 0)


def test_ctrl_c_stops_with_the_answers_so_far_recorded(demo, history):
    questions = [demo["demo.softmax-sum"], demo["demo.scale-value"], demo["demo.dropout-inference"]]
    summary, _ = _run(questions, ["b", "0.125", KeyboardInterrupt()], history)
    assert (summary.ended, len(summary.answers)) == ("interrupted", 2)
    assert len(history.answers()) == 2


def test_short_answer_shows_key_points_then_takes_a_self_rating(demo, history):
    question = demo["demo.why-residual"]
    summary, console = _run([question], ["the identity path", "maybe", "2"], history)
    answer = summary.answers[0]
    assert (answer.response, answer.rating, answer.correct) == ("the identity path", 2, True)
    assert "Key points a good answer makes:" in console.shown[2]
    assert "Expected 1-4 or again, hard, good, easy, got 'maybe'." in console.shown
    assert console.shown[-1] == "Rated hard."
    _run([question], ["no idea", "again"], history)
    assert [(a["rating"], a["correct"]) for a in history.answers()] == [(2, True), (1, False)]


def test_wrong_answers_come_back_soon_right_ones_later(demo, history):
    _run([demo["demo.softmax-sum"], demo["demo.scale-value"]], ["a", "0.125"], history)
    due = history.due_times()
    assert due["demo.softmax-sum"] == (T0 + timedelta(minutes=10)).timestamp()
    assert due["demo.scale-value"] > (T0 + timedelta(days=1)).timestamp()


def test_summary_dict_and_text(demo, history):
    summary, _ = _run([demo["demo.softmax-sum"], demo["demo.mask-values"]], ["b", "a"], history)
    data = summary.to_dict()
    assert {k: data[k] for k in ("questions", "answered", "correct", "ended", "revisit")} == {
        "questions": 2, "answered": 2, "correct": 1, "ended": "finished", "revisit": ["demo.mask-values"]}
    assert data["by_type"] == {"single": {"answered": 1, "correct": 1}, "multi": {"answered": 1, "correct": 0}}
    assert [(a["id"], a["response"]) for a in data["answers"]] == [("demo.softmax-sum", "b"),
                                                                   ("demo.mask-values", ("a",))]
    text = summary.render("en").splitlines()
    assert text[0] == "── Summary ──"
    assert text[1].startswith("Answered 2 of 2 · 1 right (50%) · 0m ")
    assert text[2:] == ["By topic: demo 1/2", "By type:  single choice 1/1 · multiple choice 0/1",
                        "Revisit:  demo.mask-values"]
    zh = summary.render("zh").splitlines()
    assert zh[1].startswith("共 2 题，答了 2 题 · 答对 1 题（50%）· 用时 0 分 ")
    assert zh[3] == "按题型：单选 1/1 · 多选 0/1"


def test_console_echoes_piped_input_and_returns_none_at_eof():
    out = io.StringIO()
    console = Console(io.StringIO("b\r\n"), out)
    assert console.ask("Answer: ") == "b"
    assert console.ask("Answer: ") is None
    assert out.getvalue() == "Answer: b\nAnswer: \n"


def test_summary_fills_to_the_terminal_width(demo, history):
    questions = [demo["demo.softmax-sum"], demo["demo.mask-values"], demo["demo.read-causal-mask"]]
    summary, _ = _run(questions, ["a", "b", "a"], history)
    lines = summary.render("en", columns=46).splitlines()
    assert lines[-2:] == ["Revisit:  demo.softmax-sum, demo.mask-values,", "          demo.read-causal-mask"]
    assert all(len(line) <= 46 for line in lines)


def test_a_question_paired_with_an_exercise_names_the_command_to_practise_it(demo, history):
    paired = demo["demo.read-causal-mask"]
    _, console = _run([paired], right_lines(paired), history)
    assert "Practise it: qkv start masking.causal_mask" in console.shown
    _, console = _run([demo["demo.scale-value"]], right_lines(demo["demo.scale-value"]), history, lang="zh")
    assert not any("qkv start" in line for line in console.shown)


def test_history_of_a_retired_id_moves_to_the_question_that_replaces_it(history):
    history.record("old.gone", response="b", correct=False, rating=1, at=T0, seconds=1.0)
    history.record("old.both", response="a", correct=True, rating=3, at=T0, seconds=1.0)
    history.record("new.kept", response="a", correct=True, rating=3, at=T0 + timedelta(days=1), seconds=1.0)
    kept_due = history.due_times()["new.kept"]
    history.redirect({"old.gone": "new.one", "old.both": "new.kept"})
    assert set(history.due_times()) == {"new.one", "new.kept"}
    assert history.due_times()["new.kept"] == kept_due  # a card already under the new id wins
    assert history.tallies() == {"new.one": (1, 0), "new.kept": (2, 2)}
    history.redirect({"old.gone": "new.one"})  # nothing left to move: a no-op
    assert history.tallies() == {"new.one": (1, 0), "new.kept": (2, 2)}
