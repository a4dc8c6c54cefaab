"""A warm grading process (`qkv watch`) remembers what a passing hypothesis run drew (grader/checking.py,
DRAWN) and checks those inputs again instead of drawing them: the property must see exactly what
hypothesis would have given it, in the same order, and a failure must end as it would without the
copies (the same shrunk input), with no input checked twice."""
from __future__ import annotations

import random

import numpy
import pytest
import torch
from hypothesis import strategies as st

from qkv.grader import checking


class _Task:
    def degenerate(self, case) -> str:
        return ""


def _ctx(seed: int = 0, examples: int = 25) -> checking.Context:
    return checking.Context(_Task(), None, torch.device("cpu"), seed, examples, "")


@st.composite
def _cases(draw):
    n = draw(st.integers(1, 6))
    seed = draw(checking.tensor_seed())
    x = torch.randn(n, 3, generator=checking.generator(seed))
    return checking.Case((x, x, draw(st.sampled_from([None, 0.5]))), ("a", "b", "c"), f"n={n}", seed)


def _seen(ctx, strategy, fail=None) -> tuple[list, BaseException | None]:
    """What the property saw: (a, c, seed, random's and numpy's next values) per call, and the failure."""
    seen = []

    def prop(case):
        a, b, c = case.args
        assert b is a  # an input that is the same tensor twice stays so in a copy
        seen.append((a.clone(), c, case.seed, random.random(), float(numpy.random.rand())))
        a.mul_(0)  # a property may change its input: the copy checked next time must not change
        if fail is not None and fail(case):
            raise checking.CheckFailed(f"failed at n={case.args[0].size(0)}", case)

    try:
        checking.for_all(ctx, strategy, prop)
    except checking.CheckFailed as failure:
        return seen, failure
    return seen, None


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(torch.equal(x[0], y[0]) and x[1:] == y[1:] for x, y in zip(a, b))


@pytest.fixture(autouse=True)
def _empty():
    checking.DRAWN.clear()
    yield
    checking.DRAWN.clear()


def test_a_passing_run_is_checked_again_from_the_same_inputs():
    strategy = _cases()
    first, _ = _seen(_ctx(), strategy)
    assert len(checking.DRAWN) == 1
    random.seed(1234)  # the global generators are seeded per input as hypothesis does, and left as they were
    state = random.getstate()
    again, _ = _seen(_ctx(), strategy)
    assert random.getstate() == state
    assert _same(first, again) and len(first) == 25
    checking.DRAWN.clear()
    assert _same(first, _seen(_ctx(), strategy)[0])  # and hypothesis itself draws them again


def test_the_seed_the_number_of_examples_and_the_strategy_are_part_of_the_key():
    strategy = _cases()
    _seen(_ctx(), strategy)
    assert not _same(_seen(_ctx(seed=1), strategy)[0], _seen(_ctx(), strategy)[0])
    assert len(_seen(_ctx(examples=10), strategy)[0]) == 10
    assert len(checking.DRAWN) == 3
    _seen(_ctx(), _cases())  # an equal but other strategy object: drawn by hypothesis, kept apart
    assert len(checking.DRAWN) == 4


@pytest.mark.parametrize("where", [lambda case: case.args[0].size(0) >= 4, lambda case: case.args[2] == 0.5])
def test_a_failure_ends_as_it_would_without_the_copies(where):
    strategy = _cases()
    _seen(_ctx(), strategy)  # a passing run: remembered
    replayed, failure = _seen(_ctx(), strategy, fail=where)
    checking.DRAWN.clear()
    drawn, expected = _seen(_ctx(), strategy, fail=where)
    assert failure is not None and expected is not None
    assert (failure.message, failure.case.describe()) == (expected.message, expected.case.describe())
    assert _same(replayed, drawn)  # every call, shrinking included, once and in the same order
