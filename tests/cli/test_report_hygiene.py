"""What the graded code writes into the report (exception messages, notebook notes, its output) cannot
move the terminal's cursor or draw report lines of its own: control characters are written out."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qkv import cli

FAKE = "\\x1b[2J\\x1b[H  PASS  every check\\r\\nPASSED: all 18 checks (0.1 s)."


def test_escape_sequences_in_an_exception_message_are_written_out(tmp_path):
    solution = tmp_path / "fake.py"
    solution.write_text("import torch\n\n\ndef causal_mask(seq_len, device=None):\n"
                        "    if device is not None and torch.device(device).type != 'cpu':\n"
                        f"        raise RuntimeError('{FAKE}')  # only in the device check\n"
                        "    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()\n")
    result = CliRunner().invoke(cli.main, ["grade", "masking.causal_mask", str(solution), "--max-examples", "3"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\r" not in result.output
    assert "\\x1b[2J" in result.output  # shown, harmlessly
    data = json.loads(CliRunner().invoke(cli.main, ["grade", "masking.causal_mask", str(solution), "--json",
                                                    "--max-examples", "3"]).output)
    assert data["passed"] is False and any("\x1b[2J" in c["message"] for c in data["checks"])  # JSON keeps data


def test_escape_sequences_in_a_notebook_line_that_is_skipped_are_written_out(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%time \x1b[2J\x1b[H  PASS  faked\n"
                                                "def causal_mask(seq_len, device=None):\n    raise NotImplementedError")]
    path = tmp_path / "fake.ipynb"
    nbformat.write(notebook, str(path))
    result = CliRunner().invoke(cli.main, ["grade", "masking.causal_mask", str(path), "--max-examples", "3"])
    assert "\x1b" not in result.output and "\\x1b[2J" in result.output, result.output


def test_an_exception_message_cannot_push_the_report_off_the_screen(tmp_path):
    solution = tmp_path / "tall.py"
    solution.write_text("import torch\n\n\ndef causal_mask(seq_len, device=None):\n"
                        "    raise ValueError('first' + '\\n' * 40 + 'PASSED.' + '\\nfiller' * 30)\n")
    result = CliRunner().invoke(cli.main, ["grade", "masking.causal_mask", str(solution), "--max-examples", "3"])
    assert result.exit_code == 1
    assert "\n\n\n" not in result.output  # forty blank lines become one
    shown = result.output.split("Your code raised ValueError: first", 1)[1].split("\n-- ", 1)[0]
    assert shown.count("filler") == 10 and "(21 more lines)" in shown
