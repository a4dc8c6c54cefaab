"""The coding side's memory and rhythm: grades recorded, `list` status, `progress`, `next`, `reset`,
`solution`, notebooks, streaming, and what a new user tripped on (CliRunner)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from qkv import cli
from qkv.grader import catalogue, notebooks, report, runner
from qkv.quiz.history import History

ROOT = Path(__file__).resolve().parents[2]
CORRECT_SDPA = ROOT / "tests" / "corpus" / "attention.sdpa" / "correct_softmax_matmul.py"
BUGGY_SDPA = ROOT / "tests" / "corpus" / "attention.sdpa" / "bug_scale_dk.py"
NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def run(*args, **kw):
    return CliRunner().invoke(cli.main, list(args), **kw)


def remember(exercise: str, passed: bool, codes=()) -> None:
    history = History.open()
    history.record_grade(exercise, at=NOW, status="graded", passed=passed, codes=list(codes), seconds=2.0,
                         file_hash="0" * 64)
    history.close()


def test_a_grade_is_recorded_and_list_shows_the_status():
    assert run("grade", "attention.sdpa", str(BUGGY_SDPA)).exit_code == 1
    history = History.open()
    (grade,) = history.grades()
    history.close()
    assert (grade["exercise"], grade["passed"], grade["status"]) == ("attention.sdpa", False, "graded")
    assert grade["codes"] and len(grade["file_hash"]) == 64 and grade["seconds"] > 0
    lines = run("list").output.splitlines()
    assert lines[0].split()[:4] == ["attention.sdpa", "attention", "easy", "attempted"]
    assert lines[1].split()[3] == "new"
    remember("attention.sdpa", passed=True)
    assert run("list").output.splitlines()[0].split()[3:5] == ["passed", "2026-03-01"]


def test_list_columns_line_up_whatever_the_id_length():
    lines = run("list").output.splitlines()
    starts = {line.index(exercise.summary) for line, exercise in zip(lines, catalogue.EXERCISES.values())}
    assert len(starts) == 1


def test_progress_and_next_give_the_whole_picture():
    remember("masking.causal_mask", passed=True)
    remember("attention.sdpa", passed=False, codes=["scale"])
    remember("attention.sdpa", passed=False, codes=["scale", "mask-polarity"])
    data = json.loads(run("progress", "--json").output)
    assert data["topics"]["masking"]["passed"] == 1 and data["topics"]["masking"]["exercises"] == 4
    assert data["mistakes"][0] == ["scale", 2]
    assert data["topics"]["attention"]["due"] >= 1  # a failed exercise is due again in ten minutes
    assert data["next"].startswith("finish attention.sdpa")  # unfinished comes first
    text = run("progress").output
    assert "scale: 2 grades" in text and "Next:" in text


def test_next_suggests_the_weakest_topic_when_nothing_is_due():
    first = run("next").output
    assert first.startswith("start with attention.sdpa") and "qkv start attention.sdpa" in first
    weakest = "attention"
    history = History.open()
    for exercise in catalogue.EXERCISES.values():
        if exercise.topic == weakest:
            history.record_grade(exercise.id, at=datetime.now(timezone.utc), status="graded", passed=True,
                                 codes=[], seconds=1.0, file_hash="0" * 64)
    history.close()
    later = run("next").output  # the passes are due for review only in days: nothing is due now
    assert "your weakest topic" in later and f"({weakest}," not in later
    remember("masking.padding_mask", passed=False)  # failed ten minutes ago: not due yet, but unfinished
    assert run("next").output.startswith("finish masking.padding_mask")


def test_reset_forgets_one_exercise_after_confirmation():
    remember("attention.sdpa", passed=True)
    remember("attention.mha", passed=True)
    declined = run("reset", "attention.sdpa", input="n\n")
    assert declined.exit_code == 0 and "Nothing changed." in declined.output and "Aborted" not in declined.output
    assert run("reset", "sdpa", input="y\n").exit_code == 0
    history = History.open()
    assert [g["exercise"] for g in history.grades()] == ["attention.mha"]
    assert not any(key.endswith("attention.sdpa") for key in history.due_times())
    history.close()
    assert run("reset", "--all", "--yes").exit_code == 0
    history = History.open()
    assert history.grades() == [] and history.due_times() == {}
    history.close()
    assert run("reset").exit_code == 2
    assert "not both" in run("reset", "sdpa", "--all").output


def test_solution_is_shown_once_passed_or_forced():
    refused = run("solution", "attention.sdpa")
    assert refused.exit_code == 1 and "pass attention.sdpa first" in refused.output
    remember("attention.sdpa", passed=True)
    shown = run("solution", "attention.sdpa").output
    assert "def scaled_dot_product_attention(q, k, v, mask=None):" in shown and "import torch" in shown
    mha = run("solution", "attention.mha", "--force").output
    assert "@dataclass\nclass Projections" in mha and "class MultiHeadAttention" in mha


@pytest.mark.parametrize("typed", ["LAYER_NORM", "layer_norm", "normalization.Layer_Norm", "layer-norm"])
def test_ids_match_case_insensitively_and_by_the_part_after_the_dot(typed):
    assert catalogue.get(typed).id == "normalization.layer_norm"
    assert run("show", typed).exit_code == 0


def test_swapped_grade_arguments_are_understood():
    result = run("grade", str(CORRECT_SDPA), "attention.sdpa")
    assert result.exit_code == 0 and "PASSED" in result.output


@pytest.mark.parametrize("text, expected", [(None, "no such file"), ("", "is empty"), ("def f(:\n", "syntax error")])
def test_grade_json_prints_one_object_for_files_it_cannot_grade(tmp_path, text, expected):
    path = tmp_path / "solution.py"
    if text is not None:
        path.write_text(text)
    result = run("grade", "attention.sdpa", str(path), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 2 and data["status"] == "error" and expected in data["message"]
    assert not data["passed"] and data["exercise"] == "attention.sdpa" and data["checks"] == []


def test_grade_json_for_an_unknown_exercise():
    result = run("grade", "no_such_thing", str(CORRECT_SDPA), "--json")
    assert result.exit_code == 2 and "unknown exercise" in json.loads(result.stdout)["message"]


def test_ctrl_c_during_a_grade_exits_130(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "grade", interrupted)
    result = run("grade", "attention.sdpa", str(CORRECT_SDPA))
    assert result.exit_code == 130 and "Aborted!" not in result.output
    as_json = run("grade", "attention.sdpa", str(CORRECT_SDPA), "--json")
    assert as_json.exit_code == 130 and json.loads(as_json.stdout)["status"] == "interrupted"


def test_plot_into_a_missing_folder_is_refused_before_grading(tmp_path):
    result = run("grade", "initialization.kaiming_normal", str(CORRECT_SDPA), "--plot", str(tmp_path / "no" / "p.png"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_the_stream_prints_the_header_then_each_check_then_the_rest():
    shown = []
    stream = report.Stream(lambda text="", nl=True: shown.append(text), tty=False)
    verdict = runner.Verdict("attention.sdpa", "s.py", "graded", "cpu", 0, 25, declared=1)
    stream.start(verdict)
    stream.running("a check")
    check = {"name": "a check", "passed": True, "skipped": False, "message": "", "counterexample": None}
    stream.check(check)
    verdict.checks = [check]
    tail = stream.finish(verdict)
    assert shown == ["\n".join(report.header_lines(verdict)), "  PASS  a check"]
    assert tail.endswith("PASSED: all 1 checks (0.0 s).") and report.to_text(verdict).startswith(shown[0])


def test_on_a_terminal_the_running_check_shows_and_marks_are_coloured(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    shown = []
    stream = report.Stream(lambda text="", nl=True: shown.append(text), tty=True)
    stream.running("slow statistical check")
    stream.check({"name": "slow statistical check", "passed": False, "skipped": False})
    assert shown[0] == "  ....  slow statistical check"
    assert shown[1].startswith("\r\x1b[2K") and "\x1b[31m" in shown[1]  # red FAIL
    monkeypatch.setenv("NO_COLOR", "1")
    plain = report.Stream(lambda text="", nl=True: shown.append(text), tty=True)
    plain.check({"name": "x", "passed": True, "skipped": False})
    assert shown[-1] == "  PASS  x"


def _notebook(tmp_path: Path, cells: list[str]) -> Path:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("# my attempt")] + [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "solution.ipynb"
    path.write_text(nbformat.writes(book))
    return path


def test_a_notebook_is_graded_from_its_code_cells_with_magics_skipped(tmp_path):
    body = CORRECT_SDPA.read_text()
    path = _notebook(tmp_path, ["%matplotlib inline\n!pip install nothing", "%%time\nprint('timed')", body,
                                "scaled_dot_product_attention?", "display('a scratch cell')"])
    code, note, places = notebooks.code_of(path)
    assert "def scaled_dot_product_attention" in code and "%matplotlib" not in code and "print('timed')" not in code
    assert "%matplotlib inline" in note and "!pip install nothing" in note and "%%time" in note
    result = run("grade", "attention.sdpa", str(path))
    assert result.exit_code == 0, result.output
    assert "Skipped IPython-only lines" in result.output and "PASSED" in result.output


def test_notebook_messages_name_the_cell_and_line(tmp_path):
    path = _notebook(tmp_path, ["import torch", "x = 1\nraise ValueError('in cell three')"])
    result = run("grade", "attention.sdpa", str(path))
    assert result.exit_code == 2 and f"{path} (cell 3, line 2)" in result.output  # cell 1 is Markdown
    broken = _notebook(tmp_path, ["def f(:\n    pass"])
    assert f"{broken} (cell 2, line 1): syntax error" in run("grade", "attention.sdpa", str(broken)).output


def test_start_notebook_writes_a_starter_notebook_that_grades_as_not_implemented(tmp_path):
    target = tmp_path / "sdpa.ipynb"
    assert run("start", "attention.sdpa", str(target), "--notebook").exit_code == 0
    book = nbformat.read(str(target), as_version=4)
    assert [c.cell_type for c in book.cells] == ["markdown", "code"]
    assert "def scaled_dot_product_attention" in book.cells[1].source
    result = run("grade", "attention.sdpa", str(target))
    assert result.exit_code == 1 and "Not implemented yet" in result.output


def test_a_broken_notebook_is_a_load_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    result = run("grade", "attention.sdpa", str(path))
    assert result.exit_code == 2 and "not a readable Jupyter notebook" in result.output


def test_inside_a_mock_round_the_statement_and_report_name_the_rounds_own_commands():
    from qkv.grader.starter import statement

    exercise = catalogue.get("attention.sdpa")
    assert "qkv grade" in statement(exercise) and "qkv" not in statement(exercise, commands=False).splitlines()[-1]
    verdict = runner.Verdict("attention.sdpa", "s.py", "not-implemented", "cpu", 0, 25)
    assert "Stuck? `hint`" in report.to_text(verdict, hint="hint")
    assert "Stuck? `qkv hint attention.sdpa`" in report.to_text(verdict)
