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
  (`sys._getframe`, `__globals__`, `gc.get_objects`, ...), another thread (threading, _thread,
  concurrent.futures, asyncio: torch's modes, the watch, are thread-local), a store into torch.Tensor's
  methods (the worker's reply encoder calls them), or code the scan cannot read (exec, eval, an import by
  a computed name, `getattr(torch.ops.aten, name)` or `vars(torch)[name]` with a name built while it runs).

The first finding, in line order, is the verdict's message: the line and what was found.
`QKV_SOURCE_SCAN=off` (the grader's environment, not the candidate's) turns the scan off: for tests
of the layers behind it.
"""
from __future__ import annotations

import ast
import dataclasses
import os
from dataclasses import dataclass

from qkv.grader.forbid import ATEN_BACKENDS, KEYWORD_POSITIONS, NAMED_BACKENDS, failed_check
from qkv.grader.worker import parse_entry


WATCH = "reaches around the grader's watch on forbidden functions"
PROCESS = "runs code in another process, where the grader cannot watch it"
NATIVE = "calls native code directly, where the grader cannot watch it"
INTERNALS = "reaches into the interpreter's frames or internals, where the grader's watch lives"
HIDDEN = "runs code built while it runs, which the grader cannot read"
MAIN = "is the grader's own worker script, where its watch on forbidden functions lives"
LOOKUP = "looks modules up by name, the grader's worker script (__main__) among them"
CHANNEL = "writes to descriptors or sockets directly, where the worker's replies to the grader travel"
OTHER = "holds torch's own implementations of the functions an exercise forbids, under other names"
THREAD = "runs code in another thread, where the grader's watch (thread-local torch modes) does not follow"
LOOKED_UP = "looks a torch function up by a name built while it runs, which the grader cannot read"
TENSOR_PATCHED = "changes torch.Tensor's methods, which the worker uses to report to the grader"

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
    **dict.fromkeys(("threading", "_thread", "concurrent", "asyncio"), THREAD),  # concurrent.futures.process: PROCESS
    **dict.fromkeys(("torch._C._nn", "torch._refs", "torch._decomp", "torch._prims", "torch._prims_common",
                     "torch._ops"), OTHER),
    **dict.fromkeys(("socket", "_socket", "os.dup", "os.dup2", "os.write", "os.writev", "os.pwrite", "os.sendfile",
                     "os.fdopen", "posix.dup", "posix.dup2", "posix.write", "posix.writev"), CHANNEL),
    "__main__": MAIN,
    **dict.fromkeys(("sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile",
                     "inspect.currentframe", "inspect.stack", "inspect.trace", "inspect.getouterframes",
                     "inspect.getinnerframes", "inspect.getclosurevars", "gc.get_objects", "gc.get_referrers",
                     "gc.get_referents", "importlib.reload", "importlib.util", "importlib.machinery", "runpy",
                     "builtins", "__builtin__"), INTERNALS),
}
PROCESS_PREFIXES = ("os.exec", "os.spawn", "posix.exec", "posix.spawn")  # os.execv, os.spawnlp, ...
# Modules of the standard library the worker reports through: an attribute of them assigned or deleted
PATCHED = "changes the standard library the worker uses to report to the grader"
REPORTING = {"json", "_json", "struct", "_struct", "socket", "_socket", "select", "os", "posix", "sys", "io", "marshal",
             "pickle", "types", "functools", "contextlib", "inspect", "traceback", "linecache", "signal", "time",
             "warnings", "builtins"}
HIDDEN_BUILTINS = {"exec", "eval", "compile"}
# torch's tensor classes, whose methods the worker's reply encoder calls
TENSOR_CLASSES = {"torch.Tensor", "torch._C.TensorBase", "torch._C._TensorBase", "torch.nn.Parameter",
                  "torch.nn.parameter.Parameter", "torch._tensor.Tensor"}


@dataclass(frozen=True)
class Finding:
    line: int
    what: str  # the name as the code spells it out, resolved through its imports
    why: str  # "forbidden", or the sentence for an evasion
    in_demo: bool = False  # inside an `if __name__ == "__main__":` block

    def message(self) -> str:
        demo = (" It is in your `if __name__ == \"__main__\":` block, which grading never runs, but the file is "
                "read whole: keep such a comparison in another file.") if self.in_demo else ""
        if self.why == "forbidden":
            return (f"Line {self.line} of your code names {self.what}, which this exercise forbids: the point is "
                    "to write it yourself." + demo)
        return (f"Line {self.line} of your code uses {self.what}, which {self.why}. An honest solution never "
                "needs it, so your code was not run; remove it to be graded." + demo)

    def check(self) -> dict:
        """The verdict's one check, as grader/child.py reports a forbidden call."""
        return failed_check(self.message())


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
    if not found:
        return None
    demo = [range(node.lineno, node.end_lineno + 1) for node in getattr(tree, "body", ())
            if isinstance(node, ast.If) and _is_main_guard(node.test)]
    first = found[0]
    return dataclasses.replace(first, in_demo=any(first.line in lines for lines in demo))


def _is_main_guard(test: ast.AST) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    return sides == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}


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
        self.positions: dict[str, int] = {}  # cross_entropy_loss -> 5: where its C and aten aliases take it
        for entry in forbidden:
            if "[" in entry:
                dotted, keyword, _ = parse_entry(entry)
                self.keywords[dotted.rpartition(".")[2]] = keyword
                for alias in NAMED_BACKENDS.get(entry, ()):  # torch.ops.aten.cross_entropy_loss[label_smoothing@5]
                    dotted, keyword, position = parse_entry(alias)
                    if keyword:
                        self.keywords[dotted.rpartition(".")[2]] = keyword
                        if position is not None:
                            self.positions[dotted.rpartition(".")[2]] = position
        self.constants: dict[str, str] = {}  # a name bound once, to a string the scan can compute
        self._collect_constants()
        self.aliases: dict[str, set[str]] = {}  # a local name -> the dotted names it may stand for
        self._collect_aliases()
        self.defined = {node.name for node in ast.walk(tree)
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    # strings built from constants

    def _collect_constants(self) -> None:
        """Names bound exactly once in the file (module or function level), to a string expression of
        constants: `C = "__clo" + "sure__"` makes C "__closure__" wherever it is read."""
        bindings: dict[str, int] = {}
        values: dict[str, ast.AST] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bindings[node.id] = bindings.get(node.id, 0) + 1
            elif isinstance(node, ast.arg):
                bindings[node.arg] = bindings.get(node.arg, 0) + 1
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bindings[node.name] = bindings.get(node.name, 0) + 1
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    name = alias.asname or alias.name.partition(".")[0]
                    bindings[name] = bindings.get(name, 0) + 1
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = node.value
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name) \
                    and node.value is not None:
                values[node.target.id] = node.value
        for _ in range(4):  # A = "__clo"; B = A + "sure__": a few rounds settle chains
            for name, value in values.items():
                if bindings.get(name) == 1 and name not in self.constants:
                    folded = self.fold(value)
                    if folded is not None:
                        self.constants[name] = folded

    def fold(self, node: ast.AST) -> str | None:
        """The string an expression of constants computes, without running anything: literals, `+`, `*` by
        a number, f-strings, `"".join([...])`, indexing and slicing, a few str methods, and names bound once
        to such an expression; None for anything else."""
        try:
            value = self._fold(node, 0)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError, MemoryError):
            return None
        return value if isinstance(value, str) else None

    def _fold(self, node: ast.AST, depth: int):
        if depth > 50:
            return None
        fold = lambda n: self._fold(n, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (str, int)) and not isinstance(node.value, bool) else None
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = fold(node.left), fold(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Mult) and (isinstance(left, int) and left > 100
                                                  or isinstance(right, int) and right > 100):
                return None  # no huge strings from "a" * 10**9
            return left + right if isinstance(node.op, ast.Add) else left * right
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                value = fold(part.value) if isinstance(part, ast.FormattedValue) else fold(part)
                if value is None or isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                    return None
                parts.append(str(value))
            return "".join(parts)
        if isinstance(node, ast.Subscript):
            value = fold(node.value)
            if not isinstance(value, str):
                return None
            if isinstance(node.slice, ast.Slice):
                bounds = [None if part is None else fold(part)
                          for part in (node.slice.lower, node.slice.upper, node.slice.step)]
                if any(b is not None and not isinstance(b, int) for b in bounds) or any(
                        part is not None and b is None
                        for part, b in zip((node.slice.lower, node.slice.upper, node.slice.step), bounds)):
                    return None
                return value[slice(*bounds)]
            index = fold(node.slice)
            return value[index] if isinstance(index, int) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = fold(node.operand)
            return -value if isinstance(value, int) else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            base = fold(node.func.value)
            if not isinstance(base, str):
                return None
            method = node.func.attr
            if method == "join" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
                items = [fold(item) for item in node.args[0].elts]
                return base.join(items) if all(isinstance(item, str) for item in items) else None
            if method in _STR_METHODS:
                args = [fold(arg) for arg in node.args]
                if any(arg is None for arg in args):
                    return None
                return getattr(str, method)(base, *args)
        return None

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
            literal = self.fold(node.args[1]) if len(node.args) > 1 else None
            if isinstance(func, ast.Name) and func.id == "getattr" and func.id not in self.aliases \
                    and literal is not None:
                return {f"{base}.{literal}" for base in self.resolve(node.args[0])}
            first = self.fold(node.args[0])
            if first is not None and (self.resolve(func) & {"importlib.import_module", "builtins.__import__"}
                                      or isinstance(func, ast.Name) and func.id == "__import__"):
                return {first}
        if isinstance(node, ast.Subscript) and (key := self.fold(node.slice)) is not None:
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
                        yield from self._path(f"{node.module}.{alias.name}", line)
            elif isinstance(node, ast.Attribute):
                if not isinstance(node.ctx, ast.Load) and any(
                        path.partition(".")[0] in REPORTING for path in self.resolve(node.value)):
                    yield Finding(line, f"{_dotted(node)} =", PATCHED)
                if not isinstance(node.ctx, ast.Load) and self.resolve(node.value) & TENSOR_CLASSES:
                    yield Finding(line, f"{_dotted(node)} =", TENSOR_PATCHED)
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
                if node.id == "getattr" and node.id not in self.aliases and node.id not in self.defined \
                        and isinstance(node.ctx, ast.Load) and not (
                        isinstance(self.parents.get(node), ast.Call) and self.parents[node].func is node):
                    yield Finding(line, "getattr passed as a value", LOOKED_UP)  # reduce(getattr, names, torch)
            elif isinstance(node, ast.Call):
                yield from self._call(node, line)
            elif isinstance(node, ast.Subscript):
                for path in self.resolve(node):
                    yield from self._path(path, line)
                yield from self._looked_up(node, line)
            if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call, ast.Subscript, ast.Name)) \
                    and (word := self.fold(node)) is not None:  # a word built from pieces: "__clo" + "sure__"
                if word in ATTRIBUTES or word in WATCH_WORDS:
                    yield Finding(line, repr(word), ATTRIBUTES.get(word) or WATCH_WORDS[word])
                elif word == "__main__":
                    yield Finding(line, repr(word), MAIN)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                word = node.value
                if word in ATTRIBUTES or word in WATCH_WORDS:
                    yield Finding(line, repr(word), ATTRIBUTES.get(word) or WATCH_WORDS[word])
                elif word == "__main__" and not self._is_name_main_test(node):
                    yield Finding(line, repr(word), MAIN)

    def _path(self, path: str, line: int):
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
            elif func.id == "__import__" and not (node.args and self.fold(node.args[0]) is not None):
                yield Finding(line, "__import__() of a computed name", HIDDEN)
            elif func.id in ("getattr", "hasattr") and len(node.args) > 1 and self.fold(node.args[1]) is None \
                    and self._torch(node.args[0]):
                yield Finding(line, f"{func.id}() of a computed name on {self._torch(node.args[0])}", LOOKED_UP)
            elif func.id in ("setattr", "delattr") and len(node.args) > 1:
                if any(path.partition(".")[0] in REPORTING for path in self.resolve(node.args[0])):
                    yield Finding(line, f"{func.id}()", PATCHED)
                if self.resolve(node.args[0]) & TENSOR_CLASSES:
                    yield Finding(line, f"{func.id}()", TENSOR_PATCHED)
                word = self.fold(node.args[1])
                if word is not None:
                    for base in self.resolve(node.args[0]):
                        yield from self._path(f"{base}.{word}", line)
        resolved = self.resolve(func)
        if "operator.attrgetter" in resolved and not (node.args and all(self.fold(a) is not None for a in node.args)):
            yield Finding(line, "operator.attrgetter() of a computed name", LOOKED_UP)
        if "importlib.import_module" in resolved and not (node.args and self.fold(node.args[0]) is not None):
            yield Finding(line, "importlib.import_module() of a computed name", HIDDEN)
        if self.keywords:
            for path in resolved:
                parts = path.split(".")
                if len(parts) > 2 and parts[-1] == "default" and parts[-2] in self.keywords:
                    parts = parts[:-1]  # an op packet's overload: torch.ops.aten.cross_entropy_loss.default
                keyword = self.keywords.get(parts[-1])
                if parts[0] in self.roots and keyword:
                    position = KEYWORD_POSITIONS.get(parts[-1], {}).get(keyword, self.positions.get(parts[-1]))
                    given = [g.value for g in node.keywords if g.arg == keyword]
                    for unpacked in (g.value for g in node.keywords if g.arg is None):  # **{"label_smoothing": s}
                        if not isinstance(unpacked, ast.Dict) or None in unpacked.keys:
                            given.append(unpacked)  # **kwargs: the scan cannot tell what it holds
                        else:
                            given += [v for k, v in zip(unpacked.keys, unpacked.values) if self.fold(k) == keyword]
                    if position is not None and len(node.args) > position:  # passed by position
                        given.append(node.args[position])
                    if any(not _is_falsy(value) for value in given):
                        yield Finding(line, f"{path}({keyword}=...)", "forbidden")

    def _torch(self, node: ast.AST) -> str | None:
        """The torch module or object an expression stands for (torch, torch._C, F, torch.Tensor), if any."""
        paths = sorted(path for path in self.resolve(node) if path.partition(".")[0] == "torch")
        return paths[0] if paths else None

    def _looked_up(self, node: ast.Subscript, line: int):
        """vars(torch)[name], torch.__dict__[name] with a name the scan cannot fold."""
        if self.fold(node.slice) is not None:
            return
        inner = node.value
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "vars" \
                and inner.func.id not in self.aliases and len(inner.args) == 1 and (base := self._torch(inner.args[0])):
            yield Finding(line, f"vars({base})[...] of a computed name", LOOKED_UP)
        elif isinstance(inner, ast.Attribute) and inner.attr == "__dict__" and (base := self._torch(inner.value)):
            yield Finding(line, f"{base}.__dict__[...] of a computed name", LOOKED_UP)

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


def _dotted(node: ast.AST) -> str:
    return f"{_dotted(node.value)}.{node.attr}" if isinstance(node, ast.Attribute) else \
        node.id if isinstance(node, ast.Name) else "..."


_STR_METHODS = {"replace", "strip", "lstrip", "rstrip", "lower", "upper", "removeprefix", "removesuffix",
                "casefold", "swapcase", "title", "capitalize"}


def _is_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "__name__"


def _is_falsy(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value
