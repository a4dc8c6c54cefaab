"""One mock interview round: warm-up, deep-dive and coding, each against its own clock.

Every prompt shows the section's countdown. When a section's time runs out it ends (an
answer typed after the deadline does not count) and the round moves on. `q` or the end of
input ends the round; so does Ctrl-C. In every case `run` returns the record of what was
done (its format: mock/scorecard.py), and each answer is already in the quiz history with
its review card, as in `qkv quiz`.

The coding section writes the exercise's starter into a fresh folder and lets the candidate
edit it in their own editor; `grade` runs the grader (in its child process: no torch here)
and shows its report, `hint` reveals the next hint, `done` ends the section. When the
section ends, a file changed since it was last graded is graded once more.
"""
from __future__ import annotations

import hashlib
import unicodedata
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from qkv.grader import progress, report, runner
from qkv.grader.starter import statement, write_starter
from qkv.mock.clock import Clock, LineReader, TimeUp
from qkv.mock.plan import Plan
from qkv.questions.bank import Question, Text
from qkv.quiz import present, schedule
from qkv.quiz.history import History
from qkv.quiz.lang import LANGS, fill, t
from qkv.quiz.session import Console, holding_ctrl_c, utc_now

RECORD_VERSION = 1
COMMANDS = {"grade": "grade", "评分": "grade", "hint": "hint", "提示": "hint", "done": "done", "完成": "done"}
_NONE = ("0", "none", "无")
_ALL = ("all", "全部")


class _Stop(Exception):
    def __init__(self, reason: str):  # quit | eof
        self.reason = reason


class Round:
    def __init__(self, plan: Plan, *, console: Console, reader: LineReader, clock: Clock, history: History,
                 lang: str, workdir: Path, grade: Callable[[str, str], runner.Verdict] = runner.grade):
        """`reader` is the console's input; `workdir` is where the coding section makes its folder."""
        self.plan, self.console, self.reader, self.clock = plan, console, reader, clock
        self.history, self.lang, self.workdir, self.grade = history, lang, workdir, grade
        self._section_name = ""
        self._deadline: float | None = None
        self._graded: str | None = None  # digest of the solution file as last graded

    def run(self, started_at: datetime) -> dict:
        """Ask the whole round; stop early on `q`, end of input or Ctrl-C (record["ended"] says which)."""
        plan = self.plan
        record = {"version": RECORD_VERSION, "started_at": started_at.isoformat(), "minutes": plan.minutes,
                  "topics": list(plan.topics), "seed": plan.seed, "lang": self.lang, "ended": "finished",
                  "sections": {}}
        try:
            self._warmup(record)
            self._deep_dive(record)
            self._coding(record)
        except _Stop as stop:
            record["ended"] = stop.reason
        except KeyboardInterrupt:
            record["ended"] = "interrupted"
        return record

    # --- the sections ---

    def _warmup(self, record: dict) -> None:
        questions = self.plan.warmup
        with self._section(record, "warmup", [q.id for q in questions], count=len(questions)) as items:
            for number, question in enumerate(questions, 1):
                items.append(self._ask_question(question, number, len(questions)))

    def _deep_dive(self, record: dict) -> None:
        probes = self.plan.deep_dive
        planned = [q.id for p in probes for q in (p.question, *p.follow_ups)]
        with self._section(record, "deep_dive", planned, count=len(probes)) as items:
            for number, probe in enumerate(probes, 1):
                item = self._ask_question(probe.question, number, len(probes))
                items.append(item)
                with self._then(lambda: self._rate(probe.question, item)):  # rated even when time is up
                    for index, follow_up in enumerate(probe.follow_ups, 1):
                        self.console.say("\n" + t(self.lang, "mock_follow_up", index=index,
                                                  total=len(probe.follow_ups)))
                        item["follow_ups"].append(self._ask_question(
                            follow_up, number, len(probes), follow_up=(index, len(probe.follow_ups))))

    def _coding(self, record: dict) -> None:
        exercise = self.plan.exercise
        if exercise is None:
            self.console.say("\n" + t(self.lang, "mock_no_exercise", topics=", ".join(self.plan.topics)))
            return
        with self._section(record, "coding", [exercise.id], exercise=exercise.id) as items:
            path = write_starter(exercise, _fresh_folder(self.workdir), lang=self.lang)
            item = {"exercise": exercise.id, "path": str(path), "grades": 0, "hints": 0, "verdict": None}
            items.append(item)
            self.console.say(statement(exercise, commands=False, lang=self.lang))  # the round has its own commands
            self.console.say("\n" + fill(t(self.lang, "mock_coding_intro", path=path), self.console.columns))
            self._graded = _digest(path)  # the starter needs no grading
            with self._then(lambda: self._grade_if_changed(item, path)):
                while (command := self._read(t(self.lang, "mock_ask_command"), self._command)) != "done":
                    if command == "grade":
                        self._grade(item, path)
                    else:
                        self._hint(item)

    # --- one section, one question ---

    @contextmanager
    def _section(self, record: dict, name: str, planned: list[str], **header: object) -> Iterator[list]:
        """The items list of a new section of `record` that plans to ask `planned` (question or exercise
        ids); time-outs end it, its time is kept in any case."""
        budget = self.plan.budget(name)
        section = record["sections"][name] = {"budget_s": round(budget), "seconds": 0.0, "timed_out": False,
                                              "planned": planned, "items": []}
        self.console.say("\n" + t(self.lang, f"mock_{name}_header", time=_countdown(budget), **header))
        start = self.clock.now()
        self._section_name, self._deadline = name, start + budget
        try:
            yield section["items"]
        except TimeUp:
            section["timed_out"] = True
        finally:  # a section that ran out of time took its budget, whatever was rated or graded after
            section["seconds"] = round(budget if section["timed_out"] else self.clock.now() - start, 1)
            self._deadline = None

    def _ask_question(self, question: Question, number: int, total: int,
                      follow_up: tuple[int, int] | None = None) -> dict:
        """Show `question`, read an answer and, unless it is `short` (rated later), check it and explain it."""
        lang, columns = self.lang, self.console.columns
        self.console.say("\n" + present.render_question(question, lang, number, total, columns=columns,
                                                        follow_up=follow_up))
        shown = self.clock.now()
        response = self._read(present.ask_prompt(question, lang),
                              lambda line: present.parse_answer(question, line, lang))
        item = {"id": question.id, "type": question.type, "prompt": vars(question.prompt),
                "seconds": round(self.clock.now() - shown, 1)}
        if question.type == "short":
            return {**item, "text": response, "key_points": [vars(p) for p in question.key_points], "covered": None,
                    "follow_ups": []}
        correct = present.check_answer(question, response)
        self._record(question, response, correct, schedule.rating_for(correct), item["seconds"])
        self.console.say(present.render_feedback(question, response, correct, lang, columns=columns))
        return {**item, "correct": correct, "response": _both(question, response),
                "answer": _both(question, question.answer)}

    def _rate(self, question: Question, item: dict) -> None:
        """Show the key points next to the candidate's answer; they tick the ones they made (not timed)."""
        lang, columns = self.lang, self.console.columns
        points = question.key_points
        lines = [t(lang, "mock_your_answer", text=item["text"]), t(lang, "key_points"),
                 *(fill(f"  {i}. {point(lang)}", columns, hang=5) for i, point in enumerate(points, 1)),
                 t(lang, "explanation", text=question.explanation(lang))]
        self.console.say("\n" + "\n".join(fill(line, columns) for line in lines))
        covered = self._read(t(lang, "mock_ask_covered", count=len(points)),
                             lambda line: parse_covered(line, len(points), lang), timed=False)
        item["covered"] = covered
        rating = rating_for_coverage(len(covered), len(points))
        self._record(question, item["text"], rating != schedule.AGAIN, rating, item["seconds"])
        self.console.say(t(lang, "mock_covered", covered=len(covered), total=len(points)))

    @contextmanager
    def _then(self, action: Callable[[], object]) -> Iterator[None]:
        """Run `action` after the block, also when the section's time runs out in it (not on q,
        at the end of input or on Ctrl-C: those end the round at once)."""
        try:
            yield
        except TimeUp:
            action()
            raise
        action()

    def _grade(self, item: dict, path: Path) -> None:
        """Grade the file, show the grader's report, keep the verdict and the digest of what was graded."""
        self.console.say(t(self.lang, "mock_grading"))
        self._graded = _digest(path)
        try:
            verdict = self.grade(item["exercise"], str(path))
        except runner.GradeUsageError as error:
            item["verdict"] = {"status": "load-error", "passed": False, "checks": [], "diagnosis": [],
                               "message": str(error)}
            self.console.say(f"Error: {report.escape_controls(str(error))}")
        else:
            item["verdict"] = {"status": verdict.status, "passed": verdict.passed,
                               "checks": [[c["name"], c["passed"]] for c in verdict.checks],
                               "diagnosis": verdict.diagnosis, "message": verdict.message}
            progress.record(verdict, str(path))  # a grade in a round counts for `qkv list` and `progress`
            self.console.say(report.to_text(verdict, hint="hint", lang=self.lang))  # the round's own command
        item["grades"] += 1

    def _grade_if_changed(self, item: dict, path: Path) -> None:
        if _digest(path) != self._graded:
            self._grade(item, path)

    def _hint(self, item: dict) -> None:
        hints = self.plan.exercise.hints_in(self.lang)
        if item["hints"] == len(hints):
            self.console.say(t(self.lang, "mock_no_more_hints"))
            return
        item["hints"] += 1
        self.console.say(fill(t(self.lang, "mock_hint", level=item["hints"], total=len(hints),
                                text=hints[item["hints"] - 1]), self.console.columns))

    def _record(self, question: Question, response: object, correct: bool, rating: int, seconds: float) -> None:
        with holding_ctrl_c():
            self.history.record(question.id, response=response, correct=correct, rating=rating, at=utc_now(),
                                seconds=seconds)

    # --- reading input against the clock ---

    def _read(self, prompt: str, parse: Callable[[str], object], *, timed: bool = True):
        """Ask until `parse` accepts the line (present.InvalidAnswer says what it expects)."""
        while True:
            line = self._ask(prompt, timed=timed)
            try:
                return parse(line)
            except present.InvalidAnswer as invalid:
                self.console.say(str(invalid))

    def _ask(self, prompt: str, *, timed: bool) -> str:
        """A line from the candidate, the section's countdown in front of the prompt when `timed`.

        TimeUp when the time runs out before the line is complete, or the line came too late;
        _Stop on `q` or at the end of input.
        """
        self.reader.timeout = None
        if timed:
            left = self._deadline - self.clock.now()
            if left <= 0:
                self._time_up()
            prompt = f"[{t(self.lang, 'mock_' + self._section_name)} {_countdown(left)}] {prompt}"
            self.reader.timeout = self.clock.real(left)
        try:
            line = self.console.ask(prompt)
        except TimeUp:
            self.console.say("")
            self._time_up()
        if line is None:
            raise _Stop("eof")
        if timed and self.clock.now() >= self._deadline:
            self._time_up(late=True)
        if line.strip().lower() == "q":
            raise _Stop("quit")
        return line

    def _time_up(self, *, late: bool = False) -> None:
        section = t(self.lang, "mock_" + self._section_name)
        self.console.say(t(self.lang, "mock_time_up_late" if late else "mock_time_up", section=section))
        raise TimeUp

    def _command(self, line: str) -> str:
        command = COMMANDS.get(unicodedata.normalize("NFKC", line).strip().lower())
        if command is None:
            raise present.InvalidAnswer(t(self.lang, "mock_expect_command", got=line.strip()))
        return command


def parse_covered(line: str, count: int, lang: str) -> list[int]:
    """The key points ticked, as 0-based indices: "1,3", "1 3", "13", 0/none/无 for none, all/全部 for all."""
    text = unicodedata.normalize("NFKC", line).strip().lower()
    if text in _NONE:
        return []
    if text in _ALL:
        return list(range(count))
    digits = [c for c in text if c not in " ,、"]
    if not digits or any(not c.isdigit() or not 1 <= int(c) <= count for c in digits):
        raise present.InvalidAnswer(t(lang, "mock_expect_covered", count=count, got=line.strip()))
    return sorted({int(c) - 1 for c in digits})


def rating_for_coverage(covered: int, total: int) -> int:
    """The review rating of a short answer: every key point good, at least half hard, fewer again."""
    if covered == total:
        return schedule.GOOD
    return schedule.HARD if 2 * covered >= total else schedule.AGAIN


def _both(question: Question, response: object) -> dict[str, str]:
    """A response as the candidate would type it, in both languages (true/false differ)."""
    return vars(Text(*(present.format_answer(question, response, lang) for lang in LANGS)))


def _countdown(seconds: float) -> str:
    minutes, seconds = divmod(max(0, round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def _fresh_folder(parent: Path) -> Path:
    """A new folder qkv-mock-<date>-<time>[-n] in `parent`; never one that exists."""
    stem = f"qkv-mock-{datetime.now():%Y%m%d-%H%M%S}"
    for n in range(1, 1000):
        folder = parent / (stem if n == 1 else f"{stem}-{n}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"{parent / stem}: a thousand folders of that name exist already")
