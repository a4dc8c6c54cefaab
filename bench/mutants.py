"""Mutation testing of the references: the honest kill rate of a default grade.

    python bench/mutants.py [--exercise ID]... [--max-mutants N] [--quiet]

For each exercise, the reference module (reference/<topic>.py) is mutated one change at a
time, inside the entry point and the helpers it calls: arithmetic and comparison
operators, constants, unary operators, dims and keepdim, method swaps (tril/triu, sin/cos,
mean/sum, ...), dtype casts and .detach() dropped, `with torch.no_grad()` dropped,
statements deleted, the first two arguments of a call swapped, slice bounds moved by one,
and default values. A mutant that gives the reference's outputs (values, in-place effects
and gradients) on a broad battery of inputs is equivalent and dropped; the battery is every
input the grader draws at seeds 0, 1 and 2 with 60 examples per property (a default grade
draws 25 at seed 0). Every other mutant is graded as a candidate file with default
settings, in a worker like any other; it is killed when any check fails. The script prints
the kill rate per exercise and every survivor (exit status 1 when one survives).

Why our own AST mutator and not mutmut or cosmic-ray: both rewrite the package on disk and
rerun a test command per mutant, importing the mutated code into the test process. Here a
mutant must be a candidate *file* graded in the sandboxed worker, which cannot import the
project's packages, and equivalent mutants must be dropped by comparing with the reference
on inputs, which neither tool does. The operators follow mutmut's (operator, number,
keyword and string mutations) plus the tensor-specific ones above.
"""
from __future__ import annotations

import argparse
import ast
import copy
import inspect
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from qkv.grader import catalogue, checking, child, remote  # noqa: E402
from qkv.grader.worker import _device_watch  # noqa: E402

SWAPS = {"tril": "triu", "triu": "tril", "sin": "cos", "cos": "sin", "mean": "sum", "sum": "mean", "max": "min",
         "min": "max", "softmax": "log_softmax", "log_softmax": "softmax", "sqrt": "rsqrt", "rsqrt": "sqrt",
         "uniform_": "normal_", "normal_": "uniform_", "exp": "log", "amax": "amin", "any": "all", "all": "any",
         "transpose": "permute", "logsumexp": "amax", "masked_fill": "where", "mul_": "add_", "add_": "mul_"}
DROP_CALLS = {"detach", "float", "double", "to", "contiguous", "clone", "type_as"}
BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
          ast.FloorDiv: ast.Div, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.MatMult: ast.Mult}
COMPARES = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq}


# --- the mutator --------------------------------------------------------------------------


def alternatives(node: ast.AST) -> list[tuple[ast.AST, str]]:
    """Every single mutation of `node` itself: (replacement, what changed)."""
    out = []
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        new = copy.copy(node)
        new.op = BINOPS[type(node.op)]()
        out.append((new, f"{type(node.op).__name__} -> {type(new.op).__name__}"))
        out.append((node.left, "binary op dropped, left operand kept"))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARES:
        new = copy.copy(node)
        new.ops = [COMPARES[type(node.ops[0])]()]
        out.append((new, f"{type(node.ops[0]).__name__} -> {type(new.ops[0]).__name__}"))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Invert, ast.Not)):
        out.append((node.operand, f"{type(node.op).__name__} dropped"))
    elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
        value = node.value
        if isinstance(value, bool):
            out.append((ast.Constant(not value), f"{value} -> {not value}"))
        elif isinstance(value, int):
            for new in {value + 1, value - 1} - {value}:
                out.append((ast.Constant(new), f"{value} -> {new}"))
        elif isinstance(value, float):
            for new in ({value * 2, value / 2} if value else {1.0}):
                out.append((ast.Constant(new), f"{value} -> {new}"))
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ("-inf", "fan_in", "fan_out"):
        new = {"-inf": "inf", "fan_in": "fan_out", "fan_out": "fan_in"}[node.value]
        out.append((ast.Constant(new), f"{node.value!r} -> {new!r}"))
    elif isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in SWAPS:
            new = copy.deepcopy(node)
            if isinstance(new.func, ast.Attribute):
                new.func.attr = SWAPS[name]
            else:
                new.func.id = SWAPS[name]
            out.append((new, f"{name}() -> {SWAPS[name]}()"))
        if name in DROP_CALLS and isinstance(func, ast.Attribute):
            out.append((func.value, f".{name}(...) dropped"))
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            new = copy.copy(node)
            new.args = [node.args[1], node.args[0], *node.args[2:]]
            out.append((new, f"arguments of {name or 'a call'}() swapped"))
        for i, kw in enumerate(node.keywords):
            if kw.arg == "keepdim" and isinstance(kw.value, ast.Constant):
                continue  # the Constant operator flips it
            if kw.arg in ("dim", "keepdim", "unbiased", "diagonal", "device", "dtype"):
                new = copy.copy(node)
                new.keywords = node.keywords[:i] + node.keywords[i + 1:]
                out.append((new, f"{kw.arg}= dropped from {name}()"))
    elif isinstance(node, ast.Slice):
        for field in ("lower", "upper"):
            bound = getattr(node, field)
            for delta in (1, -1):
                new = copy.copy(node)
                moved = ast.BinOp(bound, ast.Add(), ast.Constant(delta)) if bound is not None else \
                    ast.Constant(delta if field == "lower" else -1) if delta == 1 else None
                if moved is None:
                    continue
                setattr(new, field, moved)
                out.append((new, f"slice {field} {'+' if delta > 0 else '-'}1"))
    return out


def statement_alternatives(node: ast.stmt) -> list[tuple[list[ast.stmt], str]]:
    """Mutations of a statement: deleted (calls for their effect), `with` unwrapped."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return [([ast.Pass()], "statement deleted")]
    if isinstance(node, ast.With):
        return [(node.body, "with block unwrapped")]
    return []


class Mutate(ast.NodeTransformer):
    """Counts mutation points in `scope` (FunctionDef/ClassDef names); applies the one numbered `target`."""

    def __init__(self, scope: set[str], target: int = -1):
        self.scope, self.target, self.count, self.inside, self.what = scope, target, 0, 0, ""

    def _hit(self, options):
        for replacement, what in options:
            if self.count == self.target:
                self.what = what
                self.count += 1
                return replacement
            self.count += 1
        return None

    def _scoped(self, node):
        if node.name not in self.scope:
            return node
        self.inside += 1
        if isinstance(node, ast.FunctionDef):  # defaults count: a wrong default is a mutation too
            for i, d in enumerate(node.args.defaults):
                new = self._hit(alternatives(d))
                if new is not None:
                    node.args.defaults[i] = new
        self.generic_visit(node)
        self.inside -= 1
        return node

    visit_FunctionDef = visit_ClassDef = _scoped

    def generic_visit(self, node):
        if not self.inside:
            return super().generic_visit(node)
        for field, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                body = []
                for stmt in value:
                    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                        body.append(self.visit(stmt))
                        continue
                    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                        body.append(stmt)  # a docstring
                        continue
                    new = self._hit(statement_alternatives(stmt))
                    body.extend(new if new is not None else [self.visit(stmt)])
                setattr(node, field, body)
            elif isinstance(value, list):
                setattr(node, field, [self.visit(v) if isinstance(v, ast.AST) else v for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
        return node

    def visit(self, node):
        if self.inside and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.stmt)):
            node = self.generic_visit(node)
            new = self._hit(alternatives(node))
            return node if new is None else new
        return super().visit(node)


def scope_of(tree: ast.Module, entry: str) -> set[str]:
    """The entry point and the module-level functions and classes it reaches by name."""
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    scope, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in scope or name not in defs:
            continue
        scope.add(name)
        todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name)]
        todo += [n.attr for n in ast.walk(defs[name]) if isinstance(n, ast.Attribute)]
    return scope - {"Projections"}  # a dataclass of fields: nothing to mutate


def mutants(source: str, entry: str):
    """(description, mutated source) for every mutation point."""
    tree = ast.parse(source)
    counter = Mutate(scope_of(tree, entry))
    counter.visit(copy.deepcopy(tree))
    seen = {ast.unparse(tree)}  # the same text from two mutations (-1 -> -0 and 1 -> 0) counts once
    for target in range(counter.count):
        mutator = Mutate(counter.scope, target)
        mutated = ast.fix_missing_locations(mutator.visit(copy.deepcopy(tree)))
        try:
            text = ast.unparse(mutated)
            compile(text, "<mutant>", "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        if text not in seen:
            seen.add(text)
            yield mutator.what, text


# --- equivalence on a battery of inputs ---------------------------------------------------


def battery(exercise) -> list:
    """Every case the grader draws for the reference at seeds 0-2, 60 examples per property."""
    cases = []
    original = checking.record

    def keep(case):
        original(case)
        if case is not None:  # the device check's calls included, on meta inputs: the device is in the contract
            case = copy.deepcopy(case)
            if remote.watching_devices_now():
                case.args = tuple(a.to("meta") if isinstance(a, torch.Tensor) else a for a in case.args)
            cases.append(case)

    checking.record = keep
    try:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "reference.py"
            path.write_text(reference_source(exercise))
            for seed in (0, 1, 2):
                grade(exercise, path, seed=seed, max_examples=60)
    finally:
        checking.record = original
    unique, seen = [], set()
    for case in cases:
        key = (case.describe(), case.seed, case.note)
        if key not in seen:
            seen.add(key)
            unique.append(case)
    return unique


def load(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our own mutants
    return module


def _clone(value):
    if isinstance(value, torch.nn.Parameter):
        return torch.nn.Parameter(value.detach().clone(), requires_grad=value.requires_grad)
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    return value


def _on_meta(args) -> bool:
    return any(isinstance(a, (torch.Tensor, torch.device)) and (a.device if isinstance(a, torch.Tensor) else a).type
               == "meta" for a in args)


def _outcome(fn, args, seed: int, grads: bool, frozen=()):
    """(outputs, arguments after the call, gradients) of fn(*args), or the exception type."""
    args = [_clone(a) for a in args]
    if grads and not _on_meta(args):
        args = [a.requires_grad_() if isinstance(a, torch.Tensor) and a.is_floating_point() and i not in frozen
                else a for i, a in enumerate(args)]
    torch.manual_seed(seed)
    watch = _device_watch("meta") if _on_meta(args) else None  # the grader's own: flags ops mixing devices
    try:
        if watch is not None:
            with watch:
                out = fn(*args)
            if watch.mixed:
                return RuntimeError  # what a GPU raises
        else:
            out = fn(*args)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        gradients = []
        if grads:
            floats = [o for o in outs if isinstance(o, torch.Tensor) and o.requires_grad]
            leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
            if floats and leaves:
                loss = sum((o.double() * torch.linspace(-1, 1, o.numel(), dtype=torch.float64).view(o.shape)).sum()
                           for o in floats)
                gradients = list(torch.autograd.grad(loss, leaves, allow_unused=True))
        return [o.detach() if isinstance(o, torch.Tensor) else o for o in outs], \
            [a.detach() if isinstance(a, torch.Tensor) else a for a in args], gradients
    except Exception as exc:  # noqa: BLE001
        return type(exc)


def _same(a, b) -> bool:
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype or a.device != b.device:
            return False
        if a.device.type == "meta":
            return True  # no values to compare
        if not a.is_floating_point():
            return torch.equal(a, b)
        rtol = {torch.float64: 1e-12, torch.float32: 1e-6}.get(a.dtype, 2e-3)
        return torch.allclose(a.double(), b.double(), rtol=rtol, atol=rtol, equal_nan=True)
    return a is None and b is None or a == b


def equivalent(exercise, reference, mutant, cases) -> bool:
    """Whether the mutant's entry point agrees with the reference's on every case."""
    entry = exercise.entry_point
    for i, case in enumerate(cases):
        if exercise.is_class:
            if "d_model" not in case.extra or len(case.args) < 3:
                continue
            d_model, n_heads = case.extra["d_model"], case.extra["n_heads"]
            torch.manual_seed(i)
            try:
                ref_module = getattr(reference, entry)(d_model, n_heads).eval()
                mut_module = getattr(mutant, entry)(d_model, n_heads).eval()
                mut_module.load_state_dict(ref_module.state_dict())
            except Exception:  # noqa: BLE001 - a constructor that breaks or changes the weights
                return False
            dtype = case.args[0].dtype
            ref_module.to(dtype), mut_module.to(dtype)
            fns = (ref_module, mut_module)
            args = case.args[:4]
        else:
            fns = (getattr(reference, entry), getattr(mutant, entry))
            args = case.args
        grads = not exercise.id.startswith(("initialization.", "regularization.l1_l2"))
        frozen = (1, 2) if exercise.id == "normalization.batch_norm" else ()  # running statistics: buffers
        ref, mut = _outcome(fns[0], args, i, grads, frozen), _outcome(fns[1], args, i, grads, frozen)
        if _same(ref, mut):
            continue
        if isinstance(ref, type) or isinstance(mut, type) or not _same(ref[1:], mut[1:]) \
                or not _within_tolerance(fns[0], args, ref[0], mut[0], case):
            return False
    return True


def _within_tolerance(reference, args, ref_out, mut_out, case) -> bool:
    """The mutant's outputs differ from the reference's by rounding only: within the grader's own
    tolerance policy (grader/checking.py) against the float64 golden result. Such a mutant computes in
    another order or precision, as many correct solutions do: equivalent on the contract."""
    if len(ref_out) != len(mut_out) or not all(isinstance(o, torch.Tensor) for o in (*ref_out, *mut_out)) \
            or _on_meta(args):
        return False
    try:
        with torch.no_grad():
            golden = reference(*checking.to_double(tuple(_clone(a) for a in args)))
    except Exception:  # noqa: BLE001
        return False
    golden = list(golden) if isinstance(golden, (tuple, list)) else [golden]
    condition = case.extra.get("condition", 0.0)
    return all(checking.mismatch("out", m, g.double() if g.is_floating_point() else g, r, condition) is None
               for m, g, r in zip(mut_out, golden, ref_out))


# --- grading --------------------------------------------------------------------------------


class _Quiet:
    def emit(self, event: dict) -> None:
        pass


def grade(exercise, path: Path, seed: int = 0, max_examples: int = 25) -> dict:
    request = {"exercise": exercise.id, "path": str(path), "source": path.read_text(), "seed": seed, "device": "cpu",
               "max_examples": max_examples, "timeout": 20.0, "memory": remote.DEFAULT_MEMORY}
    return child.grade(request, _Quiet())


def killed(result: dict) -> bool:
    return result["status"] != "graded" or any(not c["passed"] for c in result["checks"])


def reference_source(exercise) -> str:
    module = sys.modules.get(f"qkv.reference.{exercise.topic}") or __import__(f"qkv.reference.{exercise.topic}",
                                                                          fromlist=["x"])
    return inspect.getsource(module)


def run(exercise, max_mutants: int | None, quiet: bool, show_equivalent: bool = False
        ) -> tuple[int, int, int, list[tuple[str, str]]]:
    """(mutants, equivalent, killed, survivors as (what, source line))."""
    source = reference_source(exercise)
    reference = load(source, "reference_copy")
    cases = battery(exercise)
    made = equivalent_count = killed_count = 0
    survivors = []
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "mutant.py"
        for what, text in mutants(source, exercise.entry_point):
            if max_mutants is not None and made >= max_mutants:
                break
            made += 1
            try:
                mutant = load(text, "mutant")
            except Exception:  # noqa: BLE001 - a mutant that cannot even be imported is killed at load
                killed_count += 1
                continue
            if equivalent(exercise, reference, mutant, cases):
                equivalent_count += 1
                if show_equivalent:
                    print(f"  equivalent  {exercise.id}: {what}: {_changed_line(source, text)}", flush=True)
                continue
            path.write_text(text)
            if killed(grade(exercise, path)):
                killed_count += 1
            else:
                line = _changed_line(source, text)
                survivors.append((what, line))
                if not quiet:
                    print(f"  SURVIVED  {exercise.id}: {what}: {line}", flush=True)
    return made, equivalent_count, killed_count, survivors


def _changed_line(original: str, mutated: str) -> str:
    a, b = ast.unparse(ast.parse(original)).splitlines(), mutated.splitlines()
    return next((new.strip() for old, new in zip(a, b) if old != new), "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", action="append", choices=catalogue.EXERCISE_IDS)
    parser.add_argument("--max-mutants", type=int, default=None, help="per exercise (default: all)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--show-equivalent", action="store_true", help="print the mutants dropped as equivalent")
    options = parser.parse_args()
    remote.use_zygote()
    torch.set_num_threads(1)
    print(f"{'exercise':<34}{'mutants':>8}{'equiv.':>8}{'graded':>8}{'killed':>8}{'kill rate':>11}{'s':>7}")
    all_survivors = []
    for exercise_id in options.exercise or catalogue.EXERCISE_IDS:
        exercise = catalogue.get(exercise_id)
        started = time.perf_counter()
        made, equiv, kills, survivors = run(exercise, options.max_mutants, options.quiet, options.show_equivalent)
        graded = made - equiv
        rate = kills / graded if graded else 1.0
        print(f"{exercise_id:<34}{made:>8}{equiv:>8}{graded:>8}{kills:>8}{rate:>10.1%}"
              f"{time.perf_counter() - started:>7.0f}", flush=True)
        all_survivors += [(exercise_id, *s) for s in survivors]
    if all_survivors:
        print("\nSurvivors (not equivalent on the battery, passed a default grade):")
        for exercise_id, what, line in all_survivors:
            print(f"  {exercise_id}: {what}: {line}")
    return 1 if all_survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
