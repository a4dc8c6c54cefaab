"""Tasks: how the engine calls a candidate and the reference for one exercise.

Each module here (one per topic) declares `TASKS = {exercise_id: Task}`. A task binds
the candidate's entry point to a drawn case and returns a `Bound`: the candidate and
the reference as functions of the same positional arguments, plus the known-bug
variants used for diagnosis. Class exercises (multi-head attention) bind through the
candidate's own weights, so the reference is built from them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from qkv.grader.catalogue import Exercise


@dataclass
class Bound:
    candidate: Callable
    reference: Callable | None  # None when the reference cannot be built (why_no_reference says why)
    args: tuple
    names: tuple[str, ...]
    # diagnosis code (or codes joined by "+", for a variant making several mistakes) -> known-bug versions
    variants: dict[str, list[Callable]] = field(default_factory=dict)
    why_no_reference: str = ""
    frozen: tuple[int, ...] = ()  # float arguments not differentiated (buffers such as running statistics)


@dataclass
class FunctionTask:
    """An exercise whose entry point is a function with the reference's signature."""

    call_name: str
    reference: Callable
    outputs: tuple[str, ...]
    variants: dict[str, list[Callable]]
    checks: list  # list[grader.properties.Check], filled in by the topic module
    probes: Callable[[], list]  # a few typical cases for diagnosis
    device_argument: int | None = None  # index of a `device=` parameter, if the contract has one
    # why `case` is a special size where mistakes look different (D = 1, Lq = 1, ...), "" when it is not
    degenerate: Callable = lambda case: ""
    confirm: Callable = lambda ctx: []  # targeted tests naming a mistake (grader.diagnosis), beyond the variants
    frozen: tuple[int, ...] = ()  # see Bound.frozen
    # the arguments the contract lets the candidate change in place (grader.checking.call_candidate fails
    # a change to any other): batch norm's running statistics, an initialiser's tensor
    mutable: tuple[int, ...] = ()

    def call_text(self, case) -> str:
        return f"{self.call_name}({case.describe()})"

    def bind(self, ctx, case) -> Bound:
        return Bound(ctx.entry, self.reference, case.args, case.names, self.variants, frozen=self.frozen)

    def bind_together(self, ctx, cases) -> list[Bound]:
        """One Bound per case, all calling the same candidate (one module instance for a class)."""
        return [self.bind(ctx, case) for case in cases]

    def device_args(self, args: tuple, device) -> tuple:
        if self.device_argument is None:
            return args
        return args[:self.device_argument] + (device,) + args[self.device_argument + 1:]


def sampled_task(call_name: str, checks: list, outputs: tuple[str, ...] = ("output",)) -> FunctionTask:
    """An exercise whose output is random (initialisers, dropout): no reference values to compare
    with, so its checks test samples (grader/statistics.py) and exact properties, and name the bug
    themselves."""
    return FunctionTask(call_name=call_name, reference=None, outputs=outputs, variants={}, checks=checks,
                        probes=list)


# --- contract cases (grader/contracts.py): fixed inputs, each labelled with the dimensions it covers


def covering(case, *labels: str):
    """`case`, labelled as covering `labels` (recorded in grader.checking.COVERAGE when it is called)."""
    case.extra["covers"] = (*case.extra.get("covers", ()), *labels)
    return case


def omitting(case, keep: int):
    """A copy of `case` that passes only its first `keep` arguments: the rest take the candidate's defaults."""
    from qkv.grader.checking import Case  # noqa: PLC0415 - imports torch

    dropped = case.names[keep:]
    note = f"{case.note}; " if case.note else ""
    return covering(Case(case.args[:keep], case.names[:keep], f"{note}{', '.join(dropped)} left to the default",
                         case.seed, {**case.extra, "covers": ()}), *(f"omit:{name}" for name in dropped))


def in_dtype(case, dtype):
    """A copy of `case` with every float tensor cast to `dtype` (the note says so)."""
    from qkv.grader.checking import Case, map_tensors  # noqa: PLC0415 - imports torch

    args = map_tensors(lambda t: t.to(dtype) if t.is_floating_point() else t, case.args)
    name = str(dtype).removeprefix("torch.")
    note = f"{case.note}, {name}" if case.note else name
    return Case(args, case.names, note, case.seed, dict(case.extra))


def load_task(exercise: Exercise):
    return importlib.import_module(exercise.checks).TASKS[exercise.id]
