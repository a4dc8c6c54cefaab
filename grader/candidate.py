"""Load a candidate's solution file and find its entry point (child process).

The file is executed as a fresh module without writing bytecode next to it. Problems
that stop grading before it starts are `LoadError`s: the report prints them with the
file and line and `qkv grade` exits 2.
"""
from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback

from grader.catalogue import Exercise


class LoadError(Exception):
    """The solution cannot be graded at all (exit code 2)."""


def load_module(path: str):
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("qkv_candidate_solution", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise LoadError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}") from None
    except SystemExit as exc:
        raise LoadError(f"{path}: the file called sys.exit({exc.code!r}) while being imported; "
                        "keep top-level code to definitions (or guard it with if __name__ == '__main__':).") from None
    except Exception as exc:  # noqa: BLE001 - any import-time error is the candidate's
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
        where = f"{path}:{frames[-1].lineno}" if frames else path
        raise LoadError(f"{where}: importing your file raised {type(exc).__name__}: {exc}") from None
    return module


def find_entry_point(module, exercise: Exercise, path: str):
    entry = getattr(module, exercise.entry_point, None)
    if entry is None:
        found = sorted(name for name, value in vars(module).items()
                       if not name.startswith("_") and callable(value)
                       and getattr(value, "__module__", None) == module.__name__)
        listing = ", ".join(found) if found else "nothing callable"
        raise LoadError(f"{path}: no {'class' if exercise.is_class else 'function'} named "
                        f"{exercise.entry_point!r}; the file defines {listing}. "
                        f"Expected: {exercise.signature_text()}")
    if exercise.is_class != inspect.isclass(entry):
        raise LoadError(f"{path}: {exercise.entry_point} should be a {'class' if exercise.is_class else 'function'}, "
                        f"found a {type(entry).__name__}. Expected: {exercise.signature_text()}")
    methods = ("__init__", "forward") if exercise.is_class else (None,)
    for method in methods:
        function = getattr(entry, method) if method else entry
        _check_signature(function, exercise.signature(method), exercise.required(method), exercise, path, method)
    return entry


def _check_signature(function, names: list[str], required: int, exercise: Exercise, path: str, method) -> None:
    """The grader passes every contract argument positionally: those calls must bind."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    if method:
        params = list(signature.parameters.values())[1:]  # drop self
        signature = signature.replace(parameters=params)
    for count in (required, len(names)):
        try:
            signature.bind(*range(count))
        except TypeError:
            label = f"{exercise.entry_point}.{method}" if method else exercise.entry_point
            raise LoadError(f"{path}: {label}{signature} cannot be called as {label}({', '.join(names[:count])}). "
                            f"Expected: {exercise.signature_text()}") from None
