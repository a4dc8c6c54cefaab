"""Start-up of `qkv quiz`: time until the first question is on screen, against `python -c "import click, yaml"`.

Budget: the quiz must show its first question within 2x the baseline. Both are run in
the same process, interleaved, several times; the medians are compared. The quiz runs
on the bundled banks (plus any --bank) with a throw-away QKV_HOME.

    python bench/quiz_startup.py [--repeat 15] [--bank PATH]...

Exit status 1 when the ratio is over budget.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 2.0
FIRST_QUESTION = b"Question 1/"


def baseline() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import click, yaml"], check=True)
    return time.perf_counter() - started


def quiz_until_first_question(home: str, banks: list[str]) -> float:
    command = [sys.executable, str(ROOT / "cli.py"), "quiz", "--count", "1", "--seed", "0", "--lang", "en"]
    command += [arg for bank in banks for arg in ("--bank", bank)]
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=ROOT, env={**os.environ, "QKV_HOME": home},
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        for line in child.stdout:
            if line.startswith(FIRST_QUESTION):
                elapsed = time.perf_counter() - started
                child.stdin.close()  # end of input: the quiz stops and prints its summary
                child.communicate()
                return elapsed
        raise SystemExit(f"the quiz never showed a question (exit {child.wait()}):\n"
                         f"{child.stderr.read().decode(errors='replace')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--bank", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        quiz_until_first_question(home, args.bank)  # warm-up: bytecode caches, page cache
        baseline()
        base, quiz = [], []
        for _ in range(args.repeat):
            base.append(baseline())
            quiz.append(quiz_until_first_question(home, args.bank))
    base_ms, quiz_ms = statistics.median(base) * 1000, statistics.median(quiz) * 1000
    ratio = quiz_ms / base_ms
    print(f"python -c 'import click, yaml': median {base_ms:.0f} ms over {args.repeat} runs")
    print(f"qkv quiz to first question:     median {quiz_ms:.0f} ms over {args.repeat} runs")
    print(f"ratio {ratio:.2f}x (budget {BUDGET:.0f}x): {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
