"""Starter files, statements and hints for `qkv start`, `show` and `hint` (no torch)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from qkv.grader.catalogue import Exercise
from qkv.quiz.lang import lang_flag, t

REFERENCES = Path(__file__).resolve().parent.parent / "reference"


class StarterExists(FileExistsError):
    pass


def write_starter(exercise: Exercise, path: str | None, notebook: bool = False, lang: str = "en") -> Path:
    """Write the exercise's stub to `path` (default: <name>.py, or .ipynb with `notebook`, here), with its
    summary (and a notebook with its statement) in `lang`; never overwrite."""
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

        text = notebooks.starter(f"# {exercise.id}\n\n{exercise.summary_in(lang)}\n\n```\n"
                                 f"{exercise.statement_in(lang)}\n```\n\n"
                                 + t(lang, "start_grade_with", id=exercise.id, path=target), exercise.stub)
    else:
        text = (f"# {t(lang, 'start_header', id=exercise.id, summary=exercise.summary_in(lang))}\n"
                f"# {t(lang, 'start_grade_with', id=exercise.id, path=target)}\n\n" + exercise.stub)
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


def statement(exercise: Exercise, commands: bool = True, lang: str = "en") -> str:
    """The exercise as `qkv show` prints it, in `lang`; `commands`: end with how to start and grade it."""
    text = (f"{exercise.id}  ({exercise.topic}, {t(lang, exercise.difficulty)})\n{exercise.summary_in(lang)}\n\n"
            f"{exercise.statement_in(lang)}\n" + t(lang, "show_signature", signature=exercise.signature_text()))
    if commands:
        text += "\n" + t(lang, "show_commands", id=exercise.id, file=exercise.starter_filename, flag=lang_flag(lang))
    return text


def hints(exercise: Exercise, level: int, more: str | None = None, lang: str = "en") -> str:
    """Hints 1..level in `lang`; the last line says how to see the next one (`more`: how, where the reader is)."""
    texts = exercise.hints_in(lang)
    shown = [t(lang, "hint_line", level=i, total=len(texts), text=text) for i, text in enumerate(texts[:level], 1)]
    if level < len(texts):
        shown.append(more or t(lang, "hint_more", id=exercise.id, level=level + 1, flag=lang_flag(lang)))
    return "\n\n".join(shown)
