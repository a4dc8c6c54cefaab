"""Every numeric answer in the bundled banks, recomputed.

tests/banks/recompute_<topic>.py exports RECOMPUTE: {question id: function -> float}, one
entry per numeric question of questions/<topic>.yaml and no other keys. Each function
rebuilds the number from PyTorch, numpy or a derivation in code; the stored answer must be
within its tolerance of it.

The banks are read with yaml.safe_load here, not through questions.bank, so that a bank
with an unrelated schema problem still gets its numbers checked.
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import yaml

from qkv.questions import bank

HERE = Path(__file__).parent


def _numeric_questions() -> dict[str, dict[str, dict]]:
    """{topic: {id: question}} for the numeric questions of every bundled bank."""
    found = {}
    for path in bank.bundled_paths():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["topic"]] = {q["id"]: q for q in data["questions"] if q.get("type") == "numeric"}
    return found


def _recompute_tables() -> dict[str, dict]:
    """{topic: RECOMPUTE} from every tests/banks/recompute_<topic>.py."""
    tables = {}
    for path in sorted(HERE.glob("recompute_*.py")):
        spec = importlib.util.spec_from_file_location(f"_qkv_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tables[path.stem.removeprefix("recompute_")] = module.RECOMPUTE
    return tables


NUMERIC = _numeric_questions()
CASES = [(topic, qid) for topic, questions in NUMERIC.items() for qid in questions]


@pytest.fixture(scope="module")
def recompute() -> dict[str, dict]:
    return _recompute_tables()


@pytest.mark.parametrize("topic", sorted(NUMERIC))
def test_recompute_has_no_entry_that_is_not_a_numeric_question(recompute, topic):
    extra = sorted(set(recompute.get(topic, {})) - set(NUMERIC[topic]))
    assert not extra, (f"tests/banks/recompute_{topic}.py has entries for {extra}, which are not numeric questions"
                       f" of questions/{topic}.yaml; its numeric questions are {sorted(NUMERIC[topic])}")


def test_every_recompute_module_has_a_bank(recompute):
    orphans = sorted(set(recompute) - set(NUMERIC))
    assert not orphans, f"recompute modules without a bank: {orphans}; the banks are {sorted(NUMERIC)}"


@pytest.mark.parametrize("topic, qid", CASES, ids=[qid for _, qid in CASES])
def test_stored_answer_is_within_tolerance_of_the_recomputed_value(recompute, topic, qid):
    question = NUMERIC[topic][qid]
    table = recompute.get(topic, {})
    assert qid in table, f"{qid} is a numeric question but tests/banks/recompute_{topic}.py has no RECOMPUTE entry for it"
    value = float(table[qid]())
    stored, tolerance = question["answer"], question["tolerance"]
    assert math.isfinite(value), f"RECOMPUTE[{qid!r}]() returned {value}"
    assert abs(stored - value) <= tolerance, (
        f"{qid}: the bank stores answer={stored} (tolerance {tolerance}), but recomputing gives {value!r};"
        f" the difference {abs(stored - value):.3g} is over the tolerance")
