"""Shared constants and helpers of the quiz tests (the fixtures are in conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from qkv.questions import bank

ROOT = Path(__file__).parents[2]
BANKS = Path(__file__).parent / "banks"
DEMO = BANKS / "demo.yaml"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
LAUNCH = "import qkv.questions.bank as b; b.bundled_paths = lambda: []; from qkv import cli; cli.main()"
LOCALE_VARIABLES = ("QKV_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def spawn(args: list[str], home: Path, **env: str) -> subprocess.Popen:
    """`qkv ARGS` in a child process on the test banks, with pipes for stdin, stdout and stderr."""
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    environ.update(QKV_HOME=str(home), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", **env)
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *args], cwd=ROOT, env=environ, text=True,
                            encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def right_lines(question: bank.Question) -> list[str]:
    """The input lines that answer `question` right (a short answer also rates itself 'good')."""
    if question.type == "short":
        return ["an answer in my own words", "good"]
    if question.type == "true_false":
        return ["t" if question.answer else "f"]
    if question.type == "multi":
        return [",".join(question.answer)]
    return [str(question.answer)]


def wrong_lines(question: bank.Question) -> list[str]:
    """Input lines that answer `question` wrong (a short answer rates itself 'again')."""
    if question.type == "short":
        return ["no idea", "1"]
    if question.type == "true_false":
        return ["f" if question.answer else "t"]
    if question.type == "numeric":
        return [str(question.answer + 10 * question.tolerance)]
    return [next(letter for letter in question.letters if letter not in question.answer)]
