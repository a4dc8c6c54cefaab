"""The round clock and reading a line against a time limit (mock/clock.py)."""
from __future__ import annotations

import io
import os
import pty
import threading
import time

import pytest

from qkv.mock.clock import SCALE_VARIABLE, LineReader, ScaledClock, TimeUp, from_env


def test_a_scaled_clock_runs_faster_and_converts_waits_to_real_seconds():
    ticks = iter([100.0, 100.5, 102.0])
    clock = ScaledClock(60, monotonic=lambda: next(ticks))
    assert (clock.now(), clock.now()) == (30.0, 120.0)
    assert clock.real(90) == 1.5


@pytest.mark.parametrize("value, scale", [(None, 1.0), ("", 1.0), ("60", 60.0), (" 2.5 ", 2.5)])
def test_the_scale_comes_from_the_environment(value, scale):
    assert from_env({} if value is None else {SCALE_VARIABLE: value}).scale == scale


@pytest.mark.parametrize("value", ["0", "-3", "fast", "inf", "nan"])
def test_a_bad_scale_is_refused_with_the_variable_and_the_value(value):
    with pytest.raises(ValueError, match=f"got {SCALE_VARIABLE}='{value}', but it must be a number > 0"):
        from_env({SCALE_VARIABLE: value})


@pytest.fixture
def pipe():
    read_end, write_end = os.pipe()
    with open(read_end, encoding="utf-8") as stream:
        yield LineReader(stream), write_end
    try:
        os.close(write_end)
    except OSError:
        pass


def test_lines_split_across_writes_and_utf8_split_inside_a_character_are_joined(pipe):
    reader, write_end = pipe
    data = "第一\nsecond line\n".encode()
    for chunk in (data[:2], data[2:9], data[9:]):  # 第 is 3 bytes: the first write ends inside it
        os.write(write_end, chunk)
    assert [reader.readline(), reader.readline()] == ["第一\n", "second line\n"]


def test_a_line_not_complete_in_time_raises_time_up_and_is_read_whole_later(pipe):
    reader, write_end = pipe
    reader.timeout = 0.05
    os.write(write_end, b"half")
    started = time.monotonic()
    with pytest.raises(TimeUp):
        reader.readline()
    assert 0.04 < time.monotonic() - started < 1
    os.write(write_end, b" and the rest\n")
    assert reader.readline() == "half and the rest\n"


def test_on_a_terminal_what_was_typed_before_the_time_out_is_dropped():
    master, slave = pty.openpty()
    with open(slave, encoding="utf-8") as stream:
        reader = LineReader(stream)
        reader.timeout = 0.05
        os.write(master, b"0.5")  # typed, Enter never pressed
        with pytest.raises(TimeUp):
            reader.readline()
        reader.timeout = None
        os.write(master, b"x\n")
        assert reader.readline() == "x\n"
    os.close(master)


def test_without_a_timeout_the_reader_waits_for_the_line(pipe):
    reader, write_end = pipe
    threading.Timer(0.1, os.write, (write_end, b"late\n")).start()
    assert reader.readline() == "late\n"


def test_the_end_of_input_gives_the_last_partial_line_then_nothing(pipe):
    reader, write_end = pipe
    os.write(write_end, b"a\nno newline")
    os.close(write_end)
    assert [reader.readline(), reader.readline(), reader.readline()] == ["a\n", "no newline", ""]


def test_a_stream_without_a_descriptor_is_read_as_it_is():
    reader = LineReader(io.StringIO("one\ntwo\n"))
    reader.timeout = 0.0  # cannot be honoured without select(): the round checks the clock itself
    assert [reader.readline(), reader.readline(), reader.readline()] == ["one\n", "two\n", ""]
    assert reader.isatty() is False
