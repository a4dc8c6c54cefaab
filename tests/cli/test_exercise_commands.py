"""`qkv list`, `show`, `start`, `hint` and `grade` through click's CliRunner, and the
promise that only `grade` imports torch."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qkv import cli
from qkv.grader.catalogue import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
CORRECT_SDPA = ROOT / "tests" / "corpus" / "attention.sdpa" / "correct_softmax_matmul.py"


def run(*args):
    return CliRunner().invoke(cli.main, list(args))


def test_list_shows_every_exercise_with_topic_and_difficulty():
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(EXERCISES)
    for exercise, line in zip(EXERCISES.values(), lines):
        assert line.split()[:3] == [exercise.id, exercise.topic, exercise.difficulty]


def test_show_prints_the_contract_and_signature():
    result = run("show", "attention.mha")
    assert result.exit_code == 0
    assert "forward(self, query, key, value, mask=None)" in result.output
    assert "Forbidden: nn.MultiheadAttention" in result.output


def test_unknown_exercise_is_a_usage_error_with_close_matches():
    result = run("show", "masking.causal")
    assert result.exit_code == 2
    assert "Did you mean masking.causal_mask" in result.output


def test_start_writes_a_stub_and_never_overwrites(tmp_path):
    target = tmp_path / "mine.py"
    assert run("start", "masking.padding_mask", str(target)).exit_code == 0
    text = target.read_text()
    assert "def padding_mask(lengths, max_len):" in text and "raise NotImplementedError" in text
    target.write_text("my work")
    again = run("start", "masking.padding_mask", str(target))
    assert again.exit_code == 1 and "already exists" in again.output
    assert target.read_text() == "my work"


def test_hint_reveals_one_level_at_a_time():
    first = run("hint", "attention.sdpa")
    assert "Hint 1/3" in first.output and "Hint 2/3" not in first.output and "--level 2" in first.output
    all_three = run("hint", "attention.sdpa", "--level", "3")
    assert all_three.output.count("Hint ") == 3 and "More:" not in all_three.output


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_every_starter_grades_as_not_implemented(exercise, tmp_path):
    path = tmp_path / "starter.py"
    assert run("start", exercise, str(path)).exit_code == 0
    result = run("grade", exercise, str(path), "--json", "--max-examples", "2")
    assert result.exit_code == 1
    verdict = json.loads(result.output)
    assert verdict["status"] == "not-implemented" and verdict["passed"] is False


def test_grade_json_has_the_documented_fields_and_exit_codes(tmp_path):
    result = run("grade", "attention.sdpa", str(CORRECT_SDPA), "--json", "--max-examples", "5", "--seed", "3")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert {"exercise", "passed", "device", "seed", "checks", "diagnosis"} <= verdict.keys()
    assert verdict["passed"] is True and verdict["device"] == "cpu" and verdict["seed"] == 3
    assert verdict["diagnosis"] == [] and all(c["passed"] for c in verdict["checks"])
    assert {"name", "passed", "message", "counterexample"} <= verdict["checks"][0].keys()


def test_grade_of_a_file_that_does_not_load_exits_2(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def scaled_dot_product_attention(q, k, v, mask=None):\nreturn q\n")
    result = run("grade", "attention.sdpa", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2: syntax error" in result.output


def test_cuda_without_a_gpu_is_a_usage_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run("grade", "attention.sdpa", str(CORRECT_SDPA), "--device", "cuda")
    assert result.exit_code == 2 and "CUDA is not available" in result.output


@pytest.mark.parametrize("args", [["--help"], ["list"], ["show", "attention.sdpa"], ["hint", "masking.causal_mask"],
                                  ["start", "attention.sdpa", "{tmp}/s.py"], ["grade", "--help"], ["progress"],
                                  ["next"], ["reset", "attention.sdpa", "--yes"], ["solution", "sdpa", "--force"],
                                  ["start", "attention.sdpa", "{tmp}/s.ipynb", "--notebook"]])
def test_commands_that_do_not_grade_never_import_torch(args, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    probe = ("import sys\nfrom qkv import cli\n"
             f"sys.argv = ['qkv'] + {args!r}\n"
             "try:\n    cli.main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
             "heavy = [m for m in ('torch', 'numpy', 'hypothesis') if m in sys.modules]\n"
             "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-B", "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_plot_writes_a_png_for_initialization_exercises(tmp_path):
    pytest.importorskip("matplotlib")
    solution = next((ROOT / "tests" / "corpus" / "initialization.xavier_uniform").glob("correct_*.py"))
    picture = tmp_path / "init.png"
    result = run("grade", "initialization.xavier_uniform", str(solution), "--plot", str(picture))
    assert result.exit_code == 0, result.output
    assert f"Plot written to {picture}" in result.output
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_is_refused_for_other_exercises(tmp_path):
    result = run("grade", "attention.sdpa", str(CORRECT_SDPA), "--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "for the initialization exercises" in result.output


def test_text_report_explains_three_failures_unless_verbose():
    buggy = ROOT / "tests" / "corpus" / "attention.mha" / "bug_heads_split_without_transpose.py"
    short = run("grade", "attention.mha", str(buggy), "--max-examples", "5")
    assert short.exit_code == 1
    assert short.output.count("\n-- ") == 3 and "more failed checks above: --verbose" in short.output
    assert "[heads] heads split or merged wrongly" in short.output
    full = run("grade", "attention.mha", str(buggy), "--max-examples", "5", "--verbose")
    assert full.output.count("\n-- ") == full.output.count("  FAIL  ") > 3
