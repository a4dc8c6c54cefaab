"""Quiz tests run on the small banks in tests/quiz/banks, with QKV_HOME in a temporary folder.

The bundled banks are switched off (in-process by monkeypatching, in child processes by
quizkit.LAUNCH) so these tests do not depend on the bank content.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from qkv.questions import bank
from quizkit import DEMO, LOCALE_VARIABLES


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """QKV_HOME in tmp_path, no language settings, no bundled banks."""
    folder = tmp_path / "home"
    monkeypatch.setenv("QKV_HOME", str(folder))
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bank, "bundled_paths", lambda: [])
    return folder


@pytest.fixture
def demo() -> dict[str, bank.Question]:
    return {q.id: q for q in bank.load([DEMO])}
