"""Starter files, statements and hints for `qkv start`, `show` and `hint` (no torch)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from qkv.grader.catalogue import Exercise

REFERENCES = Path(__file__).resolve().parent.parent / "reference"


class StarterExists(FileExistsError):
    pass


def write_starter(exercise: Exercise, path: str | None, notebook: bool = False) -> Path:
    """Write the exercise's stub to `path` (default: <name>.py, or .ipynb with `notebook`, here);
    never overwrite."""
    default = Path(exercise.starter_filename).with_suffix(".ipynb" if notebook else ".py")
    target = Path(path or default)
    if target.is_dir():
        target = target / default
    if target.exists():
        raise StarterExists(f"{target} already exists; not overwriting it. Grade it with "
                            f"`qkv grade {exercise.id} {target}`, or pass another path.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if notebook or target.suffix == ".ipynb":
        from qkv.grader import notebooks  # noqa: PLC0415 - nbformat costs ~80 ms: only for a notebook

        text = notebooks.starter(f"# {exercise.id}\n\n{exercise.summary}\n\n```\n{exercise.statement}\n```\n\n"
                                 f"Grade with: `qkv grade {exercise.id} {target}`", exercise.stub)
    else:
        text = (f"# qkv exercise {exercise.id}: {exercise.summary}\n# Grade with: qkv grade {exercise.id} {target}\n\n"
                + exercise.stub)
    with open(target, "x", encoding="utf-8") as f:
        f.write(text)
    return target


def reference_source(exercise: Exercise) -> str:
    """The reference implementation of the exercise (and the helpers it uses), from reference/<topic>.py."""
    path = REFERENCES / f"{exercise.topic}.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    imports = [ast.get_source_segment(source, node) for node in tree.body
               if isinstance(node, (ast.Import, ast.ImportFrom)) and not (
                   isinstance(node, ast.ImportFrom) and node.module == "__future__")]
    wanted, queue = [], [exercise.entry_point]
    while queue:
        name = queue.pop()
        if name in wanted or name not in defined:
            continue
        wanted.append(name)
        body = ast.get_source_segment(source, defined[name]) or ""
        queue += [other for other in defined if other != name and re.search(rf"\b{re.escape(other)}\b", body)]
    lines = source.splitlines()

    def text_of(node) -> str:  # with its decorators, which get_source_segment leaves out
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        return "\n".join(lines[first - 1:node.end_lineno])

    blocks = [text_of(defined[name]) for name in defined if name in wanted]
    used = set(re.findall(r"\w+", "\n".join(blocks)))
    imports = [line for line in imports if set(re.findall(r"(?:import|as|,)\s+(\w+)", line)) & used]
    return f"# {path.parent.name}/{path.name}: the reference for {exercise.id}\n" + "\n".join(imports) + \
        "\n\n\n" + "\n\n\n".join(blocks)


def statement(exercise: Exercise, commands: bool = True) -> str:
    """The exercise as `qkv show` prints it; `commands`: end with how to start and grade it."""
    text = (f"{exercise.id}  ({exercise.topic}, {exercise.difficulty})\n{exercise.summary}\n\n"
            f"{exercise.statement}\nSignature: {exercise.signature_text()}")
    if commands:
        text += f"\nStart: qkv start {exercise.id}    Grade: qkv grade {exercise.id} {exercise.starter_filename}"
    return text


def hints(exercise: Exercise, level: int, more: str | None = None) -> str:
    """Hints 1..level; the last line says how to see the next one (`more`: how, where the reader is)."""
    shown = [f"Hint {i}/{len(exercise.hints)}: {text}" for i, text in enumerate(exercise.hints[:level], 1)]
    if level < len(exercise.hints):
        shown.append(more or f"(More: qkv hint {exercise.id} --level {level + 1})")
    return "\n\n".join(shown)
