"""`qkv mock` through click's CliRunner on the test banks: a round from piped input, --report,
--list, --show, --seed, the languages and the errors."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from qkv import cli
from qkv.mock import scorecard
from qkv.mock.plan import make_plan
from mockkit import BANKS, answer_lines, questions
from qkv.quiz.history import History


def run(*args, input=None, env=None):
    return CliRunner().invoke(cli.main, ["mock", "--bank", str(BANKS), *args], input=input, env=env)


def _lines(plan):
    """Right answers to the warm-up and the deep-dive, every key point ticked."""
    warmup = [line for q in plan.warmup for line in answer_lines(q, True)]
    deep_dive = [line for p in plan.deep_dive for line in
                 [*answer_lines(p.question, True), *(x for f in p.follow_ups for x in answer_lines(f, True)), "all"]]
    return warmup + deep_dive


def _rounds(home):
    history = History(home / "history.sqlite3")
    rounds = history.rounds()
    history.close()
    return rounds


def _play(*args, plan, then="done", **kwargs):
    return run(*args, input="\n".join([*_lines(plan), then]) + "\n", **kwargs)


def test_a_round_from_piped_input_prints_saves_and_writes_the_scorecard(home, tmp_path):
    plan = make_plan(questions(), minutes=30, topics=["attention"], seed=4)
    report = tmp_path / "round.md"
    result = _play("--minutes", "30", "--topic", "attention", "--seed", "4", "--report", str(report), plan=plan)
    assert result.exit_code == 0, result.output
    [(number, record)] = _rounds(home)
    assert number == 1 and record["ended"] == "finished" and record["seed"] == 4
    assert [i["id"] for i in record["sections"]["warmup"]["items"]] == [q.id for q in plan.warmup]
    assert scorecard.overall_score(record) == pytest.approx((1 + 1 + 0) / 3)  # the starter was never graded
    assert scorecard.to_text(1, record, "en") in result.output
    assert "Saved as round 1: `qkv mock --show 1` prints this scorecard again." in result.output
    assert report.read_text(encoding="utf-8") == scorecard.to_markdown(1, record, "en")
    [folder] = (tmp_path / "work").glob("qkv-mock-*")
    assert record["sections"]["coding"]["items"][0]["path"] == str(folder / plan.exercise.starter_filename)
    assert f"Your file: {folder / plan.exercise.starter_filename}" in result.output


def test_list_and_show_read_the_saved_rounds(home, tmp_path):
    assert run("--list").output == "No mock interview yet: start one with `qkv mock`.\n"
    plan = make_plan(questions(), minutes=45, topics=[], seed=1)
    assert _play("--seed", "1", plan=plan, then="q").exit_code == 0
    assert _play("--seed", "1", plan=plan, then="q", env={"QKV_LANG": "zh"}).exit_code == 0
    listing = run("--list").output.splitlines()
    assert [line.split()[0] for line in listing] == ["#", "1", "2"] and listing[1].split()[-1] == "q"
    [(_, first), (_, second)] = _rounds(home)
    shown = run("--show", "2", "--lang", "en", "--report", str(tmp_path / "two.md"))
    assert shown.exit_code == 0 and shown.output.startswith(scorecard.to_text(2, second, "en"))
    assert (tmp_path / "two.md").read_text(encoding="utf-8") == scorecard.to_markdown(2, second, "en")
    assert run("--show", "1", "--lang", "zh").output.startswith("══ 模拟面试 #1")
    missing = run("--show", "3")
    assert missing.exit_code == 1 and missing.stderr == "There is no round 3: `qkv mock --list` shows the rounds saved.\n"


def test_the_same_seed_asks_the_same_round(home):
    plan = make_plan(questions(), minutes=45, topics=[], seed=11)
    outputs = [_play("--seed", "11", plan=plan, then="q").output for _ in range(2)]
    rounds = _rounds(home)

    def asked(record):
        sections = record["sections"]
        return ([q["id"] for name in ("warmup", "deep_dive") for q in scorecard.questions(sections[name])],
                sections["coding"]["items"][0]["exercise"])

    assert asked(rounds[0][1]) == asked(rounds[1][1]) == (
        [q.id for q in plan.warmup] + [q.id for p in plan.deep_dive for q in (p.question, *p.follow_ups)],
        plan.exercise.id)
    assert [line for line in outputs[0].splitlines() if line.startswith("Question ")] == \
        [line for line in outputs[1].splitlines() if line.startswith("Question ")]


def test_without_a_seed_the_round_draws_one_and_shows_it(home):
    result = run(input="q\n")
    seed = int(result.output.split("(seed ")[1].split(")")[0])
    assert result.exit_code == 0 and 0 <= seed < 10**6
    assert _rounds(home) == []  # quit before answering anything: not saved


def test_a_round_can_be_deleted_and_a_bad_report_path_is_refused_before_the_round(home, tmp_path):
    plan = make_plan(questions(), minutes=30, topics=["attention"], seed=4)
    _play("--seed", "4", "--topic", "attention", "--minutes", "30", plan=plan)
    assert [number for number, _ in _rounds(home)] == [1]
    assert run("--delete", "1").exit_code == 0 and _rounds(home) == []
    assert run("--delete", "1").exit_code == 1
    refused = run("--report", str(tmp_path / "missing" / "r.md"), input="")
    assert refused.exit_code == 2 and "does not exist" in refused.output and "Question" not in refused.output


@pytest.mark.parametrize("args, env, message", [
    (["--topic", "attn"], {}, "Invalid value for '--topic': got 'attn', but the only valid values are attention, masking"),
    (["--exercise", "masking.causal"], {}, "Invalid value for '--exercise': unknown exercise 'masking.causal'."),
    ([], {"QKV_MOCK_TIME_SCALE": "fast"}, "got QKV_MOCK_TIME_SCALE='fast', but it must be a number > 0"),
    (["--list", "--show", "1"], {}, "--list, --show and --delete go alone: pass one of them"),
    (["--minutes", "0"], {}, "Invalid value for '--minutes': 0 is not in the range x>=1."),
])
def test_bad_options_are_usage_errors_that_say_what_is_valid(home, args, env, message):
    result = run(*args, env=env)
    assert result.exit_code == 2 and message in result.stderr
    assert _rounds(home) == []


def test_an_explicit_exercise_is_the_coding_task_in_chinese(home):
    from qkv.grader import catalogue

    plan = make_plan(questions(), minutes=20, topics=[], seed=1, exercise=catalogue.get("attention.sdpa"))
    first = "\n".join(answer_lines(plan.warmup[0], True))
    result = run("--exercise", "attention.sdpa", "--minutes", "20", "--lang", "zh", "--seed", "1",
                 input=f"{first}\nq\n")
    assert result.exit_code == 0
    assert "══ 热身：4 道快问快答 · 3:00 ══" in result.output and "已保存为第 1 轮" in result.output
    [(_, record)] = _rounds(home)
    assert record["lang"] == "zh" and record["ended"] == "quit" and list(record["sections"]) == ["warmup"]
