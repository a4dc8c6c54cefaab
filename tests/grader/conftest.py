"""Helpers for grader tests: grade in this process (fast, one torch import) or through
the real child process (isolation, CLI)."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import child


def grade_in_process(exercise: str, path: Path, tmp_path: Path, *, seed: int = 0, max_examples: int = 25) -> dict:
    """The child's grading function, called directly: same checks, no process boundary."""
    request = {"exercise": exercise, "path": str(path.resolve()), "seed": seed, "device": "cpu",
               "max_examples": max_examples, "result": str(tmp_path / "result.json"),
               "progress": str(tmp_path / "progress.jsonl")}
    return child.grade(request)


@pytest.fixture
def grade_here(tmp_path):
    return lambda exercise, path, **kw: grade_in_process(exercise, Path(path), tmp_path, **kw)
