"""One round (mock/round.py) with scripted input, a clock the test moves and, except where
said, a stand-in for the grader (the real one runs in tests/mock/test_mock_processes.py)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from qkv.grader import runner
from qkv.mock import round as mock_round
from qkv.mock.clock import TimeUp
from qkv.mock.plan import make_plan
from qkv.mock.round import Round, parse_covered, rating_for_coverage
from mockkit import CORPUS, answer_lines, questions
from qkv.quiz import present, schedule
from qkv.quiz.history import History
from qkv.quiz.session import Console
from quizkit import T0

SOLUTION = CORPUS / "masking.causal_mask" / "correct_tril_ones.py"


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def now(self):
        return self.t

    def real(self, seconds):
        return seconds


class Pause:
    """The candidate thinks for `seconds` before typing the next line; the reader's time limit cuts in."""

    def __init__(self, seconds):
        self.seconds = seconds


class Late(Pause):
    """Time passes and no time limit cuts in (input read without select())."""


class Script:
    """The round's stdin: lines, Pause/Late, callables (run when reached) or exceptions (raised)."""

    def __init__(self, clock, items):
        self.clock, self.items, self.timeout = clock, list(items), None

    def isatty(self):
        return False

    def readline(self):
        while self.items:
            item = self.items.pop(0)
            if isinstance(item, Late):
                self.clock.t += item.seconds
            elif isinstance(item, Pause):
                if self.timeout is not None and item.seconds >= self.timeout:
                    self.clock.t += self.timeout
                    raise TimeUp
                self.clock.t += item.seconds
            elif isinstance(item, BaseException):
                raise item
            elif callable(item):
                item()
            else:
                return item + "\n"
        return ""


class FakeGrader:
    """Passes a file that no longer raises NotImplementedError; remembers what it graded."""

    def __init__(self):
        self.graded = []

    def __call__(self, exercise_id, path):
        text = Path(path).read_text()
        self.graded.append(text)
        passed = "NotImplementedError" not in text
        check = {"name": "matches the reference", "passed": passed, "message": "" if passed else "wrong values",
                 "counterexample": None}
        return runner.Verdict(exercise_id, path, "graded", "cpu", 0, 25, checks=[check],
                              diagnosis=[] if passed else ["polarity"], declared=1)


@pytest.fixture
def plan():
    return make_plan(questions(), minutes=45, topics=["masking"], seed=2)  # exercise: masking.causal_mask


@pytest.fixture
def workdir(tmp_path):
    return tmp_path / "work"


@pytest.fixture
def play(tmp_path, workdir):
    """play(plan, items, grade=None, lang="en") -> (record, transcript, answers in the history)."""
    def run(plan, items, grade=None, lang="en"):
        clock = FakeClock()
        script = Script(clock, items)
        out = io.StringIO()
        history = History(tmp_path / "history.sqlite3")
        record = Round(plan, console=Console(script, out), reader=script, clock=clock, history=history, lang=lang,
                       workdir=workdir, grade=grade or FakeGrader()).run(T0)
        answers = history.answers()
        history.close()
        return record, out.getvalue(), answers
    return run


def _warmup_lines(plan, right=True):
    return [line for q in plan.warmup for line in answer_lines(q, right)]


def _deep_dive_lines(plan, right=True, ticks="all"):
    return [line for p in plan.deep_dive
            for line in [*answer_lines(p.question, right), *(x for f in p.follow_ups for x in answer_lines(f, right)),
                         ticks]]


def _solve(workdir):
    """Drop a correct solution over the starter, as the candidate's editor would."""
    [starter] = workdir.glob("qkv-mock-*/causal_mask.py")
    starter.write_text(SOLUTION.read_text())


def _deep_dive_ids(plan):
    return [q.id for p in plan.deep_dive for q in (p.question, *p.follow_ups)]


def test_a_whole_round_with_right_answers(plan, play, workdir):
    grader = FakeGrader()
    items = [*_warmup_lines(plan), *_deep_dive_lines(plan), lambda: _solve(workdir), "grade", "done"]
    record, transcript, answers = play(plan, items, grader)
    assert record["ended"] == "finished" and list(record["sections"]) == ["warmup", "deep_dive", "coding"]
    warmup, deep_dive, coding = record["sections"].values()
    assert [(i["id"], i["correct"]) for i in warmup["items"]] == [(q.id, True) for q in plan.warmup]
    assert [i["covered"] for i in deep_dive["items"]] == [list(range(len(p.question.key_points)))
                                                          for p in plan.deep_dive]
    assert [i["text"] for i in deep_dive["items"]] == [f"my answer to {p.question.id}" for p in plan.deep_dive]
    assert all(f["correct"] for i in deep_dive["items"] for f in i["follow_ups"])
    [task] = coding["items"]
    assert (task["exercise"], task["grades"], task["verdict"]["passed"]) == ("masking.causal_mask", 1, True)
    assert grader.graded == [SOLUTION.read_text()]  # `done` does not grade an unchanged file again
    assert Path(task["path"]).parent.parent == workdir
    assert not any(s["timed_out"] for s in record["sections"].values())
    # every answer is in the quiz history, a short one once rated
    deep_ids = [q.id for p in plan.deep_dive for q in (*p.follow_ups, p.question)]  # a question is rated last
    assert [(a["question_id"], a["correct"], a["rating"]) for a in answers] == \
        [(q.id, True, schedule.GOOD) for q in plan.warmup] + [(qid, True, schedule.GOOD) for qid in deep_ids]
    # a countdown at every prompt, the section's budget at the start
    assert "[Warm-up 6:45] Your answer" in transcript and "[Deep-dive 15:45] Your answer" in transcript
    assert "[Coding 22:30] grade, hint or done: " in transcript
    assert transcript.count("PASS  matches the reference") == 1 and "PASSED: all 1 checks" in transcript


def test_wrong_answers_and_ticks_are_scored_and_rated(plan, play):
    items = [*_warmup_lines(plan, right=False), *_deep_dive_lines(plan, right=False, ticks="1"), "done"]
    record, transcript, answers = play(plan, items)
    warmup, deep_dive, coding = record["sections"].values()
    assert not any(i["correct"] for i in warmup["items"])
    assert [i["covered"] for i in deep_dive["items"]] == [[0]] * len(plan.deep_dive)
    ratings = {a["question_id"]: a["rating"] for a in answers}
    for probe in plan.deep_dive:  # 1 of 3 key points: again; 1 of 2: hard
        assert ratings[probe.question.id] == rating_for_coverage(1, len(probe.question.key_points))
    assert {ratings[q.id] for q in plan.warmup} == {schedule.AGAIN}
    assert coding["items"][0]["verdict"] is None  # the untouched starter is not graded
    assert "✗ Wrong." in transcript and "Key points a good answer makes:" in transcript


def test_when_the_warmup_time_runs_out_the_round_moves_on(plan, play):
    budget = plan.budget("warmup")
    items = [*answer_lines(plan.warmup[0], True), Pause(budget), *_deep_dive_lines(plan), "done"]
    record, transcript, answers = play(plan, items)
    warmup = record["sections"]["warmup"]
    assert warmup["timed_out"] and len(warmup["items"]) == 1 and warmup["seconds"] == pytest.approx(budget)
    assert "⏰ Time is up for this section (Warm-up)." in transcript
    assert not record["sections"]["deep_dive"]["timed_out"] and record["ended"] == "finished"
    assert answers[0]["question_id"] == plan.warmup[0].id and plan.warmup[1].id not in {a["question_id"] for a in answers}


def test_an_answer_typed_after_the_deadline_does_not_count(plan, play):
    items = [Late(plan.budget("warmup") + 5), *answer_lines(plan.warmup[0], True), *_deep_dive_lines(plan), "done"]
    record, transcript, answers = play(plan, items)
    assert record["sections"]["warmup"]["items"] == [] and record["sections"]["warmup"]["timed_out"]
    assert "came after the time for this section (Warm-up) ran out: it does not count" in transcript
    assert plan.warmup[0].id not in {a["question_id"] for a in answers}


def test_a_deep_dive_time_out_during_follow_ups_still_rates_the_answer_given(plan, play):
    probe = plan.deep_dive[0]
    items = [*_warmup_lines(plan), *answer_lines(probe.question, True), Pause(plan.budget("deep_dive")), "1,2",
             "done"]
    record, transcript, answers = play(plan, items)
    deep_dive = record["sections"]["deep_dive"]
    assert deep_dive["timed_out"] and deep_dive["planned"] == _deep_dive_ids(plan)
    [item] = deep_dive["items"]
    assert (item["id"], item["covered"], item["follow_ups"]) == (probe.question.id, [0, 1], [])
    assert answers[-1]["question_id"] == probe.question.id
    assert "coding" in record["sections"]


@pytest.mark.parametrize("edited", [True, False])
def test_a_coding_time_out_grades_a_changed_file_once_more(plan, play, workdir, edited):
    grader = FakeGrader()
    items = [*_warmup_lines(plan), *_deep_dive_lines(plan), "grade", *([lambda: _solve(workdir)] * edited),
             Pause(plan.budget("coding"))]
    record, transcript, _ = play(plan, items, grader)
    coding = record["sections"]["coding"]
    assert coding["timed_out"] and record["ended"] == "finished"
    assert len(grader.graded) == 1 + edited and coding["items"][0]["grades"] == 1 + edited
    assert coding["items"][0]["verdict"]["passed"] is edited
    assert "⏰ Time is up for this section (Coding)." in transcript


def test_done_grades_a_file_changed_since_its_last_grade(plan, play, workdir):
    grader = FakeGrader()
    record, _, _ = play(plan, [*_warmup_lines(plan), *_deep_dive_lines(plan), "grade", lambda: _solve(workdir),
                               "done"], grader)
    task = record["sections"]["coding"]["items"][0]
    assert ["NotImplementedError" in text for text in grader.graded] == [True, False]
    assert (task["grades"], task["verdict"]["passed"], record["sections"]["coding"]["timed_out"]) == (2, True, False)


def test_ctrl_c_while_grading_ends_the_round(plan, play):
    def interrupted(exercise_id, path):
        raise KeyboardInterrupt  # runner.grade kills its child process and re-raises

    record, _, _ = play(plan, [*_warmup_lines(plan), *_deep_dive_lines(plan), "grade", "done"], interrupted)
    assert record["ended"] == "interrupted"
    assert record["sections"]["coding"]["items"][0]["verdict"] is None


def test_hints_come_one_level_at_a_time_and_bad_commands_are_reasked(plan, play):
    record, transcript, _ = play(plan, [*_warmup_lines(plan), *_deep_dive_lines(plan), "hint", "run", "hint", "hint",
                                        "hint", "完成"])
    hints = plan.exercise.hints
    assert record["sections"]["coding"]["items"][0]["hints"] == 3
    assert f"Hint 1/3: {hints[0]}" in transcript and f"Hint 3/3: {hints[2]}" in transcript
    assert "No more hints: that was the last one." in transcript
    assert "Expected grade, hint or done (q ends the round), got 'run'." in transcript


@pytest.mark.parametrize("stop, ended", [("q", "quit"), (None, "eof"), (KeyboardInterrupt(), "interrupted")])
def test_q_end_of_input_and_ctrl_c_end_the_round_keeping_what_was_done(plan, play, stop, ended):
    first = plan.warmup[0]
    items = [Pause(30), *answer_lines(first, True), Pause(12), *([stop] if stop is not None else [])]
    record, transcript, answers = play(plan, items)
    assert record["ended"] == ended and list(record["sections"]) == ["warmup"]
    assert [i["id"] for i in record["sections"]["warmup"]["items"]] == [first.id]
    assert record["sections"]["warmup"]["seconds"] == 42 and [a["question_id"] for a in answers] == [first.id]


def test_q_during_the_follow_ups_leaves_the_answer_unrated(plan, play):
    items = [*_warmup_lines(plan), *answer_lines(plan.deep_dive[0].question, True), "q"]
    record, _, answers = play(plan, items)
    assert record["sections"]["deep_dive"]["items"][0]["covered"] is None
    assert plan.deep_dive[0].question.id not in {a["question_id"] for a in answers}


def test_a_file_that_does_not_compile_is_reported_by_the_real_grader(plan, play, workdir):
    def break_it():
        [starter] = workdir.glob("qkv-mock-*/causal_mask.py")
        starter.write_text("def causal_mask(seq_len, device=None):\n    return (\n")

    record, transcript, _ = play(plan, [*_warmup_lines(plan), *_deep_dive_lines(plan), break_it, "grade", "done"],
                                 runner.grade)
    verdict = record["sections"]["coding"]["items"][0]["verdict"]
    assert verdict["status"] == "load-error" and not verdict["passed"] and "syntax error" in verdict["message"]
    assert "Error: " in transcript and "causal_mask.py:2: syntax error" in transcript


def test_the_round_speaks_chinese(plan, play):
    record, transcript, _ = play(plan, [*_warmup_lines(plan), "q"], lang="zh")
    assert f"══ 热身：{len(plan.warmup)} 道快问快答 · 6:45 ══" in transcript and "[热身 6:45] 你的答案" in transcript
    assert "══ 深入追问" in transcript and record["lang"] == "zh"


@pytest.mark.parametrize("line, covered", [("1,3", [0, 2]), ("3 1", [0, 2]), ("13", [0, 2]), ("１，２", [0, 1]),
                                           ("0", []), ("none", []), ("无", []), ("all", [0, 1, 2]), ("全部", [0, 1, 2])])
def test_ticks_are_read_like_letters(line, covered):
    assert parse_covered(line, 3, "en") == covered


@pytest.mark.parametrize("line", ["", "4", "1,x", "-1"])
def test_bad_ticks_say_what_is_expected(line):
    with pytest.raises(present.InvalidAnswer, match="Expected key point numbers from 1 to 3"):
        parse_covered(line, 3, "en")


@pytest.mark.parametrize("covered, total, rating", [(3, 3, schedule.GOOD), (2, 4, schedule.HARD),
                                                    (1, 3, schedule.AGAIN), (0, 2, schedule.AGAIN)])
def test_short_answers_are_rated_by_the_share_of_key_points(covered, total, rating):
    assert rating_for_coverage(covered, total) == rating


def test_work_folders_are_always_new(tmp_path):
    folders = [mock_round._fresh_folder(tmp_path) for _ in range(3)]
    assert len(set(folders)) == 3 and all(f.is_dir() and not any(f.iterdir()) for f in folders)


def test_the_coding_section_follows_the_rounds_language(plan, play, workdir):
    """A Chinese round: the statement, the starter's header, the hints and the grade report are Chinese."""
    exercise = plan.exercise
    record, transcript, _ = play(plan, [*_warmup_lines(plan), *_deep_dive_lines(plan), "hint", "grade", "done"],
                                 lang="zh")
    assert exercise.statement_in("zh") in transcript and exercise.statement_in("en") not in transcript
    assert f"提示 1/3：{exercise.hints_in('zh')[0]}" in transcript
    assert "诊断" in transcript and "[polarity]" in transcript  # the stand-in grader fails the untouched starter
    [starter] = workdir.glob("qkv-mock-*/causal_mask.py")
    assert starter.read_text().startswith(f"# qkv 练习 {exercise.id}：{exercise.summary_in('zh')}")
