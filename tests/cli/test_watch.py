"""`qkv watch` in a real process: it grades at once, re-grades when the file is saved, shows hints
and quits on request; and one warm grading process serves many grades (runner.Session)."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from qkv.grader import runner

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "masking.causal_mask"


def _first(pattern: str) -> str:
    return next(p.read_text() for p in sorted(CORPUS.glob(pattern)))


class Watcher:
    def __init__(self, path: Path):
        self.process = subprocess.Popen([sys.executable, "-B", str(ROOT / "cli.py"), "watch", "masking.causal_mask",
                                         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=os.environ.copy())
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.seen: list[str] = []

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} never appeared; got:\n" + "\n".join(self.seen[-40:]))

    def type(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()


def test_watch_regrades_on_save_shows_hints_and_quits(tmp_path):
    path = tmp_path / "causal_mask.py"
    path.write_text(_first("bug_*.py"))
    watcher = Watcher(path)
    try:
        watcher.wait_for("FAILED")
        watcher.wait_for("Watching")
        path.write_text(_first("correct_*.py"))
        watcher.wait_for("PASSED")
        watcher.type("hint")
        watcher.wait_for("Hint 1/3")
        watcher.type("quit")
        assert watcher.process.wait(timeout=30) == 0  # the last grade passed
    finally:
        watcher.process.kill()


def test_a_session_grades_many_times_with_one_grading_process(tmp_path):
    path = tmp_path / "causal_mask.py"
    path.write_text(_first("correct_*.py"))
    session = runner.Session()
    try:
        first = session.grade("masking.causal_mask", str(path))
        pid = session.process.pid
        path.write_text(_first("bug_*.py"))
        second = session.grade("masking.causal_mask", str(path))
        assert first.passed and not second.passed and second.diagnosis
        assert session.process.pid == pid and session.process.poll() is None
    finally:
        session.close()
