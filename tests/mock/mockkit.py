"""Shared helpers of the mock interview tests (the fixtures are in conftest.py).

They run on the small banks in tests/mock/banks, with the bundled banks switched off, so they
do not depend on the bundled content. Answers are typed with the quiz tests' helpers.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from qkv.questions import bank

ROOT = Path(__file__).parents[2]
BANKS = Path(__file__).parent / "banks"
CORPUS = ROOT / "tests" / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "quiz"))
from quizkit import LAUNCH, LOCALE_VARIABLES, right_lines, wrong_lines  # noqa: E402  (after the path is set)



def questions() -> list[bank.Question]:
    return bank.load(bank.expand([BANKS]))


def answer_lines(question: bank.Question, right: bool) -> list[str]:
    """What a candidate types for `question`: its right (or a wrong) answer; free text for a short one."""
    if question.type == "short":
        return ["my answer to " + question.id]
    return right_lines(question) if right else wrong_lines(question)


def spawn(args: list[str], *, home: Path, cwd: Path, modules: Path | None = None, **env: str) -> subprocess.Popen:
    """`qkv mock ARGS` in a child process on the test banks, in `cwd`, with pipes for stdin, stdout and
    stderr; with `modules`, the names of the modules it imported are written there (JSON) at exit."""
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES and k != "QKV_MOCK_TIME_SCALE"}
    environ.update(QKV_HOME=str(home), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **env)
    code = LAUNCH
    if modules is not None:
        code = (f"import atexit, json, sys; atexit.register(lambda: open({str(modules)!r}, 'w').write("
                f"json.dumps(sorted(sys.modules)))); {LAUNCH}")
    return subprocess.Popen([sys.executable, "-c", code, "mock", "--bank", str(BANKS), *args], cwd=cwd, env=environ,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Output:
    """A child's stdout, read as it comes (bytes, so a read never stops inside a character)."""

    def __init__(self, child: subprocess.Popen, timeout: float = 60):
        self.child, self.timeout, self.raw = child, timeout, b""

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    def wait_for(self, text: str, count: int = 1) -> str:
        """Read until `text` has appeared `count` times; return everything read so far."""
        deadline = time.monotonic() + self.timeout
        fd = self.child.stdout.fileno()
        while self.text.count(text) < count:
            assert time.monotonic() < deadline, f"no {text!r} (x{count}) after:\n{self.text}"
            if select.select([fd], [], [], 1)[0]:
                chunk = os.read(fd, 65536)
                assert chunk, f"the round closed its output before {text!r} (x{count}):\n{self.text}"
                self.raw += chunk
        return self.text

    def send(self, *lines: str) -> None:
        self.child.stdin.write("".join(f"{line}\n" for line in lines).encode())
        self.child.stdin.flush()

    def finish(self) -> tuple[str, str]:
        """Close stdin, wait for the end; everything on stdout and stderr."""
        out, err = self.child.communicate(timeout=self.timeout)
        self.raw += out
        return self.text, err.decode("utf-8", "replace")
