"""Start-up of `qkv quiz`: time until the first question is on screen, against `python -c "import click, yaml"`.

Budget: the quiz must show its first question within 2x the baseline. All runs are
interleaved, several times; the medians are compared. The quiz runs on the bundled banks
(plus any --bank) with a throw-away QKV_HOME, twice per round: "cached", the usual case,
where the banks validated on an earlier run are read from QKV_HOME/cache/banks.json, and
"cold", the first run after the banks change, with that cache deleted. All children may
write bytecode caches (PYTHONDONTWRITEBYTECODE is dropped), as an installed qkv has them;
the warm-up run writes them.

    python bench/quiz_startup.py [--repeat 15] [--bank PATH]...

Exit status 1 when the cached start-up is over budget.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 2.0
FIRST_QUESTION = b"Question 1/"


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def baseline() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import click, yaml"], env=ENV, check=True)
    return time.perf_counter() - started


def quiz_until_first_question(home: str, banks: list[str]) -> float:
    command = [sys.executable, str(ROOT / "cli.py"), "quiz", "--count", "1", "--seed", "0", "--lang", "en"]
    command += [arg for bank in banks for arg in ("--bank", bank)]
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=ROOT, env={**ENV, "QKV_HOME": home},
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        for line in child.stdout:
            if line.startswith(FIRST_QUESTION):
                elapsed = time.perf_counter() - started
                child.communicate()  # closes stdin: end of input, the quiz stops and prints its summary
                return elapsed
        raise SystemExit(f"the quiz never showed a question (exit {child.wait()}):\n"
                         f"{child.stderr.read().decode(errors='replace')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--bank", action="append", default=[])
    args = parser.parse_args()
    times: dict[str, list[float]] = {"python -c 'import click, yaml'": [], "qkv quiz, cached banks": [],
                                     "qkv quiz, cold (no cache)": []}
    base, cached, cold = times.values()
    with tempfile.TemporaryDirectory() as home:
        quiz_until_first_question(home, args.bank)  # warm-up: bytecode caches, page cache, bank cache
        baseline()
        for _ in range(args.repeat):
            base.append(baseline())
            cached.append(quiz_until_first_question(home, args.bank))
            shutil.rmtree(Path(home) / "cache")
            cold.append(quiz_until_first_question(home, args.bank))
    medians = {name: statistics.median(runs) * 1000 for name, runs in times.items()}
    reference = medians["python -c 'import click, yaml'"]
    for name, median in medians.items():
        print(f"{name + ':':30} median {median:4.0f} ms over {args.repeat} runs = {median / reference:.2f}x")
    ratio = medians["qkv quiz, cached banks"] / reference
    cold_ratio = medians["qkv quiz, cold (no cache)"] / reference
    print(f"budget {BUDGET:.0f}x: every start but the first after a bank change (cached) "
          f"{'OK' if ratio <= BUDGET else 'OVER BUDGET'}; the first (cold) "
          f"{'OK' if cold_ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
