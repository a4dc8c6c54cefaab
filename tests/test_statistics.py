"""grader.statistics against its promises: false rejects, power and naming, measured on real draws.

The reference initialisers and dropout are graded on many seeds (none may fail), every
known-bug variant of grader.exercises on several (each must fail with its own code),
and the tests' false-reject rate and power are checked at alpha = 0.05, where they are
measurable, against the figures the design relies on at alpha ~ 1e-7.
"""
import importlib.util
import math
from functools import partial
from pathlib import Path

import pytest
import torch
from scipy import stats

from qkv.grader import statistics as S
from qkv.grader.exercises import initialization as init_bugs
from qkv.grader.exercises import regularization as regularization_bugs
from qkv.reference import initialization as init_ref
from qkv.reference import regularization as regularization_ref

INITIALISERS = {
    "initialization.xavier_uniform": init_ref.xavier_uniform_,
    "initialization.xavier_normal": init_ref.xavier_normal_,
    "initialization.kaiming_uniform": init_ref.kaiming_uniform_,
    "initialization.kaiming_normal": init_ref.kaiming_normal_,
}
REFERENCES = {**INITIALISERS, "regularization.dropout": regularization_ref.dropout}
def dropout_shared_along(dim):
    """mask-shared along `dim` (counted from the end, so it exists for every rank >= -dim)."""

    def dropout(x, p, training=True):
        if not training:
            return x
        shape = list(x.shape)
        if x.dim() >= -dim:  # a 1-D input has no dim -2: its mask is the full one
            shape[dim] = 1
        return x * (torch.rand(shape) >= p) / (1 - p)

    dropout.__name__ = f"dropout_shared_along_dim{dim}"
    return dropout


BUGS = {**init_bugs.BUGS, "regularization.dropout": {
    **regularization_bugs.BUGS["regularization.dropout"],
    "mask-shared": regularization_bugs.BUGS["regularization.dropout"]["mask-shared"] + [
        dropout_shared_along(-1), dropout_shared_along(-2)]}}
STATISTICAL_CODES = {"fan", "gain", "bound", "distribution", "scale", "polarity", "mask-shared"}


def grade_init(exercise, init, seed):
    torch.manual_seed(seed)
    return S.check_init(exercise, [init(case.make_tensor(), **case.kwargs) for case in S.INIT_CASES[exercise]])


def grade_dropout(dropout, seed):
    torch.manual_seed(seed)
    return S.check_dropout([dropout(case.make_input(), case.p) for case in S.DROPOUT_CASES])


GRADE = {**{exercise: partial(grade_init, exercise) for exercise in INITIALISERS},
         "regularization.dropout": grade_dropout}


def variants(statistical):
    return [pytest.param(exercise, code, fn, id=f"{exercise.split('.')[1]}-{code}-{fn.__name__}")
            for exercise, codes in BUGS.items() for code, fns in codes.items()
            if (code in STATISTICAL_CODES) == statistical for fn in fns]


# --- the design ---------------------------------------------------------------------------

def test_alpha_is_bonferroni_over_the_tests_a_grade_runs():
    # every case and the pooled small tensors, each with all its law's tests
    assert S.init_alpha("initialization.xavier_uniform") == pytest.approx(1e-6 / 18)  # (5 + 1) x (bound, std, KS)
    assert S.init_alpha("initialization.kaiming_normal") == pytest.approx(1e-6 / 22)  # (10 + 1) x (std, KS)
    # per case: the zero fraction and one mask-sharing test per dim of size >= 2
    assert S.dropout_alpha() == pytest.approx(1e-6 / (3 + 4 + 2 + 5))
    with pytest.raises(ValueError, match="n_tests=0"):
        S.alpha_per_test(0)


@pytest.mark.parametrize("exercise", list(REFERENCES))
def test_every_bug_class_is_covered_with_the_required_power(exercise):
    powers = S.design_power(exercise)
    assert min(powers.values()) > S.MIN_POWER, powers
    hypotheses = [h for case in S.INIT_CASES.get(exercise, ()) for h in S.init_hypotheses(exercise, case)] or \
        [h for case in S.DROPOUT_CASES for h in S.dropout_hypotheses(case)]
    statistical = {code for code in BUGS[exercise] if code in STATISTICAL_CODES}
    assert statistical <= {h.code for h in hypotheses}


@pytest.mark.parametrize("exercise", list(INITIALISERS))
def test_bug_laws_of_different_codes_are_told_apart(exercise):
    assert S.naming_power(exercise) > S.MIN_POWER
    assert S.ambiguous_pairs_resolved(exercise) == []


def test_cases_follow_the_design():
    for exercise, cases in S.INIT_CASES.items():
        assert any(len(case.shape) == 4 and case.shape[2] * case.shape[3] >= 9 for case in cases), exercise
        assert all(case.make_tensor().numel() >= 30_000 and case.make_tensor().isnan().all() for case in cases)
        assert any(case.kwargs for case in cases), f"{exercise}: no case with non-default arguments"
        assert any(not case.kwargs for case in cases), f"{exercise}: no case leaves every argument to its default"
        assert {len(case.shape) for case in cases} == {2, 3, 4, 5}, f"{exercise}: not every kernel rank"
        assert any(case.form == "non-square kernel" for case in cases), exercise
        for layout in ("transposed", "strided"):  # a reshape(-1) of these is a copy, not a view
            made = [(case.shape, case.make_tensor()) for case in cases if case.layout == layout]
            assert made and all(t.shape == shape and not t.is_contiguous() for shape, t in made), exercise
    for exercise, cases in S.SMALL_CASES.items():
        assert all(case.make_tensor().numel() < 30 for case in cases) and len(cases) * S.SMALL_DRAWS >= 20
        assert any(math.prod(case.shape[2:]) > 1 for case in cases), f"{exercise}: no small kernel"
    assert all(case.p != 0.5 and (case.make_input() != 0).all() for case in S.DROPOUT_CASES)


# --- correct implementations: no false reject ------------------------------------------------

def false_rejects(exercise, seeds):
    return [seed for seed in seeds if not GRADE[exercise](REFERENCES[exercise], seed).passed]


@pytest.mark.parametrize("exercise", list(REFERENCES))
def test_reference_passes_every_grade(exercise):
    assert false_rejects(exercise, range(40)) == []


@pytest.mark.slow
@pytest.mark.parametrize("exercise", list(REFERENCES))
def test_reference_passes_250_more_grades(exercise):
    assert false_rejects(exercise, range(1000, 1250)) == []


def grade_small(exercise, init, seed):
    torch.manual_seed(seed)
    return S.check_small(exercise, [init(case.make_tensor(), **case.kwargs)
                                    for case in S.SMALL_CASES[exercise] for _ in range(S.SMALL_DRAWS)])


@pytest.mark.parametrize("exercise", list(INITIALISERS))
def test_reference_passes_the_pooled_small_tensors(exercise):
    assert [seed for seed in range(40) if not all(r.passed for r in grade_small(exercise, INITIALISERS[exercise],
                                                                                seed))] == []


def _small_only(init, wrong):
    """`init`, but a tensor of fewer than 30 elements gets `wrong(tensor filled correctly)`."""

    def bug(tensor, *args, **kwargs):
        init(tensor, *args, **kwargs)
        if tensor.numel() < 30:
            with torch.no_grad():
                tensor.copy_(wrong(tensor))
        return tensor

    return bug


@pytest.mark.parametrize("exercise", list(INITIALISERS))
@pytest.mark.parametrize("wrong", [torch.zeros_like, lambda t: t * 2.0, lambda t: t * 0.5, lambda t: t.abs()],
                         ids=["zeros", "std-x2", "std-x0.5", "one-sided"])
def test_small_tensors_filled_wrong_fail_the_pooled_tests(exercise, wrong):
    bug = _small_only(INITIALISERS[exercise], wrong)
    assert all(not all(r.passed for r in grade_small(exercise, bug, seed)) for seed in range(5))
    assert grade_init(exercise, bug, 0).passed  # the large cases cannot see it


# --- known bugs: rejected and named ---------------------------------------------------------

def misses(exercise, code, fn, seeds):
    """(seed, named code) of every grade that passed the bug or named another code."""
    verdicts = [(seed, GRADE[exercise](fn, seed)) for seed in seeds]
    return [(seed, v.code) for seed, v in verdicts if v.passed or v.code != code]


@pytest.mark.parametrize("exercise,code,fn", variants(statistical=True))
def test_bug_is_rejected_and_named(exercise, code, fn):
    assert misses(exercise, code, fn, range(3)) == []


@pytest.mark.slow
@pytest.mark.parametrize("exercise,code,fn", variants(statistical=True))
def test_bug_is_rejected_and_named_in_50_more_grades(exercise, code, fn):
    assert misses(exercise, code, fn, range(1000, 1050)) == []


@pytest.mark.parametrize("exercise,code,fn", variants(statistical=False))
def test_bugs_for_exact_checks_have_the_right_law(exercise, code, fn):
    """inplace, edge (p = 1) and train-eval: right on the cases; the engine's exact checks catch them."""
    assert GRADE[exercise](fn, 0).passed


def test_a_tensor_left_unfilled_fails_and_names_nothing():
    exercise = "initialization.xavier_uniform"
    cases = S.INIT_CASES[exercise]
    given = [case.make_tensor() for case in cases]
    for case, tensor in zip(cases, given):
        init_bugs.xavier_uniform_new_tensor(tensor, **case.kwargs)  # fills a new tensor, not this one
    verdict = S.check_init(exercise, given)
    assert not verdict.passed and verdict.code is None
    assert [r.name for r in verdict.results] == ["finite"] * len(cases)
    assert "32768 of 32768 values are NaN" in verdict.results[0].message


# --- the candidate files of the bug corpus ----------------------------------------------------

CORPUS = Path(__file__).parent / "corpus"
ENTRY_POINTS = {exercise: fn.__name__ for exercise, fn in REFERENCES.items()}


def corpus_files():
    for exercise in REFERENCES:
        for path in sorted((CORPUS / exercise).glob("*.py")):
            words = path.read_text().splitlines()[0].split()  # "# expect: pass" or "# expect: fail [CODE]"
            if words[2] == "fail" and len(words) < 4:
                continue  # a bug without a code (it fails an exact check, or no known law fits)
            code = words[3] if words[2] == "fail" else None
            if code is None or code in STATISTICAL_CODES | {"forbidden"}:
                yield pytest.param(exercise, path, code, id=f"{exercise}/{path.stem}")


@pytest.mark.parametrize("exercise,path,code", list(corpus_files()))
def test_corpus_file_gets_its_statistical_verdict(exercise, path, code):
    """Correct and forbidden-use files pass the statistics; statistical bugs fail with their code."""
    spec = importlib.util.spec_from_file_location(f"candidate_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    verdict = GRADE[exercise](getattr(module, ENTRY_POINTS[exercise]), 0)
    if code in (None, "forbidden"):
        assert verdict.passed, [r.message for r in verdict.results if not r.passed]
    else:
        assert (verdict.passed, verdict.code) == (False, code)


# --- the tests at a measurable alpha ----------------------------------------------------------

def draw(law, n, gen):
    if law.family == "uniform":
        return (torch.rand(n, generator=gen, dtype=torch.float64) * 2 - 1) * law.bound
    return torch.randn(n, generator=gen, dtype=torch.float64) * law.std


RUNS, ALPHA, N = 400, 0.05, 2000
REJECTS_HIGH = stats.binom.ppf(0.9995, RUNS, ALPHA)  # 36 of 400: a 1-in-2000 tail under rate alpha


@pytest.mark.parametrize("test,law,exact", [
    (S.ks_test, S.Law("normal", 0.3), True),
    (S.ks_test, S.Law("uniform", 0.3), True),
    (S.std_test, S.Law("normal", 0.3), True),  # chi-square: exact
    (S.std_test, S.Law("uniform", 0.3), False),  # Bernstein: conservative
    (S.bound_test, S.Law("uniform", 0.3), True),
], ids=["ks-normal", "ks-uniform", "std-normal", "std-uniform", "bound"])
def test_false_reject_rate_is_alpha_or_below(test, law, exact):
    gen = torch.Generator().manual_seed(7)
    rejects = sum(not test(draw(law, N, gen), law, ALPHA).passed for _ in range(RUNS))
    assert rejects <= REJECTS_HIGH
    if exact:
        assert rejects >= stats.binom.ppf(0.0005, RUNS, ALPHA)  # 7 of 400


def test_binomial_tests_are_conservative():
    case = S.DropoutCase((8, 5, 50), 0.3)
    law, x = S.dropout_hypotheses(case)[0].law, case.make_input()
    torch.manual_seed(7)
    outputs = [regularization_ref.dropout(x, case.p) for _ in range(RUNS)]
    tests = [S.zero_fraction_test] + [lambda out, law, alpha, d=d: S.mask_sharing_test(out, law, alpha, d)
                                      for d in S.sharing_dims(case.shape)]  # every dim of a 3-D input
    for test in tests:
        assert sum(not test(out, law, ALPHA).passed for out in outputs) <= REJECTS_HIGH


@pytest.mark.parametrize("null,truth,exact", [
    (S.Law("normal", 1.0), S.Law("normal", 1.03), True),  # std test, power 0.48 (normal approximation)
    (S.Law("uniform", 1.0), S.Law("uniform", 0.999), True),  # bound test, power 0.37 (exact)
    (S.Law("normal", 1.0), S.Law("uniform", 1.0), False),  # KS only: the DKW bound is loose
], ids=["std", "bound", "ks"])
def test_power_figures_match_the_rejection_rate(null, truth, exact):
    gen = torch.Generator().manual_seed(11)
    rejected = sum(not all(r.passed for r in S.law_tests(draw(truth, N, gen), null, ALPHA)) for _ in range(RUNS))
    power = S.law_power(null, truth, N, ALPHA)
    assert rejected / RUNS >= power - 0.08
    if exact:
        assert rejected / RUNS <= power + 0.08
