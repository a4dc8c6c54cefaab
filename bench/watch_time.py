"""Warm re-grade time of `qkv watch` (runner.Session) for a correct solution of each exercise, as a
ratio to `python -c "import torch"` measured in the same run.

    python bench/watch_time.py [--repeat 3] [--exercise ID]...

The first grade of a session is cold (the grading process imports torch, the grader and a zygote);
the figure is the median of the next `--repeat` grades. Budget: 0.5x. Exit status 1 when over.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.grade_time import correct_solution, median_of  # noqa: E402
from qkv.grader import runner  # noqa: E402
from qkv.grader.catalogue import EXERCISE_IDS  # noqa: E402

BUDGET = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", action="append", choices=EXERCISE_IDS)
    args = parser.parse_args()
    baseline = median_of(args.repeat, [sys.executable, "-c", "import torch"])
    print(f"python -c 'import torch': {baseline:.2f} s (median of {args.repeat})")
    print(f"{'exercise':<32}{'cold s':>8}{'warm s':>8}{'ratio':>8}   budget {BUDGET}x")
    session = runner.Session()
    over = False
    try:
        for exercise in args.exercise or EXERCISE_IDS:
            path = str(correct_solution(exercise))
            started = time.perf_counter()
            session.grade(exercise, path)
            cold = time.perf_counter() - started
            warm = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                verdict = session.grade(exercise, path)
                warm.append(time.perf_counter() - started)
                assert verdict.passed, (exercise, verdict.status, verdict.message)
            ratio = statistics.median(warm) / baseline
            over |= ratio > BUDGET
            print(f"{exercise:<32}{cold:>8.2f}{statistics.median(warm):>8.2f}{ratio:>7.2f}x"
                  f"{'   OVER' if ratio > BUDGET else ''}")
    finally:
        session.close()
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
