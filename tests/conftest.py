"""Every test starts with its own empty user data folder (QKV_HOME), so grades and answers recorded
by a test never reach the real history, and no test sees another's."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("QKV_HOME", str(tmp_path_factory.mktemp("qkv-home")))
