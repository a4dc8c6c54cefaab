"""Jupyter notebooks as solutions and starters (nbformat; no torch).

A notebook is graded as the code of its code cells, in order. IPython-only lines cannot
run as Python: a cell magic (`%%time`) drops its whole cell; a line magic (`%matplotlib`),
a shell line (`!pip install ...`) or a help query (`x?`) drops that line. They are replaced
by blank lines, so line numbers in messages still count within the joined code, and the
verdict names what was skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

_IPYTHON_LINE = re.compile(r"^\s*(%|!|\?|\w[\w.]*\?{1,2}\s*$)")


class NotebookError(ValueError):
    pass


def code_of(path: Path) -> tuple[str, str]:
    """(the Python code of the notebook's code cells, a note naming the skipped lines or "")."""
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a broken file
        raise NotebookError(f"{path}: not a readable Jupyter notebook ({type(exc).__name__}: {exc})") from None
    lines, skipped = [], []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code":
            continue
        source = cell.source.splitlines()
        if source and source[0].lstrip().startswith("%%"):
            skipped.append(f"cell {number} ({source[0].strip()})")
            lines += [""] * (len(source) + 1)
            continue
        for line in source:
            if _IPYTHON_LINE.match(line):
                skipped.append(f"cell {number}: {line.strip()}")
                lines.append("")
            else:
                lines.append(line)
        lines.append("")
    note = ("Skipped IPython-only lines (not Python): " + "; ".join(skipped)) if skipped else ""
    return "\n".join(lines) + "\n", note


def starter(statement: str, stub: str) -> str:
    """A new notebook: the statement as a Markdown cell, the stub as a code cell, a grading hint."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(statement), nbformat.v4.new_code_cell(stub.rstrip())]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(notebook)
