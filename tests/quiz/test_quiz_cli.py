"""`qkv quiz`, `qkv stats` and `qkv validate` through click's CliRunner, on the test banks."""
from __future__ import annotations

import json
import random
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from qkv import cli
from qkv.questions import bank
from qkv.quiz import schedule
from qkv.quiz.history import History
from qkv.quiz.lang import from_locale
from quizkit import BANKS, DEMO, right_lines, wrong_lines


def qkv(*args, input=None, env=None):
    return CliRunner().invoke(cli.main, list(args), input=input, env=env)


def seeded_order(seed, count):
    return schedule.select(bank.load([DEMO]), count=count, rng=random.Random(seed))


def test_piped_answers_with_a_seed_and_json_summary(home):
    order = seeded_order(7, 4)
    lines = right_lines(order[0]) + wrong_lines(order[1]) + right_lines(order[2]) + right_lines(order[3])
    result = qkv("quiz", "--bank", str(BANKS), "--seed", "7", "--count", "4", "--json", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # stdout holds only the JSON; the quiz went to stderr
    assert [a["id"] for a in summary["answers"]] == [q.id for q in order]
    assert (summary["questions"], summary["answered"], summary["correct"]) == (4, 4, 3)
    assert summary["revisit"] == [order[1].id] and summary["ended"] == "finished"
    assert sum(s["answered"] for s in summary["by_type"].values()) == 4
    assert summary["by_topic"] == {"demo": {"answered": 4, "correct": 3}}
    assert "Question 1/4" in result.stderr and isinstance(summary["duration_s"], float)


def test_same_seed_same_questions(home):
    runs = [json.loads(qkv("quiz", "--bank", str(DEMO), "--seed", "3", "--count", "3", "--json", input="q\n").stdout)
            for _ in range(2)]
    shown = [qkv("quiz", "--bank", str(DEMO), "--seed", "3", "--count", "3", input="").stdout for _ in range(2)]
    assert runs[0] == {**runs[1], "duration_s": runs[0]["duration_s"]}
    assert shown[0].split("── Summary")[0] == shown[1].split("── Summary")[0]


def test_filters_by_topic_type_and_difficulty(home, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(DEMO.read_text(encoding="utf-8").replace("demo", "other"), encoding="utf-8")
    result = qkv("quiz", "--bank", str(DEMO), "--bank", str(other), "--topic", "other", "--type", "numeric",
                 "--type", "true_false", "--difficulty", "medium", "--count", "10", "--json", input="")
    assert "Question 1/1 · other · numeric · medium" in result.stderr
    assert json.loads(result.stdout)["questions"] == 1


def test_unknown_topic_or_type_lists_the_valid_ones(home):
    result = qkv("quiz", "--bank", str(DEMO), "--topic", "attn")
    assert result.exit_code == 2
    assert "Invalid value for '--topic': got 'attn', but the only valid values are demo" in result.stderr
    result = qkv("quiz", "--bank", str(DEMO), "--type", "mcq")
    assert result.exit_code == 2
    assert ("got 'mcq', but the only valid values are single, multi, true_false, numeric, short, code_reading"
            in result.stderr)


def test_no_matching_question_says_so(home):
    result = qkv("quiz", "--bank", str(DEMO), "--type", "short", "--difficulty", "easy")
    assert result.exit_code == 0 and "No question matches these filters." in result.stdout


def test_eof_before_any_answer_prints_an_empty_summary(home):
    result = qkv("quiz", "--bank", str(DEMO), "--count", "2", input="")
    assert result.exit_code == 0
    assert "Answered 0 of 2 · 0 right (-)" in result.stdout


def test_due_asks_due_questions_first_then_new_ones(home, demo):
    now = datetime.now(timezone.utc)
    history = History.open()
    history.record("demo.scale-value", response=1.0, correct=False, rating=1, at=now - timedelta(days=1), seconds=1)
    history.record("demo.softmax-sum", response="a", correct=False, rating=1, at=now - timedelta(days=2), seconds=1)
    history.record("demo.dropout-inference", response=False, correct=True, rating=3, at=now, seconds=1)
    history.close()
    lines = right_lines(demo["demo.softmax-sum"]) + right_lines(demo["demo.scale-value"])
    result = qkv("quiz", "--bank", str(DEMO), "--due", "--json", input="\n".join(lines) + "\n")
    summary = json.loads(result.stdout)
    assert [a["id"] for a in summary["answers"]] == ["demo.softmax-sum", "demo.scale-value"]
    assert summary["questions"] == 5  # the question answered right just now is not due: left out
    assert "demo.dropout-inference" not in result.stderr


@pytest.mark.parametrize("env, expected", [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), ({"LC_MESSAGES": "zh_CN", "LANG": "C"}, "zh"),
    ({"LC_ALL": "", "LANG": "zh_CN"}, "zh"), ({"LANG": "C.UTF-8"}, "en"),
])
def test_language_from_the_locale(env, expected):
    assert from_locale(env) == expected


@pytest.mark.parametrize("env, args, expected", [
    ({"QKV_LANG": "zh"}, [], "第 1/1 题"), ({"LANG": "zh_CN.UTF-8"}, [], "第 1/1 题"),
    ({"QKV_LANG": "en", "LANG": "zh_CN.UTF-8"}, [], "Question 1/1"),
    ({"QKV_LANG": "zh"}, ["--lang", "en"], "Question 1/1"), ({}, ["--lang", "zh"], "第 1/1 题"),
])
def test_lang_option_then_qkv_lang_then_locale(home, env, args, expected):
    result = qkv("quiz", "--bank", str(DEMO), "--count", "1", *args, input="", env=env)
    assert expected in result.stdout


def test_bad_qkv_lang_is_a_usage_error(home):
    result = qkv("quiz", "--bank", str(DEMO), env={"QKV_LANG": "fr"})
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'zh'" in result.stderr


def test_chinese_quiz_end_to_end(home, demo):
    result = qkv("quiz", "--bank", str(DEMO), "--type", "true_false", "--lang", "zh", input="对\n")
    assert result.stdout.splitlines()[1:5] == [
        "第 1/1 题 · demo · 判断 · 简单", "反向（inverted）dropout 在推理时会缩放激活值。",
        "对还是错？（t/f 或 对/错；q 退出）：对", "✗ 错误。正确答案是 错。"]
    assert "需要复习：demo.dropout-inference" in result.stdout


def test_user_banks_in_the_data_dir_are_loaded(home):
    (home / "banks").mkdir(parents=True)
    shutil.copy(DEMO, home / "banks" / "demo.yaml")
    result = qkv("quiz", "--type", "numeric", input="0.125\n")
    assert "✓ Right." in result.stdout
    assert qkv("validate").stdout == "6 questions in 1 bank and the exercises' texts: OK\n"


def test_a_broken_user_bank_stops_quiz_and_stats_with_exit_2(home):
    (home / "banks").mkdir(parents=True)
    broken = home / "banks" / "demo.yaml"
    broken.write_text(DEMO.read_text(encoding="utf-8").replace("answer: 0.125", "answer: e"), encoding="utf-8")
    expected = f"{broken}:48: answer must be a number, got the string 'e'\n"
    for command in ("quiz", "stats"):
        result = qkv(command)
        assert (result.exit_code, result.stderr, result.stdout) == (2, expected, "")
    result = qkv("validate")
    assert result.exit_code == 1 and result.stdout == expected


def test_stats_per_topic_due_today_and_weakest_tags(home, demo):
    qkv("quiz", "--bank", str(DEMO), "--type", "single", input=wrong_lines(demo["demo.softmax-sum"])[0])
    qkv("quiz", "--bank", str(DEMO), "--type", "multi", input=right_lines(demo["demo.mask-values"])[0])
    now = datetime.now().astimezone()
    due = int((now + timedelta(minutes=10)).date() == now.date())  # the wrong answer is due in 10 minutes
    report = json.loads(qkv("stats", "--bank", str(DEMO), "--json").stdout)
    assert report["topics"]["demo"] == {"questions": 6, "seen": 2, "unseen": 4, "answers": 2, "correct": 1,
                                        "accuracy": 0.5, "due_today": due}
    assert report["total"] == report["topics"]["demo"]
    assert report["weakest_tags"] == [{"tag": "softmax", "answers": 2, "correct": 1, "accuracy": 0.5}]
    text = qkv("stats", "--bank", str(DEMO)).stdout.splitlines()
    assert text == ["topic  questions  seen  unseen  answers  accuracy  due today",
                    f"demo           6     2       4        2       50%          {due}",
                    f"all            6     2       4        2       50%          {due}",
                    "Weakest tags: softmax 1/2 (50%)"]
    zh = qkv("stats", "--bank", str(DEMO), "--lang", "zh").stdout.splitlines()
    assert zh[0] == "主题  题数  已做  未做  作答次数  正确率  今日到期" and zh[-1] == "最薄弱的标签：softmax 1/2 (50%)"


def test_stats_before_any_answer(home):
    result = qkv("stats", "--bank", str(DEMO))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["demo           6     0       6        0         -          0",
                                              "all            6     0       6        0         -          0",
                                              "Weakest tags: none yet (no wrong answers)."]


def test_tag_and_id_select_questions(home):
    questions = bank.load([DEMO])
    tag = questions[0].tags[0]
    tagged = {q.id for q in questions if tag in q.tags}
    summary = json.loads(qkv("quiz", "--bank", str(DEMO), "--tag", tag, "--count", "50", "--json", input="q\n").stdout)
    assert summary["questions"] == len(tagged)
    picked = [questions[2].id, questions[0].id]
    result = qkv("quiz", "--bank", str(DEMO), "--id", picked[0], "--id", picked[1], "--json",
                 input="\n".join(right_lines(questions[2]) + right_lines(questions[0])) + "\n")
    assert [a["id"] for a in json.loads(result.stdout)["answers"]] == picked
    bad = qkv("quiz", "--bank", str(DEMO), "--id", "demo.no-such-question")
    assert bad.exit_code == 2 and "demo.no-such-question" in bad.output


def test_due_says_how_many_are_due_and_new_and_a_short_pool_is_announced(home):
    result = qkv("quiz", "--bank", str(DEMO), "--due", "--count", "1000", input="q\n")
    total = len(bank.load([DEMO]))
    assert f"0 due for review, {total} never answered." in result.output
    assert f"Only {total} questions match (you asked for 1000)" in result.output


def test_choices_are_shuffled_on_review_and_the_answer_moves_with_them(home):
    from qkv.quiz.present import bank_letters, shuffled

    question = next(q for q in bank.load([DEMO]) if q.type == "multi")
    moved = shuffled(question, random.Random(0))
    assert [c.text.en for c in moved.choices] != [c.text.en for c in question.choices]
    right = {question.choices["abcdef".index(letter)].text.en for letter in question.answer}
    assert {moved.choices["abcdef".index(letter)].text.en for letter in moved.answer} == right
    assert bank_letters(moved, moved.answer) == question.answer  # the history keeps the bank's letters
    assert bank_letters(question, ("a",)) == ("a",)


def test_reviews_are_reordered_on_a_terminal_only_and_recorded_in_the_banks_letters(home, monkeypatch):
    from qkv.quiz import app
    from qkv.quiz.present import shuffled

    question = next(q for q in bank.load([DEMO]) if q.type == "multi")
    history = History.open()
    history.record(question.id, response=list(question.answer), correct=True, rating=3,
                   at=datetime.now(timezone.utc) - timedelta(days=30), seconds=1.0)
    history.close()
    piped = qkv("quiz", "--bank", str(DEMO), "--id", question.id, "--json", input=",".join(question.answer) + "\n")
    assert json.loads(piped.stdout)["correct"] == 1  # a script keeps the letters
    monkeypatch.setattr(app, "interactive", lambda: True)
    shown = shuffled(question, random.Random(1))
    result = qkv("quiz", "--bank", str(DEMO), "--id", question.id, "--seed", "1", "--json",
                 input=",".join(shown.answer) + "\n")
    summary = json.loads(result.stdout)
    assert summary["correct"] == 1 and summary["answers"][0]["response"] == list(question.answer)


def test_unknown_ids_and_tags_name_the_closest_not_all_and_case_or_short_ids_work(home):
    questions = bank.load([DEMO])
    first = questions[0]
    short = first.id.split(".", 1)[1]
    result = qkv("quiz", "--bank", str(DEMO), "--id", short.upper(), "--json", input="q\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["questions"] == 1
    from qkv.quiz.app import check_choices

    valid = [f"t.question-{i}" for i in range(50)]
    with pytest.raises(Exception) as raised:
        check_choices("--id", ["t.question-7x"], valid)
    message = str(raised.value)
    assert "did you mean t.question-7" in message and "50 valid values" in message and "t.question-42" not in message
    assert check_choices("--topic", ["DEMO"], ["demo"]) == ["demo"]
