"""Detect calls to forbidden library functions while the candidate's code runs.

Two nets, because candidates reach library functions in many ways:

1. the forbidden attribute is replaced on its module by a tripwire (catches
   `F.scaled_dot_product_attention`, `from torch.nn import MultiheadAttention`, and
   classes, whose `__init__` is wrapped);
2. during the first call into the candidate (`watching(deep=True)`), a TorchFunctionMode
   sees every torch function called on tensors and compares it with the original object
   (catches aliases such as `torch._C._nn.scaled_dot_product_attention` and library code
   that calls the function for the candidate). The mode costs milliseconds per op, so it
   watches that one call only; the tripwires stay armed for every call.

Both fire only inside `watching()`, which wraps every call into candidate code, so the
references and the grader itself may use anything. A forbidden call raises
`ForbiddenCall`, a BaseException, so a candidate's `except Exception` cannot swallow it;
every hit is also recorded.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import inspect

from torch.overrides import TorchFunctionMode

_originals: dict[int, str] = {}  # id(original object) -> dotted name, for the TorchFunctionMode
_installed: set[str] = set()
_watching = 0
hits: list[str] = []


class ForbiddenCall(BaseException):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _trip(name: str):
    if _watching:
        hits.append(name)
        raise ForbiddenCall(name)


def _resolve(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    return importlib.import_module(module_name), attr


def install(names: tuple[str, ...]) -> None:
    """Put tripwires on each dotted name (a function or a class). `name[kw]` forbids the
    callable only when it is given a truthy keyword `kw` (e.g. cross_entropy's label_smoothing)."""
    for entry in names:
        dotted, _, keyword = entry.rstrip("]").partition("[")
        if entry in _installed:
            continue  # already wired (grading several files in one process)
        _installed.add(entry)
        module, attr = _resolve(dotted)
        original = getattr(module, attr)
        if not keyword:
            _originals[id(original)] = dotted
        target = original.__init__ if isinstance(original, type) else original
        tripwire = _tripwire(target, entry, keyword)
        if isinstance(original, type):
            original.__init__ = tripwire
        else:
            setattr(module, attr, tripwire)


def _tripwire(target, name: str, keyword: str):
    signature = None
    if keyword:
        signature = inspect.signature(target)

    @functools.wraps(target)
    def tripwire(*args, **kwargs):
        if not keyword or signature.bind_partial(*args, **kwargs).arguments.get(keyword):
            _trip(name)
        return target(*args, **kwargs)

    return tripwire


class _Mode(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = _originals.get(id(func))
        if name is not None:
            _trip(name)
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def watching(deep: bool = False):
    """Flag forbidden calls made inside this block (`deep`: also through aliases)."""
    global _watching
    _watching += 1
    try:
        if deep and _originals and _watching == 1:
            with _Mode():
                yield
        else:
            yield
    finally:
        _watching -= 1
