"""Helpers for grader tests: grade in this process (fast: one torch import, workers forked from
one zygote) or through the real grading process (isolation, CLI)."""
from __future__ import annotations

from pathlib import Path

import pytest

from qkv.grader import child


class _Quiet:
    """A channel that drops the progress events (grade_in_process returns the result)."""

    def emit(self, event: dict) -> None:
        pass


def grade_in_process(exercise: str, path: Path, tmp_path: Path, *, seed: int = 0, max_examples: int = 25,
                     timeout: float = 60.0) -> dict:
    """The grading process's function, called directly: same checks and worker, no runner."""
    from qkv.grader import remote  # noqa: PLC0415 - imports torch

    remote.use_zygote()
    request = {"exercise": exercise, "path": str(path.resolve()), "source": path.read_text(), "seed": seed,
               "device": "cpu", "max_examples": max_examples, "timeout": timeout, "memory": remote.DEFAULT_MEMORY}
    return child.grade(request, _Quiet())


@pytest.fixture
def grade_here(tmp_path):
    return lambda exercise, path, **kw: grade_in_process(exercise, Path(path), tmp_path, **kw)
