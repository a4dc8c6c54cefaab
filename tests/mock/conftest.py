"""Mock interview tests: QKV_HOME in a temporary folder, the test banks only, no language settings."""
from __future__ import annotations

from pathlib import Path

import pytest

from mockkit import LOCALE_VARIABLES
from qkv.questions import bank


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """QKV_HOME in tmp_path, the current folder tmp_path/work, no language settings, no bundled banks."""
    folder = tmp_path / "home"
    monkeypatch.setenv("QKV_HOME", str(folder))
    monkeypatch.delenv("QKV_MOCK_TIME_SCALE", raising=False)
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bank, "bundled_paths", lambda: [])
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return folder
