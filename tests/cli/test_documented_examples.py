"""The scripted examples in the README and docs/ run as documented: every `printf ... | qkv quiz ...`
line answers each of its questions right on the bundled banks (so a bank change cannot leave the
documentation behind)."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from qkv import cli
ROOT = Path(__file__).resolve().parents[2]
SCRIPTED = re.compile(r"printf '([^']*)' \| qkv (quiz [^|#]*?)\s*(?:\||#|$)")


def _examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in doc.read_text(encoding="utf-8").splitlines():
            match = SCRIPTED.search(line)
            if match:
                found.append((doc.name, match.group(1).encode().decode("unicode_escape"), match.group(2)))
    return found


EXAMPLES = _examples()


def test_the_docs_have_scripted_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("doc, answers, command", EXAMPLES, ids=[f"{d}: {c}" for d, _, c in EXAMPLES])
def test_a_scripted_example_answers_every_question_right(doc, answers, command):
    args = shlex.split(command)
    result = CliRunner().invoke(cli.main, [*args, "--json"] if "--json" not in args else args, input=answers)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["answered"] == summary["questions"] == answers.count("\n") and summary["correct"] == summary["answered"]
