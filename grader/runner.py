"""Grade a solution file in an isolated child process (parent side: no torch here).

The child (`python -m grader.child`) runs with a wall-clock limit in a scratch folder,
with bytecode writing off and hypothesis' storage pointed into the scratch folder, so
nothing is ever written next to the candidate's file and the file itself is only read.
An infinite loop, a segfault, `os._exit` or any exception ends in a verdict.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import catalogue

ROOT = Path(__file__).resolve().parent.parent  # folder holding the grader package
OUTPUT_LIMIT = 4000  # characters of the candidate's printed output kept in the report


class GradeUsageError(Exception):
    """Bad usage or a file that cannot be loaded: exit code 2."""


@dataclass
class Verdict:
    exercise: str
    path: str
    status: str  # graded | not-implemented | timeout | crashed | load-error
    device: str
    seed: int
    max_examples: int
    checks: list[dict] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    output: str = ""  # what the candidate's code printed
    message: str = ""  # for timeout, crashed and load-error
    seconds: float = 0.0
    plot: str = ""  # where --plot wrote its picture, or why it could not

    @property
    def passed(self) -> bool:
        return self.status == "graded" and all(c["passed"] for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 2 if self.status == "load-error" else 1


def grade(exercise_id: str, path: str, *, seed: int = 0, max_examples: int = 25, device: str = "auto",
          timeout: float = 60.0, plot: str | None = None) -> Verdict:
    exercise = catalogue.get(exercise_id)
    if plot and exercise.topic != "initialization":
        raise GradeUsageError(f"--plot draws weight histograms: it is for the initialization exercises, not "
                              f"{exercise.id}.")
    source = Path(path)
    if not source.is_file():
        raise GradeUsageError(f"{path}: no such file. Write one with `qkv start {exercise.id} {path}`.")
    text = source.read_text(encoding="utf-8", errors="replace")
    try:
        compile(text, str(source), "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise GradeUsageError(f"{path}:{exc.lineno}: syntax error: {exc.msg}\n    {(exc.text or '').rstrip()}") \
            from None
    verdict = Verdict(exercise.id, path, "graded", device, seed, max_examples)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qkv-grade-") as scratch:
        _run_child(verdict, str(source.resolve()), Path(scratch), timeout,
                   str(Path(plot).resolve()) if plot else None)
    verdict.seconds = time.monotonic() - started
    if verdict.status == "load-error":
        raise GradeUsageError(verdict.message)
    return verdict


def _run_child(verdict: Verdict, path: str, scratch: Path, timeout: float, plot: str | None) -> None:
    request = {"exercise": verdict.exercise, "path": path, "seed": verdict.seed, "device": verdict.device,
               "max_examples": verdict.max_examples, "result": str(scratch / "result.json"),
               "progress": str(scratch / "progress.jsonl"), "plot": plot}
    (scratch / "request.json").write_text(json.dumps(request))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "HYPOTHESIS_STORAGE_DIRECTORY": str(scratch / "hypothesis"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    output_file = scratch / "output.txt"
    with open(output_file, "wb") as output:
        child = subprocess.Popen([sys.executable, "-B", "-m", "grader.child", str(scratch / "request.json")],
                                 cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(child)
            returncode = None
        except KeyboardInterrupt:
            _kill(child)
            raise
    verdict.output = _tail(output_file.read_text(encoding="utf-8", errors="replace"))
    result_file = Path(request["result"])
    if result_file.exists():
        result = json.loads(result_file.read_text())
        verdict.status, verdict.device = result["status"], result["device"]
        verdict.checks, verdict.diagnosis = result["checks"], result["diagnosis"]
        verdict.message = result.get("error", "")
        verdict.plot = result.get("plot", "")
        return
    verdict.checks, running = _progress(scratch / "progress.jsonl")
    during = f" while checking \"{running}\"" if running else " while loading your file"
    if returncode is None:
        verdict.status = "timeout"
        verdict.message = (f"Your code did not finish within {timeout:g} s{during}: an infinite loop, or far too "
                           "slow (a Python loop over every element?). Raise the limit with --timeout.")
    else:
        verdict.status = "crashed"
        verdict.message = f"Your code ended the grading process{during}: {_describe_exit(returncode)}."


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"killed by signal {name}" + (" (a segmentation fault)" if name == "SIGSEGV" else "")
    return (f"it exited with status {returncode} (sys.exit, os._exit or exit() in your code?); a function "
            "under test must return its result")


def _progress(path: Path) -> tuple[list[dict], str | None]:
    done, running = [], None
    if path.exists():
        for line in path.read_text().splitlines():
            event = json.loads(line)
            if "done" in event:
                done.append(event["done"])
                running = None
            else:
                running = event["running"]
    return done, running


def _tail(text: str) -> str:
    if len(text) <= OUTPUT_LIMIT:
        return text
    return f"... ({len(text) - OUTPUT_LIMIT} characters cut)\n" + text[-OUTPUT_LIMIT:]
