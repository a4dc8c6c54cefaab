"""A look at the candidate's source before any of it runs (grading process; standard library only).

The worker watches forbidden calls while the candidate's code runs (grader/worker.py), but
the watch lives in the candidate's own process, where code can reach around it. So the
grading process reads the source first (`ast`, nothing is executed) and stops the grade,
with the `forbidden` diagnosis, when the code

- names a function the exercise forbids, or one of its aliases: `F.scaled_dot_product_attention`,
  `torch._C._nn.scaled_dot_product_attention`, `torch.ops.aten._scaled_dot_product_*`,
  `from torch.optim.sgd import sgd`, `getattr(F, "rms_norm")` (import aliases are followed); or
- uses something an honest solution never needs and that only serves to slip past the watch:
  the original behind a tripwire (`__wrapped__`), popping torch's function or dispatch modes,
  another process (subprocess, multiprocessing, os.system/exec*/spawn*/popen), native code
  (ctypes), the worker's own module (`sys.modules["__main__"]`), frames and interpreter internals
  (`sys._getframe`, `__globals__`, `gc.get_objects`, ...), or code the scan cannot read (exec, eval,
  an import by a computed name).

The first finding, in line order, is the verdict's message: the line and what was found.
`QKV_SOURCE_SCAN=off` (the grader's environment, not the candidate's) turns the scan off: for tests
of the layers behind it.
"""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass

from qkv.grader.forbid import ATEN_BACKENDS, NAMED_BACKENDS

CHECK_NAME = "uses no forbidden function"

WATCH = "reaches around the grader's watch on forbidden functions"
PROCESS = "runs code in another process, where the grader cannot watch it"
NATIVE = "calls native code directly, where the grader cannot watch it"
INTERNALS = "reaches into the interpreter's frames or internals, where the grader's watch lives"
HIDDEN = "runs code built while it runs, which the grader cannot read"
MAIN = "is the grader's own worker script, where its watch on forbidden functions lives"
LOOKUP = "looks modules up by name, the grader's worker script (__main__) among them"

# Attribute names (and the same words as string literals, in getattr(x, "...") or vars(x)["..."]).
ATTRIBUTES = {
    "__wrapped__": WATCH,
    **dict.fromkeys(("__globals__", "__closure__", "cell_contents", "__code__", "__subclasses__", "f_back",
                     "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame",
                     "_getframe", "_current_frames"), INTERNALS),
}
# Names, attribute names and module path parts: torch's switches for its mode stacks and dispatch keys.
WATCH_WORDS = dict.fromkeys((
    "_python_dispatch", "_disable_current_modes", "_pop_mode", "_push_mode", "_pop_mode_temporarily",
    "_set_torch_function_mode", "_set_torch_dispatch_mode", "_pop_torch_function_stack",
    "_push_on_torch_function_stack", "_pop_torch_dispatch_stack", "_push_on_torch_dispatch_stack",
    "_get_function_stack_at", "_get_dispatch_stack_at", "_len_torch_function_stack", "_len_torch_dispatch_stack",
    "_get_current_function_mode", "_get_current_function_mode_stack", "_get_current_dispatch_mode",
    "_get_current_dispatch_mode_stack", "_set_dispatch_mode", "_unset_dispatch_mode", "DisableTorchFunction",
    "DisableTorchFunctionSubclass", "_DisableTorchDispatch", "_ExcludeDispatchKeyGuard", "_IncludeDispatchKeyGuard",
    "_ForceDispatchKeyGuard", "_EnablePythonDispatcher", "_DisablePythonDispatcher", "_VariableFunctions",
    "_VariableFunctionsClass", "_jit_get_operation", "_get_operation_overload", "cpp_extension",
), WATCH) | {"CompilationUnit": HIDDEN}  # TorchScript compiled from a string
# Modules (and what is in them), by their full dotted name or a prefix of it.
MODULES = {
    **dict.fromkeys(("subprocess", "_posixsubprocess", "multiprocessing", "_multiprocessing", "torch.multiprocessing",
                     "concurrent.futures.process", "concurrent.futures.ProcessPoolExecutor", "pty", "os.system",
                     "os.popen", "os.posix_spawn", "os.posix_spawnp", "os.forkpty", "os.startfile", "posix.system",
                     "posix.popen", "posix.posix_spawn", "posix.posix_spawnp"), PROCESS),
    **dict.fromkeys(("ctypes", "_ctypes", "cffi"), NATIVE),
    "__main__": MAIN,
    **dict.fromkeys(("sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile",
                     "inspect.currentframe", "inspect.stack", "inspect.trace", "inspect.getouterframes",
                     "inspect.getinnerframes", "inspect.getclosurevars", "gc.get_objects", "gc.get_referrers",
                     "gc.get_referents", "importlib.reload", "importlib.util", "importlib.machinery", "runpy",
                     "builtins", "__builtin__"), INTERNALS),
}
PROCESS_PREFIXES = ("os.exec", "os.spawn", "posix.exec", "posix.spawn")  # os.execv, os.spawnlp, ...
HIDDEN_BUILTINS = {"exec", "eval", "compile"}


@dataclass(frozen=True)
class Finding:
    line: int
    what: str  # the name as the code spells it out, resolved through its imports
    why: str  # "forbidden", or the sentence for an evasion

    def message(self) -> str:
        if self.why == "forbidden":
            return (f"Line {self.line} of your code names {self.what}, which this exercise forbids: the point is "
                    "to write it yourself.")
        return (f"Line {self.line} of your code uses {self.what}, which {self.why}. An honest solution never "
                "needs it, so your code was not run; remove it to be graded.")

    def check(self) -> dict:
        """The verdict's one check, as grader/child.py reports a forbidden call."""
        return {"name": CHECK_NAME, "passed": False, "skipped": False, "codes": ["forbidden"],
                "counterexample": None, "message": self.message()}


def enabled() -> bool:
    return os.environ.get("QKV_SOURCE_SCAN", "").lower() not in ("off", "0", "no", "false")


def scan(source: str, forbidden: tuple[str, ...] | list[str]) -> Finding | None:
    """The first forbidden name or evasion in `source`, by line; None when there is none, or when the
    file does not parse (the worker then reports the syntax error)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found = sorted(_Scanner(tree, forbidden).findings(), key=lambda f: f.line)
    return found[0] if found else None


class _Scanner:
    def __init__(self, tree: ast.AST, forbidden):
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        plain = [entry for entry in forbidden if "[" not in entry]
        self.prefixes = tuple(plain)  # a name, or a package: everything under it
        self.roots = {entry.partition(".")[0] for entry in forbidden}
        self.leaves: set[str] = set()  # a forbidden function's own name, under any torch module
        for entry in plain:
            self.leaves.add(entry.rpartition(".")[2])
            self.leaves.update(ATEN_BACKENDS.get(entry, ()))
            self.leaves.update(alias.rpartition(".")[2] for alias in NAMED_BACKENDS.get(entry, ()))
        self.keywords: dict[str, str] = {}  # cross_entropy -> label_smoothing: forbidden with that keyword only
        for entry in forbidden:
            if "[" in entry:
                dotted, _, keyword = entry.rstrip("]").partition("[")
                self.keywords[dotted.rpartition(".")[2]] = keyword
        self.aliases: dict[str, set[str]] = {}  # a local name -> the dotted names it may stand for
        self._collect_aliases()
        self.defined = {node.name for node in ast.walk(tree)
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    # names

    def _collect_aliases(self) -> None:
        assignments = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._alias(alias.asname, alias.name)
                    else:
                        head = alias.name.partition(".")[0]
                        self._alias(head, head)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self._alias(alias.asname or alias.name, f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assignments.append((node.targets[0].id, node.value))
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name) \
                    and node.value is not None:
                assignments.append((node.target.id, node.value))
        for _ in range(3):  # m = torch.nn; F = m.functional: a few rounds settle chains of assignments
            for name, value in assignments:
                for path in self.resolve(value):
                    self._alias(name, path)

    def _alias(self, name: str, path: str) -> None:
        self.aliases.setdefault(name, set()).add(path)

    def resolve(self, node: ast.AST) -> set[str]:
        """The dotted names an expression may stand for: torch.nn.functional for `F` after
        `import torch.nn.functional as F`, F.x for getattr(F, "x"), the module for import_module("...")."""
        if isinstance(node, ast.Name):
            return set(self.aliases.get(node.id, ()))
        if isinstance(node, ast.Attribute):
            return {f"{base}.{node.attr}" for base in self.resolve(node.value)}
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            literal = _literal(node.args[1]) if len(node.args) > 1 else None
            if isinstance(func, ast.Name) and func.id == "getattr" and func.id not in self.aliases \
                    and literal is not None:
                return {f"{base}.{literal}" for base in self.resolve(node.args[0])}
            first = _literal(node.args[0])
            if first is not None and (self.resolve(func) & {"importlib.import_module", "builtins.__import__"}
                                      or isinstance(func, ast.Name) and func.id == "__import__"):
                return {first}
        if isinstance(node, ast.Subscript) and (key := _literal(node.slice)) is not None:
            if "sys.modules" in self.resolve(node.value):
                return {key}
            inner = node.value  # vars(F)["rms_norm"], F.__dict__["rms_norm"]
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "vars" \
                    and len(inner.args) == 1:
                return {f"{base}.{key}" for base in self.resolve(inner.args[0])}
            if isinstance(inner, ast.Attribute) and inner.attr == "__dict__":
                return {f"{base}.{key}" for base in self.resolve(inner.value)}
        return set()

    # findings

    def findings(self):
        for node in ast.walk(self.tree):
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield from self._path(alias.name, line)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield from self._path(node.module, line)
                for alias in node.names:
                    if alias.name != "*":
                        yield from self._path(f"{node.module}.{alias.name}", line, own=alias.name)
            elif isinstance(node, ast.Attribute):
                if node.attr in ATTRIBUTES:
                    yield Finding(line, node.attr, ATTRIBUTES[node.attr])
                if node.attr in WATCH_WORDS:
                    yield Finding(line, node.attr, WATCH_WORDS[node.attr])
                for path in self.resolve(node):
                    yield from self._path(path, line)
                yield from self._sys_modules(node, line)
            elif isinstance(node, ast.Name):
                if node.id in WATCH_WORDS and node.id not in self.defined:
                    yield Finding(line, node.id, WATCH_WORDS[node.id])
                if node.id == "__builtins__":
                    yield Finding(line, node.id, INTERNALS)
            elif isinstance(node, ast.Call):
                yield from self._call(node, line)
            elif isinstance(node, ast.Subscript):
                for path in self.resolve(node):
                    yield from self._path(path, line)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                word = node.value
                if word in ATTRIBUTES or word in WATCH_WORDS:
                    yield Finding(line, repr(word), ATTRIBUTES.get(word) or WATCH_WORDS[word])
                elif word == "__main__" and not self._is_name_main_test(node):
                    yield Finding(line, repr(word), MAIN)

    def _path(self, path: str, line: int, own: str | None = None):
        """Findings for a dotted name the code uses."""
        parts = path.split(".")
        if parts[0] in self.roots:
            for prefix in self.prefixes:
                if path == prefix or path.startswith(prefix + "."):  # the name; a package's member
                    rest = parts[prefix.count(".") + 1:]
                    shown = prefix if not rest or rest[0].startswith("__") else f"{prefix}.{rest[0]}"
                    yield Finding(line, shown, "forbidden")
                    return
            for i, part in enumerate(parts[1:], 1):
                if part in self.leaves:
                    yield Finding(line, ".".join(parts[:i + 1]), "forbidden")
                    return
        for part in parts:
            if part in WATCH_WORDS:
                yield Finding(line, path, WATCH_WORDS[part])
                return
            if part in ATTRIBUTES:
                yield Finding(line, path, ATTRIBUTES[part])
                return
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in MODULES:
                yield Finding(line, path, MODULES[".".join(parts[:i])])
                return
        if path.startswith(PROCESS_PREFIXES):
            yield Finding(line, path, PROCESS)

    def _call(self, node: ast.Call, line: int):
        for path in self.resolve(node):  # getattr(F, "rms_norm"), importlib.import_module("subprocess")
            yield from self._path(path, line)
        func = node.func
        if isinstance(func, ast.Name) and func.id not in self.aliases and func.id not in self.defined:
            if func.id in HIDDEN_BUILTINS:
                yield Finding(line, f"{func.id}()", HIDDEN)
            elif func.id == "__import__" and not (node.args and _literal(node.args[0]) is not None):
                yield Finding(line, "__import__() of a computed name", HIDDEN)
            elif func.id in ("setattr", "delattr") and len(node.args) > 1:
                word = _literal(node.args[1])
                if word is not None:
                    for base in self.resolve(node.args[0]):
                        yield from self._path(f"{base}.{word}", line)
        resolved = self.resolve(func)
        if "importlib.import_module" in resolved and not (node.args and _literal(node.args[0]) is not None):
            yield Finding(line, "importlib.import_module() of a computed name", HIDDEN)
        if self.keywords:
            for path in resolved:
                parts = path.split(".")
                keyword = self.keywords.get(parts[-1])
                if parts[0] in self.roots and keyword:
                    for given in node.keywords:
                        if given.arg == keyword and not _is_falsy(given.value):
                            yield Finding(line, f"{path}({keyword}=...)", "forbidden")

    def _sys_modules(self, node: ast.Attribute, line: int):
        """sys.modules: fine in `sys.modules[__name__]` and in `name in sys.modules`; anything else looks
        modules up by name, and the worker's own script is one of them (__main__)."""
        if "sys.modules" not in self.resolve(node):
            return
        parent = self.parents.get(node)
        if isinstance(parent, ast.Subscript) and parent.value is node and _is_name(parent.slice):
            return
        if isinstance(parent, ast.Compare) and node in parent.comparators:
            return
        if isinstance(parent, ast.Attribute) and parent.attr == "get":
            call = self.parents.get(parent)
            if isinstance(call, ast.Call) and call.args and _is_name(call.args[0]):
                return
        yield Finding(line, "sys.modules", LOOKUP)

    def _is_name_main_test(self, node: ast.Constant) -> bool:
        """`if __name__ == "__main__":`"""
        parent = self.parents.get(node)
        return isinstance(parent, ast.Compare) and any(_is_name(n) for n in [parent.left, *parent.comparators])


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "__name__"


def _is_falsy(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value
