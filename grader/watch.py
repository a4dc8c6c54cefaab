"""`qkv watch ID PATH`: re-grade on every save, redraw the report, take `hint` and `quit` from the
keyboard (no torch in this process).

The file is polled (its size and modification time, five times a second) rather than watched
through inotify/FSEvents: one file needs no library, and polling sees every way an editor saves
(in place, or a new file renamed over the old one, which drops inotify watches on the file).
Grades go through one warm grading process (runner.Session): torch, the grader and a zygote
load once, so a re-grade costs the checks and a forked worker.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from qkv.grader import catalogue, progress, report, runner, starter
from qkv.quiz.lang import t

POLL_SECONDS = 0.2
QUIT = {"q", "quit", "exit"}


def _signature(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _keyboard(stream: TextIO) -> queue.Queue:
    """Lines typed, as they come (None at the end of input)."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.strip().lower())
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def watch(exercise_id: str, path: str, *, echo: Callable[..., None], stdin: TextIO = sys.stdin,
          tty: bool | None = None, lang: str = "en", **options) -> int:
    """Run until `quit` (or the end of input); the exit status of the last grade (0 pass, 1 fail)."""
    exercise = catalogue.get(exercise_id)
    tty = sys.stdout.isatty() if tty is None else tty
    target = Path(path)
    keys = _keyboard(stdin)
    session = runner.Session()
    seen, level, status = None, 0, 1
    try:
        while True:
            now = _signature(target)
            if now != seen:
                seen = now
                status = _grade(session, exercise, path, echo, tty, lang, options)
                echo("\n" + t(lang, "watch_waiting", path=path))
            try:
                line = keys.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if line is None or line in QUIT:
                return status
            if line == "hint":
                level = min(level + 1, len(exercise.hints))
                echo(starter.hints(exercise, level, more=t(lang, "hint_more_watch"), lang=lang))
            elif line == "":
                seen = None
            else:
                echo(t(lang, "watch_unknown", got=line))
    finally:
        session.close()


def _grade(session: runner.Session, exercise, path: str, echo, tty: bool, lang: str, options: dict) -> int:
    if tty:
        echo("\x1b[2J\x1b[H", nl=False)  # a fresh screen for each grade
    echo(time.strftime("[%H:%M:%S]"))
    stream = report.Stream(echo, tty=tty, lang=lang)
    try:
        verdict = session.grade(exercise.id, path, on_start=stream.start, on_check=stream.check,
                                on_running=stream.running, **options)
    except runner.GradeUsageError as exc:
        echo(f"Error: {report.escape_controls(str(exc))}")
        return 2
    echo(stream.finish(verdict))
    progress.record(verdict, path)
    return verdict.exit_code

