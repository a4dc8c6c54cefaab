"""Wall time of `qkv grade` on a correct solution of each exercise, as a ratio to
`python -c "import torch"` measured in the same run (machines here are noisy), and of the
commands that must not import torch (`--help`, `list`, `show`, `start`) as a ratio to
`python -c "import click, yaml"`.

    python bench/grade_time.py [--repeat 3] [--exercise ID]...

Budgets: each grade <= 2.5x the torch import; each light command <= 2x the click+yaml import.
The correct solution graded is the first `# expect: pass` file of the exercise's corpus.
Exit status 1 when a budget is exceeded.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from qkv.grader.catalogue import EXERCISE_IDS  # noqa: E402

QKV = [sys.executable, "-B", str(ROOT / "cli.py")]


def timed(command: list[str], ok=(0,)) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def median_of(repeat: int, command: list[str]) -> float:
    return statistics.median(timed(command) for _ in range(repeat))


def correct_solution(exercise: str) -> Path:
    for path in sorted((ROOT / "tests" / "corpus" / exercise).glob("*.py")):
        if path.read_text().startswith("# expect: pass"):
            return path
    raise SystemExit(f"no correct solution for {exercise} in tests/corpus")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", action="append", choices=EXERCISE_IDS)
    options = parser.parse_args()
    over = False
    torch_import = median_of(options.repeat, [sys.executable, "-c", "import torch"])
    print(f"python -c 'import torch': {torch_import:.2f} s (median of {options.repeat})")
    print(f"{'exercise':<32}{'grade s':>9}{'ratio':>8}   budget 2.5x")
    for exercise in options.exercise or EXERCISE_IDS:
        seconds = median_of(options.repeat, QKV + ["grade", exercise, str(correct_solution(exercise))])
        ratio = seconds / torch_import
        over |= ratio > 2.5
        print(f"{exercise:<32}{seconds:>9.2f}{ratio:>7.2f}x{'   OVER' if ratio > 2.5 else ''}")
    light = median_of(options.repeat, [sys.executable, "-c", "import click, yaml"])
    print(f"\npython -c 'import click, yaml': {light:.3f} s")
    print(f"{'command':<32}{'s':>9}{'ratio':>8}   budget 2.0x")
    with tempfile.TemporaryDirectory() as scratch:
        commands = {"--help": ["--help"], "list": ["list"], "show": ["show", "attention.mha"],
                    "start": ["start", "attention.mha", f"{scratch}/start.py"]}
        for name, args in commands.items():
            runs = []
            for _ in range(options.repeat):
                Path(f"{scratch}/start.py").unlink(missing_ok=True)
                runs.append(timed(QKV + args))
            seconds = statistics.median(runs)
            ratio = seconds / light
            over |= ratio > 2.0
            print(f"qkv {name:<28}{seconds:>9.3f}{ratio:>7.2f}x{'   OVER' if ratio > 2.0 else ''}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
