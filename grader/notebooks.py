"""Jupyter notebooks as solutions and starters (nbformat; no torch).

A notebook is graded as the code of its code cells, in order. IPython-only lines cannot
run as Python: a cell magic (`%%time`) drops its whole cell; a line magic (`%matplotlib`),
a shell line (`!pip install ...`) or a help query (`x?`) drops that line, and the verdict
names what was skipped. `display`, which Jupyter always defines, prints. Messages name
"cell N, line M", not a line of the joined code.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

_IPYTHON_LINE = re.compile(r"^\s*(%|!|\?|\w[\w.]*\?{1,2}\s*$)")


class NotebookError(ValueError):
    pass


PRELUDE = "def display(*objects, **options): print(*objects)  # Jupyter's display, as print\n"


def code_of(path: Path) -> tuple[str, str, list[tuple[int, int]]]:
    """(the Python code of the notebook's code cells, a note naming the skipped lines or "",
    the (cell, line) of each line of that code, from 1; (0, 0) for lines of no cell)."""
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a broken file
        raise NotebookError(f"{path}: not a readable Jupyter notebook ({type(exc).__name__}: {exc})") from None
    lines, places, skipped = [PRELUDE.rstrip("\n")], [(0, 0)], []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code":
            continue
        source = cell.source.splitlines()
        whole_cell = bool(source) and source[0].lstrip().startswith("%%")
        if whole_cell:
            skipped.append(f"cell {number} ({source[0].strip()})")
        for index, line in enumerate(source, 1):
            if not whole_cell and _IPYTHON_LINE.match(line):
                skipped.append(f"cell {number}: {line.strip()}")
            lines.append("" if whole_cell or _IPYTHON_LINE.match(line) else line)
            places.append((number, index))
        lines.append("")
        places.append((0, 0))
    note = ("Skipped IPython-only lines (not Python): " + "; ".join(skipped)) if skipped else ""
    return "\n".join(lines) + "\n", note, places


def relocate(text: str, path: str, places: list[tuple[int, int]]) -> str:
    """`text` with each `path:LINE` of the joined code written as `path (cell N, line M)`."""
    def place(match: re.Match) -> str:
        line = int(match.group(1))
        cell, within = places[line - 1] if 0 < line <= len(places) else (0, 0)
        return f"{path} (cell {cell}, line {within})" if cell else match.group(0)

    return re.sub(re.escape(path) + r":(\d+)", place, text)


def starter(statement: str, stub: str) -> str:
    """A new notebook: the statement as a Markdown cell, the stub as a code cell, a grading hint."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(statement), nbformat.v4.new_code_cell(stub.rstrip())]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(notebook)
