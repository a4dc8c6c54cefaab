"""`--lang zh` (and QKV_LANG) for list, show, hint, start, grade and watch: statements, hints, check names,
diagnoses and their explanations come from grader/texts/*.yaml in the language asked for."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qkv import cli
from qkv.grader import catalogue, exercise_texts

ROOT = Path(__file__).resolve().parents[2]
BUGGY_SDPA = ROOT / "tests" / "corpus" / "attention.sdpa" / "bug_scale_dk.py"
SDPA = catalogue.EXERCISES["attention.sdpa"]


def run(*args, env=None):
    return CliRunner().invoke(cli.main, list(args), env={"QKV_LANG": None, "LC_ALL": None, "LC_MESSAGES": None,
                                                         "LANG": "C.UTF-8", **(env or {})})


def test_list_in_chinese_from_the_option_or_the_environment():
    for result in (run("list", "--lang", "zh"), run("list", env={"QKV_LANG": "zh"})):
        first = result.output.splitlines()[0]
        assert result.exit_code == 0 and first.split()[:4] == ["attention.sdpa", "attention", "简单", "未开始"]
        assert first.endswith(SDPA.summary_in("zh"))
    assert run("list").output.splitlines()[0].split()[2:4] == ["easy", "new"]


def test_show_and_hint_in_chinese_suggest_commands_that_stay_chinese():
    shown = run("show", "sdpa", "--lang", "zh").output
    assert SDPA.statement_in("zh") in shown and "签名：scaled_dot_product_attention(q, k, v, mask=None)" in shown
    assert "开始：qkv start attention.sdpa --lang zh" in shown
    assert "--lang" not in run("show", "sdpa", env={"QKV_LANG": "zh"}).output  # the environment carries it
    hinted = run("hint", "attention.sdpa", "--lang", "zh", "--level", "2").output
    assert f"提示 1/3：{SDPA.hints_in('zh')[0]}" in hinted and f"提示 2/3：{SDPA.hints_in('zh')[1]}" in hinted
    assert "（更多：qkv hint attention.sdpa --level 3 --lang zh）" in hinted


def test_start_in_chinese_writes_a_chinese_header(tmp_path):
    result = run("start", "attention.sdpa", str(tmp_path / "s.py"), "--lang", "zh")
    assert result.exit_code == 0 and result.output.startswith(f"已写入 {tmp_path / 's.py'}。")
    assert (tmp_path / "s.py").read_text().startswith(f"# qkv 练习 attention.sdpa：{SDPA.summary_in('zh')}\n")


def test_a_chinese_grade_names_checks_and_explains_the_diagnosis_in_chinese():
    result = run("grade", "attention.sdpa", str(BUGGY_SDPA), "--lang", "zh", "--max-examples", "5")
    assert result.exit_code == 1, result.output
    title, text = exercise_texts.explain("scale", "attention.sdpa", "zh")
    lines = result.output.splitlines()
    assert lines[0] == f"评测 attention.sdpa：{BUGGY_SDPA}"
    assert f"  失败  {exercise_texts.check_name('matches the reference without a mask', 'attention.sdpa', 'zh')}" \
        in lines
    assert "诊断" in lines and f"  [scale] {title}" in lines and text[:20] in result.output.replace("\n    ", "")
    assert "提示：qkv hint attention.sdpa --lang zh" in result.output
    assert any(line.startswith("失败：") and "项检查中有" in line for line in lines)
    assert lines[-1].startswith("你的代码在单独的工作进程中运行")
    assert "Diagnosis" not in result.output and "FAIL " not in result.output


def test_json_keeps_stable_names_and_adds_the_chinese_words():
    result = run("grade", "attention.sdpa", str(BUGGY_SDPA), "--json", "--max-examples", "5", env={"QKV_LANG": "zh"})
    data = json.loads(result.output)
    assert data["lang"] == "zh" and "scale" in data["diagnosis"]
    failed = next(c for c in data["checks"] if not c["passed"])
    assert failed["name"].isascii() and failed["label"] == exercise_texts.check_name(failed["name"], SDPA.id, "zh")
    assert failed["label"] != failed["name"]
    scale = next(e for e in data["explanations"] if e["code"] == "scale")
    assert (scale["title"], scale["text"]) == exercise_texts.explain("scale", "attention.sdpa", "zh")
