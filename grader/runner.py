"""Grade a solution file (the runner: no torch here).

Three processes, two of them trusted. This one starts the grading process
(`python -m grader.child`), hands it the request and a one-time key on stdin, and reads
its events from a pipe: only lines signed with that key count, so nothing the
candidate's code prints or writes can pass for a result. The grading process runs the
candidate's code in a third, untrusted worker (grader/remote.py, grader/worker.py) with
limits and, where the machine has bubblewrap, a sandbox. Whatever happens there (a
loop, a crash, `os._exit`, a process left running), the grade ends in a verdict, and
every process started under it is killed: this process is a child subreaper while it
grades, so even a `setsid` grandchild is reparented here and swept.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import qkv
from qkv.grader import catalogue, notebooks, sandbox
from qkv.grader.worker import children_of as _children_of
from qkv.grader.worker import sweep_children

ROOT = Path(qkv.__file__).resolve().parent.parent  # the folder holding the qkv package (a checkout's root)
DEFAULT_MEMORY_GIB = 4.0


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
    isolation: str = ""  # how the candidate's code was confined
    notes: str = ""  # about the file itself (e.g. notebook lines that were skipped)
    places: list | None = None  # a notebook: the (cell, line) of each line of the graded code
    declared: int = 0  # how many checks the exercise declares

    @property
    def passed(self) -> bool:
        """Only a grade in which every declared check ran and passed."""
        return (self.status == "graded" and self.declared > 0 and len(self.checks) == self.declared
                and all(c["passed"] for c in self.checks))

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 2 if self.status == "load-error" else 1


def grade(exercise_id: str, path: str, *, seed: int = 0, max_examples: int = 25, device: str = "auto",
          timeout: float = 60.0, plot: str | None = None, memory_gib: float = DEFAULT_MEMORY_GIB,
          on_start: Callable[[Verdict], None] | None = None, on_check: Callable[[dict], None] | None = None,
          on_running: Callable[[str], None] | None = None) -> Verdict:
    """Grade `path` (a .py file, or a notebook's code cells). `on_start` gets the verdict as soon as the
    file is accepted, `on_running` each check's name as it starts and `on_check` each finished check."""
    verdict, request = _prepare(exercise_id, path, seed=seed, max_examples=max_examples, device=device,
                                timeout=timeout, plot=plot, memory_gib=memory_gib)
    if on_start:
        on_start(verdict)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qkv-grade-") as scratch, _sweeping():
        _run_grader(verdict, request, Path(scratch), on_check, on_running)
    verdict.seconds = time.monotonic() - started
    if verdict.status == "load-error":
        raise GradeUsageError(verdict.message)
    return verdict


def _prepare(exercise_id: str, path: str, *, seed: int, max_examples: int, device: str, timeout: float,
             plot: str | None, memory_gib: float) -> tuple[Verdict, dict]:
    """The verdict to fill and the grading process's request, or GradeUsageError for what cannot be graded."""
    exercise = catalogue.get(exercise_id)
    if plot and exercise.topic != "initialization":
        raise GradeUsageError(f"--plot draws weight histograms: it is for the initialization exercises, not "
                              f"{exercise.id}.")
    if plot and not Path(plot).resolve().parent.is_dir():
        raise GradeUsageError(f"--plot {plot}: the folder {Path(plot).parent} does not exist.")
    source = Path(path)
    if not source.is_file():
        raise GradeUsageError(f"{path}: no such file. Write one with `qkv start {exercise.id} {path}`.")
    text = source.read_text(encoding="utf-8", errors="replace")
    notes, places = "", None
    if source.suffix == ".ipynb":
        try:
            text, notes, places = notebooks.code_of(source)
        except notebooks.NotebookError as exc:
            raise GradeUsageError(str(exc)) from None
    if not text.strip():
        raise GradeUsageError(f"{path} is empty. Write your solution there (`qkv start {exercise.id}` writes "
                              "a starter).")
    try:
        compile(text, str(source), "exec", dont_inherit=True)
    except SyntaxError as exc:
        message = f"{path}:{exc.lineno}: syntax error: {exc.msg}\n    {(exc.text or '').rstrip()}"
        raise GradeUsageError(notebooks.relocate(message, path, places) if places else message) from None
    # "auto" as the header will show it before the grading process knows: CPU unless a GPU is there
    shown = ("cuda" if sandbox.cuda_devices_present() else "cpu") if device == "auto" else device
    verdict = Verdict(exercise.id, path, "graded", shown, seed, max_examples, notes=notes)
    verdict.places = places
    request = {"exercise": exercise.id, "path": str(source.resolve()), "source": text, "seed": seed,
               "device": device, "max_examples": max_examples, "timeout": timeout,
               "memory": int(memory_gib * 2**30), "plot": str(Path(plot).resolve()) if plot else None}
    return verdict, request


class Session:
    """One warm grading process for many grades of the same file (`qkv watch`): torch, the grader and a
    zygote are loaded once, so a re-grade costs the checks and a forked worker only."""

    def __init__(self):
        sandbox.not_dumpable()  # before the key: no process of this user can read it out of this one's memory
        self.key = secrets.token_bytes(32)
        self.scratch = tempfile.TemporaryDirectory(prefix="qkv-watch-")
        self.sweep = _sweeping()
        self.sweep.__enter__()
        self.errors = open(Path(self.scratch.name) / "grader-stderr.txt", "wb")  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-B", "-m", "qkv.grader.child", "--serve"],
                                        cwd=self.scratch.name, env=_grader_environment(Path(self.scratch.name)),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                        start_new_session=True)
        self._send({"key": self.key.hex()})

    def _send(self, message: dict) -> None:
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def grade(self, exercise_id: str, path: str, *, on_start=None, on_check=None, on_running=None,
              **options) -> Verdict:
        verdict, request = _prepare(exercise_id, path, **{**_DEFAULTS, **options})
        if on_start:
            on_start(verdict)
        started = time.monotonic()
        self._send(request)
        result = _events(self.process, self.key, verdict, on_check, on_running)
        _fill(verdict, result, self.process, Path(self.scratch.name) / "grader-stderr.txt")
        verdict.seconds = time.monotonic() - started
        if result is None:  # the grading process is gone: start over next time
            self.close()
            self.__init__()
        if verdict.status == "load-error":
            raise GradeUsageError(verdict.message)
        return verdict

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        _kill(self.process)
        self.errors.close()
        self.sweep.__exit__(None, None, None)
        self.scratch.cleanup()


_DEFAULTS = {"seed": 0, "max_examples": 25, "device": "auto", "timeout": 60.0, "plot": None,
             "memory_gib": DEFAULT_MEMORY_GIB}


def _grader_environment(scratch: Path) -> dict:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "HYPOTHESIS_STORAGE_DIRECTORY": str(scratch / "hypothesis"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _run_grader(verdict: Verdict, request: dict, scratch: Path, on_check, on_running) -> None:
    sandbox.not_dumpable()  # before the key: no process of this user can read it out of this one's memory
    key = secrets.token_bytes(32)
    errors = scratch / "grader-stderr.txt"
    with open(errors, "wb") as stderr:
        grader = subprocess.Popen([sys.executable, "-B", "-m", "qkv.grader.child"], cwd=scratch,
                                  env=_grader_environment(scratch), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=stderr, start_new_session=True)
        try:
            grader.stdin.write((json.dumps({**request, "key": key.hex()}) + "\n").encode())
            grader.stdin.close()
            result = _events(grader, key, verdict, on_check, on_running)
            grader.wait()
        except KeyboardInterrupt:
            _kill(grader)
            raise
        finally:
            _kill(grader)
    _fill(verdict, result, grader, errors)


def _fill(verdict: Verdict, result: dict | None, grader: subprocess.Popen, errors: Path) -> None:
    if result is None:
        detail = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
        verdict.status = "crashed"
        verdict.message = f"The grading process ended without a verdict (exit status {grader.poll()}).\n{detail}"
        return
    verdict.status, verdict.device = result["status"], result["device"]
    verdict.checks, verdict.diagnosis = result["checks"], result["diagnosis"]
    verdict.message = result.get("error", "")
    verdict.plot = result.get("plot", "")
    verdict.output = result.get("output", "")
    verdict.isolation = result.get("isolation", "")
    verdict.declared = result.get("declared", 0)
    if verdict.places:  # a notebook: lines of the joined code become cells and lines
        absolute = str(Path(verdict.path).resolve())
        for check in verdict.checks:
            check["message"] = notebooks.relocate(notebooks.relocate(check["message"], absolute, verdict.places),
                                                  verdict.path, verdict.places)
        verdict.message = notebooks.relocate(notebooks.relocate(verdict.message, absolute, verdict.places),
                                             verdict.path, verdict.places)


def _events(grader: subprocess.Popen, key: bytes, verdict: Verdict, on_check, on_running) -> dict | None:
    """Read signed events until the result; finished checks are kept (and passed on) as they arrive."""
    from qkv.grader.child import sign_check  # noqa: PLC0415 - stdlib only: no torch in this process

    for line in grader.stdout:
        event = sign_check(key, line.decode("utf-8", errors="replace"))
        if event is None:
            continue
        if "result" in event:
            return event["result"]
        if "done" in event:
            verdict.checks.append(event["done"])
            if on_check:
                on_check(event["done"])
        elif "running" in event and on_running:
            on_running(event["running"])
    return None


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=10)


@contextlib.contextmanager
def _sweeping():
    """While grading, be a child subreaper (Linux): a process the candidate leaves behind, even
    one that called setsid and whose parent exited, becomes our child; at the end every new child
    of ours and everything under it is killed, again until none is left (even one that keeps forking)."""
    before = set(_children_of(os.getpid()))
    was = _set_subreaper(True)
    try:
        yield
    finally:
        sweep_children(spare=before)
        if not was:
            _set_subreaper(False)


def _set_subreaper(on: bool) -> bool:
    """Set PR_SET_CHILD_SUBREAPER; return whether it was set before."""
    try:
        import ctypes  # noqa: PLC0415

        libc = ctypes.CDLL(None, use_errno=True)
        value = ctypes.c_int(0)
        libc.prctl(37, ctypes.byref(value), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
        libc.prctl(36, int(on), 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        return bool(value.value)
    except (OSError, AttributeError):
        return False
