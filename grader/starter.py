"""Starter files, statements and hints for `qkv start`, `show` and `hint` (no torch)."""
from __future__ import annotations

from pathlib import Path

from grader.catalogue import Exercise


class StarterExists(FileExistsError):
    pass


def write_starter(exercise: Exercise, path: str | None) -> Path:
    """Write the exercise's stub to `path` (default: <name>.py here); never overwrite."""
    target = Path(path or exercise.starter_filename)
    if target.is_dir():
        target = target / exercise.starter_filename
    if target.exists():
        raise StarterExists(f"{target} already exists; not overwriting it. Grade it with "
                            f"`qkv grade {exercise.id} {target}`, or pass another path.")
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# qkv exercise {exercise.id}: {exercise.summary}\n# Grade with: qkv grade {exercise.id} {target}\n\n"
    with open(target, "x", encoding="utf-8") as f:
        f.write(header + exercise.stub)
    return target


def statement(exercise: Exercise) -> str:
    return (f"{exercise.id}  ({exercise.topic}, {exercise.difficulty})\n{exercise.summary}\n\n"
            f"{exercise.statement}\nSignature: {exercise.signature_text()}\n"
            f"Start: qkv start {exercise.id}    Grade: qkv grade {exercise.id} {exercise.starter_filename}")


def hints(exercise: Exercise, level: int) -> str:
    """Hints 1..level; the last line says how to see the next one."""
    shown = [f"Hint {i}/{len(exercise.hints)}: {text}" for i, text in enumerate(exercise.hints[:level], 1)]
    if level < len(exercise.hints):
        shown.append(f"(More: qkv hint {exercise.id} --level {level + 1})")
    return "\n\n".join(shown)
