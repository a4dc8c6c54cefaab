"""Shared helpers of the mock interview tests (the fixtures are in conftest.py).

They run on the small banks in tests/mock/banks, with the bundled banks switched off, so they
do not depend on the bundled content. Answers are typed with the quiz tests' helpers.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from questions import bank

ROOT = Path(__file__).parents[2]
BANKS = Path(__file__).parent / "banks"
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "quiz"))
from quizkit import LAUNCH, LOCALE_VARIABLES, right_lines, wrong_lines  # noqa: E402  (after the path is set)

__all__ = ["ROOT", "BANKS", "CORPUS", "LAUNCH", "LOCALE_VARIABLES", "questions", "answer_lines", "spawn"]


def questions() -> list[bank.Question]:
    return bank.load(bank.expand([BANKS]))


def answer_lines(question: bank.Question, right: bool) -> list[str]:
    """What a candidate types for `question`: its right (or a wrong) answer; free text for a short one."""
    if question.type == "short":
        return ["my answer to " + question.id]
    return right_lines(question) if right else wrong_lines(question)


def spawn(args: list[str], *, home: Path, cwd: Path, **env: str) -> subprocess.Popen:
    """`qkv ARGS` in a child process on the test banks, in `cwd`, with pipes for stdin, stdout and stderr."""
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    environ.update(QKV_HOME=str(home), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **env)
    return subprocess.Popen([sys.executable, "-c", LAUNCH, "mock", "--bank", str(BANKS), *args], cwd=cwd,
                            env=environ, text=True, encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
