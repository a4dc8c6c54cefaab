"""`qkv mock` as a real child process: a whole round with a solution dropped into the work folder
and graded by the real grader, Ctrl-C, time-outs with a sped-up clock, no torch in the parent."""
from __future__ import annotations

import json
import shutil
import signal
import sqlite3

import pytest

from qkv.mock.plan import make_plan
from mockkit import CORPUS, Output, answer_lines, questions, spawn

HEAVY = ("torch", "numpy", "scipy", "hypothesis")
SOLUTION = CORPUS / "masking.causal_mask" / "correct_tril_ones.py"


@pytest.fixture
def where(tmp_path):
    (tmp_path / "work").mkdir()
    return {"home": tmp_path / "home", "cwd": tmp_path / "work"}


def _records(home):
    with sqlite3.connect(home / "history.sqlite3") as db:
        return [json.loads(record) for record, in db.execute("SELECT record FROM rounds ORDER BY id")]


def _heavy(modules):
    return sorted(m for m in json.loads(modules.read_text()) if m.split(".")[0] in HEAVY)


def test_a_whole_round_with_a_solution_written_mid_round(where, tmp_path):
    plan = make_plan(questions(), minutes=45, topics=["masking"], seed=2)
    assert plan.exercise.id == "masking.causal_mask"
    modules = tmp_path / "modules.json"
    child = spawn(["--topic", "masking", "--seed", "2", "--report", "round.md"], modules=modules, **where)
    output = Output(child)
    output.send(*(line for q in plan.warmup for line in answer_lines(q, True)))
    for probe in plan.deep_dive:
        output.send(*answer_lines(probe.question, True), *(x for f in probe.follow_ups for x in answer_lines(f, True)),
                    "1")
    text = output.wait_for("grade, hint or done: ")
    path = where["cwd"] / text.split("Your file: ")[1].split("\n")[0]
    assert path.parent.parent == where["cwd"] and "raise NotImplementedError" in path.read_text()
    shutil.copyfile(SOLUTION, path)  # the candidate's editor saves the file
    output.send("grade")
    output.wait_for("grade, hint or done: ", 2)
    output.send("done")
    out, err = output.finish()
    assert child.returncode == 0, err
    assert "PASS  " in out and "PASSED: all " in out and "Traceback" not in err
    [record] = _records(where["home"])
    task = record["sections"]["coding"]["items"][0]
    assert (task["grades"], task["verdict"]["passed"], task["verdict"]["status"]) == (1, True, "graded")
    with sqlite3.connect(where["home"] / "history.sqlite3") as db:  # the round's grade counts as progress
        assert db.execute("SELECT exercise, passed FROM grades").fetchall() == [("masking.causal_mask", 1)]
    assert "masking.causal_mask: PASS, all " in out and "Missed: " in out  # one key point ticked of each
    assert "## Coding\n\n- masking.causal_mask: PASS, all " in (where["cwd"] / "round.md").read_text(encoding="utf-8")
    assert _heavy(modules) == []  # grading ran in the grader's child process


def test_ctrl_c_prints_and_saves_the_scorecard_and_exits_130(where):
    plan = make_plan(questions(), minutes=45, topics=[], seed=6)
    child = spawn(["--seed", "6"], **where)
    output = Output(child)
    output.wait_for("[Warm-up ")
    output.send(*answer_lines(plan.warmup[0], True))
    output.wait_for("[Warm-up ", 2)  # the first answer is saved before the second question is shown
    child.send_signal(signal.SIGINT)
    out, err = output.finish()
    assert child.returncode == 130, err
    assert "Stopped with Ctrl-C: this scorecard covers what was done." in out and "Traceback" not in err
    assert "Saved as round 1" in out
    [record] = _records(where["home"])
    assert record["ended"] == "interrupted"
    assert [i["id"] for i in record["sections"]["warmup"]["items"]] == [plan.warmup[0].id]


def test_every_section_times_out_on_a_fast_clock_while_the_candidate_types_nothing(where):
    child = spawn(["--minutes", "1", "--seed", "3"], QKV_MOCK_TIME_SCALE="60", **where)  # 1 minute in 1 second
    output = Output(child, timeout=30)
    output.wait_for("══ Mock interview #1")  # stdin stays open: only the clock can move the round on
    out, err = output.finish()
    assert child.returncode == 0, err
    [record] = _records(where["home"])
    assert [(name, s["timed_out"], s["items"] and name != "coding") for name, s in record["sections"].items()] == \
        [("warmup", True, []), ("deep_dive", True, []), ("coding", True, False)]
    assert out.count("⏰ Time is up for this section") == 3 and out.count("time up") == 3
    [starter] = where["cwd"].glob("qkv-mock-*/*.py")
    assert "raise NotImplementedError" in starter.read_text()
    assert record["sections"]["coding"]["items"][0]["verdict"] is None  # an untouched starter is not graded


@pytest.mark.parametrize("args", [["--help"], ["--list"], ["--show", "1"]])
def test_help_list_and_show_never_import_heavy_modules(where, tmp_path, args):
    plan = make_plan(questions(), minutes=45, topics=[], seed=1)
    answer = "\n".join(answer_lines(plan.warmup[0], True))
    first = spawn(["--seed", "1"], **where)  # one answer, then q: a round for --show 1
    first.communicate(f"{answer}\nq\n".encode(), timeout=60)
    modules = tmp_path / "modules.json"
    child = spawn(args, modules=modules, **where)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert _heavy(modules) == [] and out
