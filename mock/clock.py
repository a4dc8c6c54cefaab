"""The round's clock, and reading a line of input before a section's time is up.

The clock is injectable so that time-outs can be tested without waiting: the round asks
`clock.now()` for the time and `clock.real(seconds)` for how long a wait of `seconds` of
round time really lasts. QKV_MOCK_TIME_SCALE=60 makes a round minute pass in one second;
tests also pass a clock of their own.

`LineReader` wraps stdin for quiz.session.Console: when its `timeout` is set, `readline`
raises TimeUp if no whole line arrives in time. That needs a real file descriptor and
select() on it (a terminal or a pipe, on POSIX); elsewhere lines are read without a time
limit, and the round notices an answer given after the deadline when it arrives.
"""
from __future__ import annotations

import codecs
import io
import os
import select
import time
from typing import Callable, Mapping, Protocol, TextIO

SCALE_VARIABLE = "QKV_MOCK_TIME_SCALE"


class Clock(Protocol):
    def now(self) -> float:
        """Seconds of round time since some fixed start."""

    def real(self, seconds: float) -> float:
        """Real seconds that `seconds` of round time take."""


class ScaledClock:
    """Real time, sped up `scale` times."""

    def __init__(self, scale: float = 1.0, monotonic: Callable[[], float] = time.monotonic):
        self.scale, self._monotonic = scale, monotonic
        self._start = monotonic()

    def now(self) -> float:
        return (self._monotonic() - self._start) * self.scale

    def real(self, seconds: float) -> float:
        return seconds / self.scale


def from_env(environ: Mapping[str, str] = os.environ) -> ScaledClock:
    """Real time, sped up by $QKV_MOCK_TIME_SCALE when it is set; ValueError for a bad value."""
    text = environ.get(SCALE_VARIABLE, "").strip()
    if not text:
        return ScaledClock()
    try:
        scale = float(text)
    except ValueError:
        scale = 0.0
    if not 0 < scale < float("inf"):
        raise ValueError(f"got {SCALE_VARIABLE}={text!r}, but it must be a number > 0 (60: a minute per second)")
    return ScaledClock(scale)


class TimeUp(Exception):
    """No whole line arrived before the time limit."""


class LineReader:
    """Lines from `stream`, each within `timeout` real seconds when it is set (None: wait for ever)."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.timeout: float | None = None
        self._fd = _selectable_fd(stream)
        self._decoder = codecs.getincrementaldecoder(getattr(stream, "encoding", None) or "utf-8")("replace")
        self._pending = ""

    def isatty(self) -> bool:
        return self.stream.isatty()

    def readline(self) -> str:
        """The next line with its newline, "" at the end of input, TimeUp when `timeout` runs out first."""
        if self._fd is None:
            return self.stream.readline()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while "\n" not in self._pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._fd], [], [], wait)[0]:
                self._drop_typed()
                raise TimeUp
            chunk = os.read(self._fd, 4096)
            if not chunk:  # end of input: the last line may lack its newline
                line, self._pending = self._pending + self._decoder.decode(b"", final=True), ""
                return line
            self._pending += self._decoder.decode(chunk)
        line, self._pending = self._pending.split("\n", 1)
        return line + "\n"

    def _drop_typed(self) -> None:
        """On a terminal, forget what was typed for the prompt that timed out, so that it does not
        end up in front of the next answer (a pipe keeps its data: it was meant for the next prompt)."""
        if self.stream.isatty():
            import termios  # POSIX only, like select() on stdin

            termios.tcflush(self._fd, termios.TCIFLUSH)
            self._pending = ""


def _selectable_fd(stream: TextIO) -> int | None:
    """The descriptor to read with select() and os.read, or None to read `stream` as it is."""
    if os.name != "posix":
        return None
    try:
        return stream.fileno()
    except (AttributeError, io.UnsupportedOperation):  # e.g. io.StringIO, click's CliRunner
        return None
