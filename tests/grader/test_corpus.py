"""The bug corpus: correct solutions in other styles must pass, realistic buggy ones must
fail with exactly the diagnosis named on their first line (`# expect: pass` / `# expect: fail
CODE...`): every code listed, and none that is not (no code listed: the diagnosis stays empty). A code
written `CODE?` may be named or not (the mistake shows as it only on some draws), never required."""
from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

FILES = sorted(CORPUS.glob("*/*.py"))


def expectation(path):
    """(verdict, codes it must name, codes it may name)."""
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path}: first line must be '# expect: pass' or '# expect: fail CODE'"
    words = first.removeprefix("# expect: ").split()
    required = [w for w in words[1:] if not w.endswith("?")]
    return words[0], required, required + [w.removesuffix("?") for w in words[1:] if w.endswith("?")]


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_corpus_verdict(path, seed, grade_here):
    """Seed 0 is what `qkv grade` uses by default; seed 1 checks the verdicts do not hang on lucky draws."""
    verdict, codes, allowed = expectation(path)
    result = grade_here(path.parent.name, path, seed=seed)
    failed = [c for c in result["checks"] if not c["passed"]]
    assert result["status"] == "graded", result
    if verdict == "pass":
        assert not failed, "correct solution rejected:\n" + "\n\n".join(c["name"] + ": " + c["message"] for c in failed)
    else:
        assert failed, "buggy solution accepted"
        for code in codes:
            assert code in result["diagnosis"], f"expected diagnosis {code}, got {result['diagnosis']}"
        wrong = set(result["diagnosis"]) - set(allowed)  # a wrong diagnosis is worse than none
        assert not wrong, f"diagnosis names {sorted(wrong)}, which this file does not make (expected {allowed})"


def test_corpus_is_big_enough():
    from qkv.grader.catalogue import EXERCISE_IDS

    for exercise in EXERCISE_IDS:
        verdicts = [expectation(p)[0] for p in CORPUS.glob(f"{exercise}/*.py")]
        assert verdicts.count("pass") >= 3, f"{exercise}: fewer than 3 correct solutions"
        assert verdicts.count("fail") >= 5, f"{exercise}: fewer than 5 buggy solutions"
