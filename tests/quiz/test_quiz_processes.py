"""`qkv quiz` as a real child process: piped stdin, Ctrl-C (SIGINT), two quizzes at once, no heavy imports."""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qkv.questions import bank
from qkv.quiz import schedule
from quizkit import DEMO, LAUNCH, ROOT, right_lines, spawn

TIMEOUT = 60


def test_piped_answers_as_in_the_issue(tmp_path):
    child = spawn(["quiz", "--bank", str(DEMO), "--seed", "1", "--count", "2"], tmp_path)
    out, err = child.communicate("b\n3.14\n", timeout=TIMEOUT)
    assert child.returncode == 0, err
    assert "Question 1/2" in out and "── Summary ──" in out and err == ""


def test_piped_right_answers_are_scored_and_saved(tmp_path):
    pool = [q for q in bank.load([DEMO]) if q.type in ("single", "numeric", "true_false")]
    order = schedule.select(pool, count=3, rng=random.Random(5))
    lines = [line for q in order for line in right_lines(q)]
    child = spawn(["quiz", "--bank", str(DEMO), "--seed", "5", "--count", "3", "--type", "single", "--type", "numeric",
                   "--type", "true_false"], tmp_path)
    out, _ = child.communicate("\n".join(lines) + "\n", timeout=TIMEOUT)
    assert child.returncode == 0
    assert out.count("✓ Right.") == 3 and "Answered 3 of 3 · 3 right (100%)" in out
    assert _answers(tmp_path) == [(q.id, 1) for q in order]


def test_ctrl_c_prints_the_summary_exits_130_and_keeps_every_answer(tmp_path):
    pool = [q for q in bank.load([DEMO]) if q.type in ("single", "numeric", "true_false")]
    order = schedule.select(pool, count=3, rng=random.Random(0))
    child = spawn(["quiz", "--bank", str(DEMO), "--seed", "0", "--type", "single", "--type", "numeric",
                   "--type", "true_false"], tmp_path)
    output = _Output(child)
    for number, question in enumerate(order[:2], 1):
        output.wait_for_prompt(number)
        child.stdin.write(right_lines(question)[0] + "\n")
        child.stdin.flush()
    output.wait_for_prompt(3)  # answers 1 and 2 are recorded before question 3 is shown
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 130, err
    assert "Answered 2 of 3 · 2 right (100%)" in out and "Traceback" not in err
    assert _answers(tmp_path) == [(q.id, 1) for q in order[:2]]


def test_two_quizzes_at_once_lose_nothing(tmp_path):
    many = tmp_path / "many.yaml"
    many.write_text("format_version: 1\ntopic: many\nquestions:\n" + "".join(
        f"  - {{id: many.q{i}, type: true_false, difficulty: easy, tags: [t], prompt: {{en: p, zh: p}},"
        f" answer: true, explanation: {{en: e, zh: e}}}}\n" for i in range(30)), encoding="utf-8")
    home = tmp_path / "home"
    children = [spawn(["quiz", "--bank", str(many), "--count", "30", "--seed", str(seed)], home) for seed in (1, 2)]
    for child in children:  # both get all their input at once and race through their 30 records
        child.stdin.write("t\n" * 30)
        child.stdin.close()
    results = [(child.wait(timeout=TIMEOUT), child.stdout.read(), child.stderr.read()) for child in children]
    assert [(rc, err) for rc, _, err in results] == [(0, ""), (0, "")]
    assert all("Answered 30 of 30" in out for _, out, _ in results)
    with sqlite3.connect(home / "history.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tallies = db.execute("SELECT question_id, COUNT(*) FROM answers GROUP BY question_id").fetchall()
        cards = db.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    assert sorted(tallies) == sorted((f"many.q{i}", 2) for i in range(30)) and cards == 30


def _open_history(path: str, start: float) -> str:
    from qkv.quiz.history import History
    while time.time() < start:  # every process opens the new file at the same moment
        pass
    try:
        History(Path(path)).close()
    except sqlite3.Error as error:
        return repr(error)
    return "ok"


def test_processes_opening_a_new_history_together_all_succeed(tmp_path):
    """Switching a new file to WAL fails at once, not after the busy timeout, when another process is
    switching it too: before the retry, about half of these rounds lost a process to "database is locked"."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        for round_ in range(15):
            path = str(tmp_path / f"round{round_}" / "history.sqlite3")
            start = time.time() + 0.3
            assert pool.starmap(_open_history, [(path, start)] * 4) == ["ok"] * 4, round_


HEAVY = ("torch", "numpy", "scipy", "hypothesis")


@pytest.mark.parametrize("args, stdin", [
    (["validate", str(DEMO)], ""),
    (["quiz", "--bank", str(DEMO), "--type", "numeric"], "0.125\n"),
    (["stats", "--bank", str(DEMO)], ""),
])
def test_validate_quiz_and_stats_never_import_heavy_modules(tmp_path, args, stdin):
    dump = tmp_path / "modules.json"
    code = (f"import atexit, json, sys; atexit.register(lambda: open({str(dump)!r}, 'w').write("
            f"json.dumps(sorted(sys.modules)))); {LAUNCH}")
    env = {**os.environ, "QKV_HOME": str(tmp_path / "home"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, input=stdin, text=True,
                          capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    modules = json.loads(dump.read_text())
    assert "qkv.questions.bank" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
    if args[0] == "quiz":
        assert "fsrs" in modules and "✓ Right." in done.stdout


class _Output:
    """The child's stdout read as it comes, without blocking forever."""

    def __init__(self, child: subprocess.Popen):
        self.child, self.raw = child, b""

    def wait_for_prompt(self, number: int, prompt: str = "q to quit): ") -> None:
        deadline = time.monotonic() + TIMEOUT
        fd = self.child.stdout.fileno()
        while self.raw.decode("utf-8", "replace").count(prompt) < number:
            if not select.select([fd], [], [], 1)[0]:
                assert time.monotonic() < deadline and self.child.poll() is None, f"stuck after:\n{self.raw.decode()}"
                continue
            chunk = os.read(fd, 4096)
            assert chunk, f"the quiz closed its output after:\n{self.raw.decode()}"
            self.raw += chunk


def _answers(home) -> list[tuple[str, int]]:
    with sqlite3.connect(home / "history.sqlite3") as db:
        return db.execute("SELECT question_id, correct FROM answers ORDER BY id").fetchall()
