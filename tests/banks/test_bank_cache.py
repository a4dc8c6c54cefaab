"""bank.load(cache=...): banks that validated before are read back from a JSON cache, never a stale one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qkv.questions import bank

DEMO = Path(__file__).parents[1] / "quiz" / "banks" / "demo.yaml"


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(DEMO, tmp_path / "demo.yaml")
    return Path("demo.yaml")


def test_a_cached_load_equals_a_fresh_one_and_skips_parsing(copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache" / "banks.json"
    fresh = bank.load([copy], cache=cache)
    assert cache.exists()

    def no_parsing(paths):
        raise AssertionError("parsed although the cache is valid")

    monkeypatch.setattr(bank, "check", no_parsing)
    assert bank.load([copy], cache=cache) == fresh


def test_an_edited_bank_is_validated_again(copy, tmp_path):
    cache = tmp_path / "banks.json"
    bank.load([copy], cache=cache)
    copy.write_text(copy.read_text(encoding="utf-8").replace("answer: b\n", "answer: e\n", 1), encoding="utf-8")
    with pytest.raises(bank.BankError, match="demo.yaml:14: got answer='e', but the only valid choices are a, b and c"):
        bank.load([copy], cache=cache)


def test_a_corrupt_cache_is_ignored_and_rewritten(copy, tmp_path):
    cache = tmp_path / "banks.json"
    cache.write_text('{"key": "x", "questions": [{"id": 1}]', encoding="utf-8")
    questions = bank.load([copy], cache=cache)
    assert len(questions) == 6 and bank.load([copy], cache=cache) == questions
    assert cache.read_text(encoding="utf-8").startswith('{"key": "')
