"""Candidate code that loops, crashes, exits or prints ends in a clear verdict, never a
hang or a grader traceback; and grading leaves the candidate's folder untouched."""
from __future__ import annotations

import textwrap

import pytest

from qkv.grader import report, runner


@pytest.fixture(autouse=True)
def runtime_layers_only(monkeypatch):
    """The verdicts of code that runs (ctypes, say): the static scan of the source would stop some first."""
    monkeypatch.setenv("QKV_SOURCE_SCAN", "off")

SDPA_OK = """
import math
import torch

def scaled_dot_product_attention(q, k, v, mask=None):
    {body}
    s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = s.softmax(-1)
    return w @ v, w
"""


def solution(tmp_path, body="pass", top=""):
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(top) + SDPA_OK.replace("{body}", body))
    return path


def grade(path, **kw):
    return runner.grade("attention.sdpa", str(path), max_examples=5, **kw)


def test_infinite_loop_times_out_and_names_the_running_check(tmp_path):
    verdict = grade(solution(tmp_path, "while True: pass"), timeout=20)
    assert verdict.status == "timeout" and verdict.exit_code == 1
    assert verdict.device == "cpu"  # the device used, not "auto"
    assert "did not finish within 20 s while checking \"runs on a small input" in verdict.message
    assert "ran out of time" in report.to_text(verdict)


def test_loop_at_import_times_out_while_loading(tmp_path):
    verdict = grade(solution(tmp_path, top="while True:\n    pass\n"), timeout=15)
    assert verdict.status == "timeout"
    assert "while loading your file" in verdict.message


def test_segfault_is_a_crash_verdict(tmp_path):
    verdict = grade(solution(tmp_path, "import ctypes; ctypes.string_at(0)"))
    assert verdict.status == "crashed" and verdict.exit_code == 1
    assert "SIGSEGV" in verdict.message


def test_os_exit_is_a_crash_verdict(tmp_path):
    verdict = grade(solution(tmp_path, "import os; os._exit(3)"))
    assert verdict.status == "crashed" and verdict.device == "cpu"
    assert "exited with status 3" in verdict.message


def test_sys_exit_inside_the_function_fails_the_check(tmp_path):
    verdict = grade(solution(tmp_path, "import sys; sys.exit(0)"))
    assert verdict.status == "graded" and not verdict.passed
    assert "called sys.exit(0)" in verdict.checks[0]["message"]


def test_exception_names_the_candidates_file_and_line(tmp_path):
    path = solution(tmp_path, "raise ValueError('oops')")
    verdict = grade(path)
    message = verdict.checks[0]["message"]
    assert "Your code raised ValueError: oops" in message
    assert f"{path}:6: raise ValueError('oops')" in message


def test_printed_output_is_shown_under_its_own_heading(tmp_path):
    verdict = grade(solution(tmp_path, "print('debug: shapes', q.shape)"))
    assert verdict.passed
    assert "debug: shapes torch.Size(" in verdict.output
    assert "Output from your code\n  | debug: shapes" in report.to_text(verdict)


def test_reading_stdin_does_not_hang(tmp_path):
    verdict = grade(solution(tmp_path, "input('press enter')"), timeout=30)
    assert verdict.status == "graded" and not verdict.passed
    assert "EOFError" in verdict.checks[0]["message"]


def test_nothing_is_written_next_to_the_solution_and_it_is_not_modified(tmp_path):
    path = solution(tmp_path)
    before = path.read_bytes()
    verdict = grade(path)
    assert verdict.passed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solution.py"]
    assert path.read_bytes() == before


def test_same_file_same_verdict(tmp_path):
    path = solution(tmp_path, "q = q * 1.01")  # wrong, so hypothesis shrinks: the result must still repeat
    first, second = grade(path), grade(path)
    assert not first.passed
    assert first.checks == second.checks and first.diagnosis == second.diagnosis


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_still_pass_a_correct_solution(tmp_path, seed):
    assert grade(solution(tmp_path), seed=seed).passed


def test_a_warning_is_shown_once_at_the_line_of_the_candidates_file(tmp_path):
    path = solution(tmp_path, "import warnings; warnings.warn('careful with that axe', UserWarning)")
    verdict = grade(path)
    assert verdict.passed
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "careful" in text)
    assert verdict.output.count("careful with that axe") == 1
    assert f"{path}:{line}: UserWarning: careful with that axe" in verdict.output
