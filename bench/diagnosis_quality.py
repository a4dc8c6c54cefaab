"""Diagnosis precision and recall over the bug corpus (tests/corpus/).

    python bench/diagnosis_quality.py [--exercise ID]... [--seed 0] [--verbose]

Every corpus file is graded in this process (as tests/grader/test_corpus.py does). Its first
line says what it is: `# expect: pass`, or `# expect: fail CODE...` with the codes of its real
mistake (none when no code describes it). Over the buggy files:

- precision = codes named that are among the file's expected codes / codes named;
- recall = buggy files whose diagnosis names every expected code / buggy files that expect a code.

Targets: precision >= 98%, recall >= 90%. Also printed: wrong verdicts (a correct file rejected,
a buggy one accepted), which the corpus test forbids. Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "corpus"
PRECISION_TARGET, RECALL_TARGET = 0.98, 0.90


class _Quiet:
    def emit(self, event: dict) -> None:
        pass


def expectation(path: Path) -> tuple[str, list[str], list[str]]:
    """(verdict, codes it must name, codes it may name: `CODE?` on the first line)."""
    words = path.read_text().splitlines()[0].removeprefix("# expect: ").split()
    required = [w for w in words[1:] if not w.endswith("?")]
    return words[0], required, required + [w.removesuffix("?") for w in words[1:] if w.endswith("?")]


def grade(exercise: str, path: Path, seed: int) -> dict:
    from qkv.grader import child, remote  # noqa: PLC0415 - imports torch

    remote.use_zygote()
    request = {"exercise": exercise, "path": str(path), "source": path.read_text(), "seed": seed, "device": "cpu",
               "max_examples": 25, "timeout": 60.0, "memory": remote.DEFAULT_MEMORY}
    return child.grade(request, _Quiet())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", action="append")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="print every buggy file's diagnosis")
    options = parser.parse_args()
    named = right = expecting = recalled = 0
    wrong_verdicts, misses = [], []
    per_exercise: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # named, right, expecting, recalled
    started = time.perf_counter()
    for path in sorted(CORPUS.glob("*/*.py")):
        exercise = path.parent.name
        if options.exercise and exercise not in options.exercise:
            continue
        verdict, expected, allowed = expectation(path)
        result = grade(exercise, path, options.seed)
        failed = result["status"] != "graded" or any(not c["passed"] for c in result["checks"])
        if failed != (verdict == "fail"):
            wrong_verdicts.append(f"{exercise}/{path.name}: expected {verdict}, got "
                                  f"{'fail' if failed else 'pass'} ({result['status']})")
        if verdict != "fail":
            continue
        codes = result["diagnosis"]
        good = [c for c in codes if c in allowed]
        counts = per_exercise[exercise]
        counts[0] += len(codes)
        counts[1] += len(good)
        named, right = named + len(codes), right + len(good)
        if expected:
            counts[2] += 1
            expecting += 1
            hit = set(expected) <= set(codes)
            counts[3] += hit
            recalled += hit
        if options.verbose or set(codes) - set(allowed) or not set(expected) <= set(codes):
            misses.append(f"{exercise}/{path.name}: expected {expected or '(no code)'}, named {codes}")
    print(f"{'exercise':<34}{'named':>6}{'right':>6}{'coded':>6}{'found':>6}")
    for exercise, (n, r, e, f) in sorted(per_exercise.items()):
        print(f"{exercise:<34}{n:>6}{r:>6}{e:>6}{f:>6}")
    precision = right / named if named else 1.0
    recall = recalled / expecting if expecting else 1.0
    print(f"\nprecision {right}/{named} = {precision:.1%} (target >= {PRECISION_TARGET:.0%})")
    print(f"recall    {recalled}/{expecting} = {recall:.1%} (target >= {RECALL_TARGET:.0%})")
    print(f"({time.perf_counter() - started:.0f} s)")
    if misses:
        print("\nwrong or missing codes:" if not options.verbose else "\nbuggy files:")
        print("\n".join(f"  {m}" for m in misses))
    if wrong_verdicts:
        print("\nwrong verdicts:")
        print("\n".join(f"  {w}" for w in wrong_verdicts))
    return 0 if precision >= PRECISION_TARGET and recall >= RECALL_TARGET and not wrong_verdicts else 1


if __name__ == "__main__":
    raise SystemExit(main())
