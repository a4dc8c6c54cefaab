"""Statistical tests for exercises whose output is random: weight initialisers and dropout.

A correct xavier_uniform_ and the reference never agree value by value, so these
exercises are graded on samples: the candidate fills a fresh tensor (or drops out a
known input) once per case below, and the tests ask whether the sample could come
from the law the contract prescribes. Everything here is a pure function of tensors
and numbers returning small result objects; the engine runs the candidate and
counts the tests. scipy does the distribution arithmetic.

Requirements (issue "Grade your own code, part 2")
---------------------------------------------------
1. A correct implementation fails a grade with probability < 1e-6, all statistical
   tests of the grade together (FAMILY_ALPHA).
2. Every known bug class fails with probability > 0.999 (MIN_POWER): for the
   initialisers, fans swapped / mode ignored / receptive field ignored / one fan used
   for both (Xavier), gain missing or wrong, sqrt(3) vs sqrt(6) in the bound, the
   variance passed as the std, normal instead of uniform and back; for dropout, the
   missing 1 / (1 - p), keeping with probability p, one mask shared over the batch
   (p = 0 / p = 1 and train/eval are exact checks of the engine, not statistics).
3. A failing sample names its bug: the measured statistics are tested against the law
   each bug class predicts, and the code whose law fits is reported.

False rejects: Bonferroni over the tests actually run
------------------------------------------------------
A grade runs k tests, each at alpha = FAMILY_ALPHA / k (`alpha_per_test`); by the
union bound P(some test rejects a correct sample) <= k * alpha = 1e-6 whatever the
dependence between the tests. Every alpha below is exact or conservative:

- KS (`ks_test`): scipy.stats.kstest against the exact target CDF. For a continuous
  CDF it computes the p-value from the exact finite-n law of D (scipy's `kstwo`), so
  P(p < alpha) = alpha. float32 rounding moves the empirical CDF by < 1e-6, far below
  the thresholds (~0.016).
- std (`std_test`), normal target: the mean is known (0), so sum(x^2) / std^2 is
  exactly chi-square with n degrees of freedom; the accepted interval for the sample
  std comes from its alpha/2 and 1 - alpha/2 quantiles. Exact, no approximation.
- std, uniform target: y = x^2 / b^2 lies in [0, 1] with mean 1/3 and variance 4/45.
  The normal approximation of mean(y) is not trusted at alpha ~ 1e-7 (the skewness of y
  makes its tail error of order 10 % at n ~ 3e4), so the interval comes from Bernstein's
  inequality, P(|mean(y) - 1/3| >= t) <= 2 exp(-n t^2 / (2 (4/45 + (2/3) t / 3))),
  which holds for every n: the true alpha is below the nominal one. The interval is
  only ~10 % wider than the normal one.
- bound (`bound_test`), uniform target: no |x| may exceed b (beyond float rounding,
  BOUND_RTOL), and the largest |x| must reach b (1 - delta): for U(-b, b),
  P(max |x| < b (1 - delta)) = (1 - delta)^n exactly, so delta = 1 - alpha^(1/n)
  (about 5e-4 at n = 32768). A correct implementation never fails the upper side.
- binomial counts (dropout): exact equal-tailed binomial test (scipy.stats.binom
  quantiles), conservative because the count is discrete.
- kept scale (dropout): kept units must equal x * 1 / (1 - p) to SCALE_RTOL. Exact
  arithmetic, no randomness, so it spends no alpha.

Case designs and test counts
----------------------------
Initialisers (INIT_CASES), every case with >= 30000 elements and fans a factor 2 or 4 apart:
  xavier:  (256, 128) with gain 0.5 (a Linear weight), (128, 32, 3, 3) with every argument
           left to its default (a conv kernel, receptive field 9: fan_in 288, fan_out 1152),
           (128, 64, 7) with gain 2 (Conv1d), (32, 64, 3, 3, 3) (Conv3d) and (64, 32, 3, 5) with
           gain 0.5 (a non-square kernel: k^2 for the receptive field is wrong there).
  kaiming: (512, 128) with a = 0.5, mode and nonlinearity left to their defaults
           (leaky_relu); (32, 128, 3, 3) with mode fan_out and tanh (gain 5/3); (128, 32, 3, 5)
           with every argument left to its default (the default mode with a conv kernel);
           (128, 512) fan_out relu with a = 0.5, which relu ignores (fan_out with a Linear weight);
           (48, 192, 5) conv1d;
           (32, 64, 3, 3, 3) fan_out conv3d; (256, 128) linear; (32, 128, 3, 3) conv2d;
           (128, 256) fan_out sigmoid; (64, 16, 4, 4, 4) selu (gain 3/4): every nonlinearity
           calculate_gain knows, both modes, every kernel rank. Xavier's fan_in + fan_out is
           symmetric, so "fans swapped" is a Kaiming-only bug; tanh makes "sqrt(2) whatever the
           nonlinearity" and "leaky formula for every nonlinearity" visible, which no ReLU-family
           case can; a hand-written gain table with a wrong or missing entry fails on that
           entry's case (the closest two gains, sqrt(2) and 5/3, are 18 % apart, against the
           0.5 % the std test resolves). Fans differ by 2 only where no gain ratio is sqrt(2)
           (there "the other fan" and "ReLU's gain" would be the same law).
  Two cases of each are not contiguous (`InitCase.layout`): the Linear weight (256, 128),
  resp. (128, 512), is a transposed view and the Conv1d kernel every other index along dim 1
  of a tensor twice as wide, so filling a reshape(-1) or contiguous() copy leaves them NaN;
  their fans are those of their shape, whatever the strides.
Small tensors (SMALL_CASES: a (3, 5) Linear weight and (2, 3, 1, 1) and (4, 2, 3) kernels,
  SMALL_DRAWS = 8 fills of each): too small for a test each, so their values, each divided by
  its own case's target std, are pooled into one sample of 360 draws from the std-1 law
  (N(0, 1) or U(-sqrt(3), sqrt(3)): exact, as the draws are independent) and run through the
  same tests (`check_small`). It catches small tensors left at zero or constant, values beyond
  the support, or a std off by a factor 1.3 or more on all of them (the accepted interval for
  the pooled std is [0.80, 1.21] for a normal, [0.83, 1.15] for a uniform); it names no code.
  Uniform cases run KS, std and bound; normal cases KS and std; the pooled small sample counts
  as one more case. So k = 18 (alpha = 5.6e-8 per test) for xavier_uniform, 12 for
  xavier_normal, 33 (3.0e-8) for kaiming_uniform and 22 for kaiming_normal.
Dropout (DROPOUT_CASES): x = linspace(1, 2) (no zero of its own) of shapes (64, 512),
  p = 0.2; (32, 16, 64), p = 0.7; (16384,), p = 0.3; (8, 8, 16, 16), p = 0.4 (every rank
  from 1 to 4); p != 0.5, else "keep with probability p" is invisible. Each case runs the
  zero-fraction test and one mask-sharing test per dim (slices 2i and 2i + 1 along that
  dim must disagree as independent masks do): k = 3 + 4 + 2 + 5 = 14.

Power against each bug, computed against the closest alternative
-----------------------------------------------------------------
`law_power(null, truth, n, alpha)` is a lower bound on P(some test of `null` rejects n
draws from `truth`): the largest of
- KS: by the Dvoretzky-Kiefer-Wolfowitz inequality (Massart's constant),
  P(D_n < c) <= 2 exp(-2 n (d - c)^2), d = sup |F_null - F_truth|, c the critical value;
- std: normal approximation of mean(x^2) under the truth (mean std^2, variance
  std^4 (kurtosis - 1) / n), ample for a power figure;
- bound: exact, P(max |x| <= m) = P(|x| <= m)^n under the truth.
A grade fails if any case fails, so the power against a bug is at least its best
case's (`design_power`; tests/test_statistics.py asserts > MIN_POWER for every bug).
Same-family bug laws are >= 11 % away from the correct std; the closest is Kaiming with
`a` ignored, sqrt(2) / 1.265 = 1.118, then Xavier's fan_out-only, 0.866, and the leaky
formula under tanh, 0.849. The closest alternative of each test, at these sizes:
- uniform exercises, bound test (margin delta = 5.1e-4 at n = 32768): a law wider than b
  keeps every value within b with probability <= 1e-1237 (normal of the right std, the
  closest: 8.3 % of its values lie beyond b); a narrower one (<= 0.866 b) can never
  reach b (1 - delta): miss probability 0.
- normal exercises, std test: Kaiming with `a` ignored lies 32 standard errors outside
  the accepted interval (n = 65536); Xavier's fan_out-only 36 (n = 32768).
- normal exercises, KS: uniform of the right std (the only bug the std test cannot see)
  is at d = 0.057 against c = 0.016: miss <= 1e-49 (n = 32768).
- dropout, binomial tests: keeping with probability p moves the zero count 270
  standard deviations (p = 0.2); a mask shared along any dim makes 0 disagreements along
  it where thousands are expected (the fewest, 3932 +- 45, along a dim of size 8), so
  sharing along every dim of every case is caught; a wrong kept scale fails the exact
  kept-scale check: miss 0.
So every figure is 1 to double precision. The sizes leave margin: by these bounds the
normal exercises would still reach 0.999 at 1/5 of the elements (KS against the
uniform of equal variance binds), the uniform ones at 1/50; the naming below
profits from the extra resolution.

Naming the bug
--------------
`init_hypotheses` / `dropout_hypotheses` list, for a case, the law of the correct
implementation and the law each bug class predicts (measured std matching the
fan_out-based std means `fan`). Each law's own tests are run on the sample at the same
alpha (`consistent`); `name_bug` intersects, over the cases where the correct law was
rejected, the codes of the laws that fit, and names the code when exactly one is left.
The laws of different codes in one case are at least 3.9 % apart in std for the uniform
exercises, where the bound test resolves 0.05 % (0.6 vs 0.577 for Kaiming-tanh's gain
ignored vs "std used as the bound"), and at least 11 % apart for the normal ones,
where the std test resolves ~0.5 %; `naming_power` computes the pairwise figures
(all 1 to double precision).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Literal, Sequence

import numpy as np
import torch
from scipy import stats

from qkv.reference.initialization import fan_in_and_fan_out, kaiming_fan, kaiming_std, xavier_std

FAMILY_ALPHA = 1e-6  # P(a correct implementation fails a grade), all statistical tests together
MIN_POWER = 0.999  # P(a known bug fails a grade), for every bug class
BOUND_RTOL = 1e-5  # a uniform sample may exceed b by float rounding only
SCALE_RTOL = 1e-4  # kept dropout units must equal x * kept_scale to this relative tolerance


def alpha_per_test(n_tests: int, family_alpha: float = FAMILY_ALPHA) -> float:
    """Bonferroni: `n_tests` tests at this alpha reject a correct sample with P <= family_alpha."""
    if n_tests < 1:
        raise ValueError(f"Got n_tests={n_tests}, but a grade runs at least 1 test")
    return family_alpha / n_tests


@dataclass(frozen=True)
class StatResult:
    """One test's verdict on one sample."""

    name: str
    passed: bool
    statistic: float
    threshold: float | tuple[float, float]  # the largest accepted value, or the accepted interval
    message: str


# --- laws and hypotheses -----------------------------------------------------------------

@dataclass(frozen=True)
class Law:
    """The law every element of an initialised tensor follows: U(-b, b) or N(0, std^2)."""

    family: Literal["uniform", "normal"]
    std: float

    @property
    def bound(self) -> float:
        """b of U(-b, b): its std is b / sqrt(3)."""
        return math.sqrt(3.0) * self.std

    @property
    def kurtosis(self) -> float:
        return 1.8 if self.family == "uniform" else 3.0

    def cdf(self, x: np.ndarray) -> np.ndarray:
        if self.family == "uniform":
            return stats.uniform.cdf(x, loc=-self.bound, scale=2 * self.bound)
        return stats.norm.cdf(x, scale=self.std)

    def log_abs_cdf(self, m: float) -> float:
        """log P(|X| <= m)."""
        if self.family == "uniform":
            return math.log(min(m / self.bound, 1.0)) if m > 0 else -math.inf
        return math.log1p(-2 * stats.norm.sf(m / self.std)) if m > 0 else -math.inf

    def __str__(self) -> str:
        if self.family == "uniform":
            return f"U(-{self.bound:.4g}, {self.bound:.4g})"
        return f"N(0, {self.std:.4g}^2)"


@dataclass(frozen=True)
class DropoutLaw:
    """What a dropout output looks like: which units are zeroed, and what the kept ones are."""

    zero_prob: float  # P(a unit is zeroed)
    kept_scale: float  # a kept unit is x * kept_scale
    shared_dim: int | None = None  # the mask has size 1 along this dim: shared by every slice along it

    @property
    def shared_mask(self) -> bool:
        return self.shared_dim is not None

    def __str__(self) -> str:
        shared = "" if self.shared_dim is None else (", one mask for the whole batch" if self.shared_dim == 0
                                                     else f", one mask shared along dim {self.shared_dim}")
        return f"zeroed with probability {self.zero_prob:.3g}, kept units x * {self.kept_scale:.4g}{shared}"


@dataclass(frozen=True)
class Hypothesis:
    """What an implementation would produce on a case: the correct law (code None) or a bug's."""

    code: str | None
    label: str  # the mistake, in a candidate's words
    law: Law | DropoutLaw


# --- tests on an initialised tensor ------------------------------------------------------

Sample = torch.Tensor | np.ndarray  # the tests take either; law_tests converts a tensor once


def _values(sample: Sample) -> np.ndarray:
    if isinstance(sample, np.ndarray):
        return sample
    return sample.detach().cpu().double().flatten().numpy()


def finite_test(sample: Sample) -> StatResult:
    """Every element filled with a finite number (the engine hands over a NaN-filled tensor)."""
    x = _values(sample)
    bad = int(x.size - np.isfinite(x).sum())
    message = "" if not bad else (f"{bad} of {x.size} values are NaN or inf: every element must be "
                                  "overwritten with a finite draw.")
    return StatResult("finite", bad == 0, float(bad), 0.0, message)


def ks_test(sample: Sample, law: Law, alpha: float) -> StatResult:
    """Kolmogorov-Smirnov distance between the sample and the exact CDF of `law`."""
    x = _values(sample)
    result = stats.kstest(x, law.cdf)
    critical = float(stats.kstwo.isf(alpha, x.size))
    passed = bool(result.pvalue >= alpha)
    message = "" if passed else (
        f"The values do not follow {law}: the Kolmogorov-Smirnov distance between their empirical CDF and "
        f"the target's is {result.statistic:.4f}, above {critical:.4f} (p = {result.pvalue:.2g}, alpha = {alpha:.2g}).")
    return StatResult("ks", passed, float(result.statistic), critical, message)


def std_interval(law: Law, n: int, alpha: float) -> tuple[float, float]:
    """The range a correct sample's std (root mean square, the mean being 0) stays in with P >= 1 - alpha."""
    if law.family == "normal":  # n s^2 / std^2 ~ chi2(n), exactly
        low, high = stats.chi2.ppf(alpha / 2, n), stats.chi2.isf(alpha / 2, n)
        return law.std * math.sqrt(low / n), law.std * math.sqrt(high / n)
    # uniform: Bernstein for the mean of y = x^2 / b^2 in [0, 1]: mean 1/3, variance 4/45, |y - 1/3| <= 2/3
    log_term, variance, spread = math.log(2 / alpha), 4 / 45, 2 / 3
    linear = 2 * log_term * spread / 3
    t = (linear + math.sqrt(linear ** 2 + 8 * n * log_term * variance)) / (2 * n)
    return law.bound * math.sqrt(max(1 / 3 - t, 0.0)), law.bound * math.sqrt(1 / 3 + t)


def std_test(sample: Sample, law: Law, alpha: float) -> StatResult:
    """The sample's std, sqrt(mean(x^2)), within the interval `law` allows."""
    x = _values(sample)
    s = math.sqrt(float(np.mean(x ** 2)))
    low, high = std_interval(law, x.size, alpha)
    passed = low <= s <= high
    message = "" if passed else (
        f"The sample's standard deviation is {s:.5g}, {s / law.std:.3f} times the target's {law.std:.5g}; "
        f"{x.size} draws from {law} stay within [{low:.5g}, {high:.5g}] with probability 1 - {alpha:.2g}.")
    return StatResult("std", passed, s, (low, high), message)


def bound_margin(n: int, alpha: float) -> float:
    """delta with P(max |x| < b (1 - delta)) = alpha for n draws from U(-b, b)."""
    return -math.expm1(math.log(alpha) / n)


def bound_test(sample: Sample, law: Law, alpha: float) -> StatResult:
    """No element beyond b, and the largest |x| within b * bound_margin of b."""
    x = _values(sample)
    top = float(np.abs(x).max())
    low, high = law.bound * (1 - bound_margin(x.size, alpha)), law.bound * (1 + BOUND_RTOL)
    if top > high:
        message = f"A value reaches |x| = {top:.5g}, beyond the bound b = {law.bound:.5g} of {law}."
    elif top < low:
        message = (f"The largest |x| is {top:.5g}, {top / law.bound:.3f} of the bound b = {law.bound:.5g}: "
                   f"{x.size} draws from {law} come within {low:.5g} with probability 1 - {alpha:.2g}.")
    else:
        message = ""
    return StatResult("bound", not message, top, (low, high), message)


LAW_TESTS: dict[str, tuple[Callable[[Sample, Law, float], StatResult], ...]] = {
    "uniform": (bound_test, std_test, ks_test),  # cheapest first: naming stops at the first rejection
    "normal": (std_test, ks_test),
}


def law_tests(sample: Sample, law: Law, alpha: float) -> list[StatResult]:
    """The statistical tests of `law` on `sample` (only the finiteness check if it has NaN or inf)."""
    x = _values(sample)
    finite = finite_test(x)
    if not finite.passed:
        return [finite]
    return [test(x, law, alpha) for test in LAW_TESTS[law.family]]


def law_passes(sample: Sample, law: Law, alpha: float) -> bool:
    """Whether every test of `law_tests` passes; stops at the first that does not."""
    x = _values(sample)
    return finite_test(x).passed and all(test(x, law, alpha).passed for test in LAW_TESTS[law.family])


# --- initialiser cases and the laws of their bugs ----------------------------------------

@dataclass(frozen=True)
class InitCase:
    """One call of an initialiser: a fresh tensor of `shape` and keyword arguments."""

    shape: tuple[int, ...]
    kwargs: dict = field(default_factory=dict)  # passed positionally up to the last one given; the rest omitted
    covers: tuple[str, ...] = ()  # contract dimensions (grader/contracts.py) beyond the kernel form and kwargs
    layout: Literal["contiguous", "transposed", "strided"] = "contiguous"  # how the tensor lies in memory

    @property
    def form(self) -> str:
        """The kernel's kind, as grader/contracts.py names it."""
        if len(self.shape) == 4 and self.shape[2] != self.shape[3]:
            return "non-square kernel"
        return {2: "Linear (out, in)", 3: "Conv1d (out, in, k)", 4: "Conv2d (out, in, kh, kw)",
                5: "Conv3d (out, in, kd, kh, kw)"}[len(self.shape)]

    def make_tensor(self, device: torch.device | str = "cpu") -> torch.Tensor:
        """A float32 tensor of NaN, so any element the candidate leaves unfilled shows. "transposed": a view
        of an (in, out, ...) tensor with its first two dims swapped (nn.Linear's weight.t()); "strided": every
        other index along dim 1 of a tensor twice as wide. Neither is contiguous (a reshape(-1) of it is a
        copy), and its fans are those of its shape, as PyTorch reads them from size(), whatever the strides."""
        out, fan, *kernel = self.shape
        if self.layout == "transposed":
            return torch.full((fan, out, *kernel), math.nan, device=device).transpose(0, 1)
        if self.layout == "strided":
            return torch.full((out, 2 * fan, *kernel), math.nan, device=device)[:, ::2]
        return torch.full(self.shape, math.nan, device=device)


XAVIER_CASES = (InitCase((256, 128), {"gain": 0.5}, layout="transposed"), InitCase((128, 32, 3, 3)),
                InitCase((128, 64, 7), {"gain": 2.0}, layout="strided"), InitCase((32, 64, 3, 3, 3)),
                InitCase((64, 32, 3, 5), {"gain": 0.5}))
_CONV_DEFAULT_MODE = ("special:the default mode with a conv kernel",)
KAIMING_CASES = (InitCase((512, 128), {"a": 0.5}),
                 InitCase((32, 128, 3, 3), {"mode": "fan_out", "nonlinearity": "tanh"}),
                 InitCase((128, 32, 3, 5), covers=_CONV_DEFAULT_MODE),  # every argument left to its default
                 InitCase((128, 512), {"mode": "fan_out", "nonlinearity": "relu", "a": 0.5},  # relu ignores a
                          covers=('special:mode="fan_out" with a Linear weight',), layout="transposed"),
                 InitCase((48, 192, 5), {"nonlinearity": "conv1d"}, covers=_CONV_DEFAULT_MODE, layout="strided"),
                 InitCase((32, 64, 3, 3, 3), {"mode": "fan_out", "nonlinearity": "conv3d"}),
                 InitCase((256, 128), {"nonlinearity": "linear"}),
                 InitCase((32, 128, 3, 3), {"nonlinearity": "conv2d"}),
                 InitCase((128, 256), {"mode": "fan_out", "nonlinearity": "sigmoid"}),
                 InitCase((64, 16, 4, 4, 4), {"nonlinearity": "selu"}))
INIT_CASES: dict[str, tuple[InitCase, ...]] = {
    "initialization.xavier_uniform": XAVIER_CASES,
    "initialization.xavier_normal": XAVIER_CASES,
    "initialization.kaiming_uniform": KAIMING_CASES,
    "initialization.kaiming_normal": KAIMING_CASES,
}
# Small tensors, each filled SMALL_DRAWS times; their values, divided by each call's target std, are one
# pooled sample of the law with std 1 (`check_small`): a Linear layer, a 1x1 conv kernel, a Conv1d kernel.
XAVIER_SMALL = (InitCase((3, 5), {"gain": 0.5}), InitCase((2, 3, 1, 1)), InitCase((4, 2, 3), {"gain": 2.0}))
KAIMING_SMALL = (InitCase((3, 5), {"mode": "fan_out", "nonlinearity": "relu"}), InitCase((2, 3, 1, 1)),
                 InitCase((4, 2, 3), {"a": 0.5}))
SMALL_CASES: dict[str, tuple[InitCase, ...]] = {
    "initialization.xavier_uniform": XAVIER_SMALL,
    "initialization.xavier_normal": XAVIER_SMALL,
    "initialization.kaiming_uniform": KAIMING_SMALL,
    "initialization.kaiming_normal": KAIMING_SMALL,
}
SMALL_DRAWS = 8  # fills of each small case: 8 x (15 + 6 + 24) = 360 pooled values


def _family(exercise: str) -> Literal["uniform", "normal"]:
    if exercise not in INIT_CASES:
        raise ValueError(f"Got exercise={exercise!r}, but the only initialisers are {', '.join(INIT_CASES)}")
    return "uniform" if exercise.endswith("_uniform") else "normal"


def init_alpha(exercise: str) -> float:
    """alpha per test for a grade of `exercise`: all tests of its law on each case, and on the pooled small
    tensors (one more sample)."""
    return alpha_per_test((len(INIT_CASES[exercise]) + 1) * len(LAW_TESTS[_family(exercise)]))


def init_law(exercise: str, case: InitCase) -> Law:
    """The law a correct implementation fills `case` from."""
    return Law(_family(exercise), _spread(exercise, case)[0])


def _spread(exercise: str, case: InitCase) -> tuple[float, float, list[tuple[str, str, float]]]:
    """(correct std, gain, [(code, label, std) of each fan and gain bug]) of the exercise's formula on `case`."""
    shape, kwargs = case.shape, case.kwargs
    if exercise.startswith("initialization.xavier"):
        gain = kwargs.get("gain", 1.0)
        fan_in, fan_out = fan_in_and_fan_out(shape)
        plain_in, plain_out = fan_in_and_fan_out(shape[:2])
        return xavier_std(fan_in, fan_out, gain), gain, [
            ("fan", "receptive field ignored (fans from the first two dims only)",
             xavier_std(plain_in, plain_out, gain)),
            ("fan", "fan_in used for both fans", xavier_std(fan_in, fan_in, gain)),
            ("fan", "fan_out used for both fans", xavier_std(fan_out, fan_out, gain)),
            ("gain", "gain ignored", xavier_std(fan_in, fan_out, 1.0)),
        ]
    a, mode = kwargs.get("a", 0.0), kwargs.get("mode", "fan_in")
    gain = torch.nn.init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), a)
    fan = kaiming_fan(shape, mode)
    other_mode = "fan_out" if mode == "fan_in" else "fan_in"
    return kaiming_std(fan, gain), gain, [
        ("fan", "the other fan (fan_in and fan_out swapped, or mode ignored)",
         kaiming_std(kaiming_fan(shape, other_mode), gain)),
        ("fan", "receptive field ignored (fan from the first two dims only)",
         kaiming_std(kaiming_fan(shape[:2], mode), gain)),
        ("gain", "gain ignored", kaiming_std(fan, 1.0)),
        ("gain", "ReLU's gain sqrt(2) whatever the nonlinearity and a", kaiming_std(fan, math.sqrt(2.0))),
        ("gain", "leaky ReLU's gain sqrt(2 / (1 + a^2)) whatever the nonlinearity",
         kaiming_std(fan, torch.nn.init.calculate_gain("leaky_relu", a))),
    ]


def init_hypotheses(exercise: str, case: InitCase) -> list[Hypothesis]:
    """The correct law on `case` first, then the law of each known bug that shows on it.

    A bug whose law equals the correct one on this case (the receptive field of a Linear
    weight, the ReLU gain under ReLU) is left out: another case shows it.
    """
    family = _family(exercise)
    other = "normal" if family == "uniform" else "uniform"
    std, gain, spread = _spread(exercise, case)
    if family == "uniform":
        wrong_constant = (("sqrt(3) instead of sqrt(6) in the bound", std / math.sqrt(2.0))
                          if exercise.startswith("initialization.xavier")
                          else ("sqrt(6) instead of sqrt(3) in the bound", std * math.sqrt(2.0)))
        bound_bugs = [wrong_constant, ("the std used as the bound", std / math.sqrt(3.0))]
        distribution_bugs = [("normal instead of uniform, with the right std", std),
                             ("normal instead of uniform, with the bound as its std", std * math.sqrt(3.0))]
    else:
        bound_bugs = [("the variance used as the std", std ** 2),
                      ("square root forgotten in the std", std ** 2 / gain)]
        distribution_bugs = [("uniform instead of normal, with the right std", std),
                             ("uniform instead of normal, with the std as its bound", std / math.sqrt(3.0))]
    hypotheses = [Hypothesis(None, "correct", Law(family, std))]
    candidates = ([(code, label, Law(family, s)) for code, label, s in spread]
                  + [("bound", label, Law(family, s)) for label, s in bound_bugs]
                  + [("distribution", label, Law(other, s)) for label, s in distribution_bugs])
    for code, label, law in candidates:
        if not any(h.law.family == law.family and math.isclose(h.law.std, law.std, rel_tol=1e-9)
                   and h.code in (None, code) for h in hypotheses):
            hypotheses.append(Hypothesis(code, label, law))
    return hypotheses


# --- dropout --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DropoutCase:
    """One training-mode call of dropout on a known input."""

    shape: tuple[int, ...]
    p: float

    def make_input(self) -> torch.Tensor:
        """Distinct values in [1, 2]: no zero of their own, so every zero in the output is a dropped unit."""
        return torch.linspace(1.0, 2.0, math.prod(self.shape)).reshape(self.shape)


DROPOUT_CASES = (DropoutCase((64, 512), 0.2), DropoutCase((32, 16, 64), 0.7), DropoutCase((16384,), 0.3),
                 DropoutCase((8, 8, 16, 16), 0.4))


def sharing_dims(shape: tuple[int, ...]) -> list[int]:
    """The dims a mask could be shared along and the sharing test can see (size >= 2)."""
    return [d for d, n in enumerate(shape) if n >= 2]


def dropout_tests_per_case(case: DropoutCase) -> int:
    """The zero-fraction test and one mask-sharing test per dim; the kept scale is exact."""
    return 1 + len(sharing_dims(case.shape))


def dropout_alpha() -> float:
    """alpha per test for a dropout grade: every binomial test on every case."""
    return alpha_per_test(sum(dropout_tests_per_case(case) for case in DROPOUT_CASES))


def binomial_interval(n: int, q: float, alpha: float) -> tuple[int, int]:
    """Counts an exact equal-tailed test accepts for Binomial(n, q): each tail has P <= alpha / 2."""
    return int(stats.binom.ppf(alpha / 2, n, q)), int(stats.binom.isf(alpha / 2, n, q))


def _binomial_result(name: str, count: int, n: int, q: float, alpha: float, what: str) -> StatResult:
    low, high = binomial_interval(n, q, alpha)
    passed = low <= count <= high
    message = "" if passed else (f"{count} of {n} {what} ({count / n:.3f}); with probability {q:.4g} each, the "
                                 f"count lies in [{low}, {high}] with probability 1 - {alpha:.2g}.")
    return StatResult(name, passed, float(count), (float(low), float(high)), message)


def zero_fraction_test(out: torch.Tensor, law: DropoutLaw, alpha: float) -> StatResult:
    """The number of zeroed units is Binomial(units, zero_prob)."""
    zeros = out == 0
    return _binomial_result("zero fraction", int(zeros.sum()), zeros.numel(), law.zero_prob, alpha,
                            "units are zeroed")


def mask_sharing_test(out: torch.Tensor, law: DropoutLaw, alpha: float, dim: int = 0) -> StatResult:
    """Slices 2i and 2i + 1 along `dim` disagree on whether a unit is dropped with probability
    2 q (1 - q), independently.

    A mask shared along `dim` (size 1 there, broadcast) makes them always agree (probability 0).
    """
    zeros = (out == 0).movedim(dim, 0).reshape(out.shape[dim], -1)  # (size along dim, units per slice)
    pairs = out.shape[dim] // 2
    disagree = zeros[0:2 * pairs:2] != zeros[1:2 * pairs:2]  # (size // 2, units)
    q = 0.0 if law.shared_dim == dim else 2 * law.zero_prob * (1 - law.zero_prob)
    what = "sample" if dim == 0 else f"slice along dim {dim}"
    return _binomial_result(f"mask sharing along dim {dim}", int(disagree.sum()), disagree.numel(), q, alpha,
                            f"units are dropped in one {what} of a pair and kept in the other")


def kept_scale_test(x: torch.Tensor, out: torch.Tensor, law: DropoutLaw) -> StatResult:
    """Every kept unit equals x * kept_scale (exact arithmetic: no randomness, no alpha)."""
    kept = out != 0
    ratio = out[kept].double() / x[kept].double()
    error = float((ratio / law.kept_scale - 1).abs().max()) if kept.any() else 0.0
    passed = error <= SCALE_RTOL
    message = "" if passed else (f"Kept units are x times {float(ratio.median()):.5g} (first kept unit: "
                                 f"{float(ratio[0]):.5g}); expected x times {law.kept_scale:.5g}.")
    return StatResult("kept scale", passed, error, SCALE_RTOL, message)


def dropout_tests(x: torch.Tensor, out: torch.Tensor, law: DropoutLaw, alpha: float) -> list[StatResult]:
    """All tests of `law` on one dropout output (`x` the input, `out` the output).

    A shared mask's counts are not binomial over the units (every count is copies of one
    slice's), so a shared law is tested on sharing along its own dim and on the scale only.
    """
    if law.shared_mask:  # its counts along the other dims are copies, not binomial: test its own dim only
        return [mask_sharing_test(out, law, alpha, law.shared_dim), kept_scale_test(x, out, law)]
    zero_count = [zero_fraction_test(out, law, alpha)]
    sharing = [mask_sharing_test(out, law, alpha, dim) for dim in sharing_dims(tuple(out.shape))]
    return zero_count + sharing + [kept_scale_test(x, out, law)]


def dropout_passes(x: torch.Tensor, out: torch.Tensor, law: DropoutLaw, alpha: float) -> bool:
    return all(r.passed for r in dropout_tests(x, out, law, alpha))


def dropout_hypotheses(case: DropoutCase) -> list[Hypothesis]:
    """The correct law on `case` first, then the law of each known bug."""
    p = case.p
    return [
        Hypothesis(None, "correct", DropoutLaw(p, 1 / (1 - p))),
        Hypothesis("scale", "kept units not rescaled", DropoutLaw(p, 1.0)),
        Hypothesis("scale", "kept units multiplied by 1 - p (classic dropout's inference factor)",
                   DropoutLaw(p, 1 - p)),
        Hypothesis("polarity", "p used as the keep probability", DropoutLaw(1 - p, 1 / (1 - p))),
        Hypothesis("polarity", "p used as the keep probability, kept units scaled by 1 / p", DropoutLaw(1 - p, 1 / p)),
    ] + [Hypothesis("mask-shared", "one mask for every sample of the batch" if dim == 0 else
                    f"one mask shared along dim {dim} of a {len(case.shape)}-D input", DropoutLaw(p, 1 / (1 - p), dim))
         for dim in sharing_dims(case.shape)]


# --- verdicts and naming ------------------------------------------------------------------

def consistent(hypotheses: Sequence[Hypothesis], passes: Callable[[Law | DropoutLaw], bool]) -> list[Hypothesis]:
    """The hypotheses whose law passes all its tests on the sample (`passes` runs them)."""
    return [h for h in hypotheses if passes(h.law)]


def name_bug(fits_per_case: Sequence[Sequence[Hypothesis]]) -> str | None:
    """The one code that fits every case where the correct law does not; None when no single code does."""
    failing = [{h.code for h in fits} for fits in fits_per_case if all(h.code is not None for h in fits)]
    if not failing:
        return None
    codes = set.intersection(*failing)
    return codes.pop() if len(codes) == 1 else None


@dataclass(frozen=True)
class Verdict:
    """A grade's statistical tests on all cases, and the bug they name when some fail."""

    results: list[StatResult]
    code: str | None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


def _verdict(hypotheses: Sequence[list[Hypothesis]], tests: Sequence[Callable], passes: Sequence[Callable]) -> Verdict:
    """Run each case's tests of its correct law (hypotheses[i][0]); name the bug only if one fails."""
    results = [r for hs, run in zip(hypotheses, tests) for r in run(hs[0].law)]
    if all(r.passed for r in results):
        return Verdict(results, None)
    return Verdict(results, name_bug([consistent(hs, ok) for hs, ok in zip(hypotheses, passes)]))


def check_init(exercise: str, samples: Sequence[torch.Tensor]) -> Verdict:
    """Test one filled tensor per case of INIT_CASES[exercise] (in order) and name the bug if any fails."""
    cases = INIT_CASES[exercise]
    if len(samples) != len(cases):
        raise ValueError(f"Got {len(samples)} samples, but {exercise} has {len(cases)} cases")
    alpha = init_alpha(exercise)
    values = [_values(sample) for sample in samples]
    return _verdict([init_hypotheses(exercise, case) for case in cases],
                    [partial(law_tests, x, alpha=alpha) for x in values],
                    [partial(law_passes, x, alpha=alpha) for x in values])


def check_small(exercise: str, samples: Sequence[Sample]) -> list[StatResult]:
    """The tests of the std-1 law on the pooled small fills: SMALL_DRAWS samples of each SMALL_CASES[exercise]
    case, in order, each divided by its own target std. No bug is named: the large cases name them."""
    cases = [case for case in SMALL_CASES[exercise] for _ in range(SMALL_DRAWS)]
    if len(samples) != len(cases):
        raise ValueError(f"Got {len(samples)} samples, but {exercise} has {len(cases)} small fills")
    pooled = np.concatenate([_values(x) / init_law(exercise, case).std for x, case in zip(samples, cases)])
    return law_tests(pooled, Law(_family(exercise), 1.0), init_alpha(exercise))


def check_dropout(outputs: Sequence[torch.Tensor]) -> Verdict:
    """Test one training-mode output per case of DROPOUT_CASES (on case.make_input()) and name the bug."""
    if len(outputs) != len(DROPOUT_CASES):
        raise ValueError(f"Got {len(outputs)} outputs, but dropout has {len(DROPOUT_CASES)} cases")
    alpha, inputs = dropout_alpha(), [case.make_input() for case in DROPOUT_CASES]
    return _verdict([dropout_hypotheses(case) for case in DROPOUT_CASES],
                    [partial(dropout_tests, x, out, alpha=alpha) for x, out in zip(inputs, outputs)],
                    [partial(dropout_passes, x, out, alpha=alpha) for x, out in zip(inputs, outputs)])


# --- power ----------------------------------------------------------------------------------

def ks_distance(a: Law, b: Law) -> float:
    """sup_x |F_a(x) - F_b(x)|, on a grid (plus the uniform bounds, where a CDF has a kink) fine to ~1e-6."""
    edge = 8 * max(a.std, b.std)
    x = np.concatenate([np.linspace(-edge, edge, 20_001), [a.bound, -a.bound, b.bound, -b.bound]])
    return float(np.abs(a.cdf(x) - b.cdf(x)).max())


def law_power(null: Law, truth: Law, n: int, alpha: float) -> float:
    """Lower bound on P(some test of `null` rejects n draws from `truth`); see the module docstring."""
    critical = float(stats.kstwo.isf(alpha, n))
    gap = ks_distance(null, truth) - critical
    powers = [1 - 2 * math.exp(-2 * n * gap ** 2) if gap > 0 else 0.0]
    low, high = std_interval(null, n, alpha)
    mean, se = truth.std ** 2, truth.std ** 2 * math.sqrt((truth.kurtosis - 1) / n)  # of mean(x^2) under the truth
    powers.append(1 - (stats.norm.cdf((high ** 2 - mean) / se) - stats.norm.cdf((low ** 2 - mean) / se)))
    if null.family == "uniform":
        low = null.bound * (1 - bound_margin(n, alpha))
        high = null.bound * (1 + BOUND_RTOL)
        powers.append(1 - (math.exp(n * truth.log_abs_cdf(high)) - math.exp(n * truth.log_abs_cdf(low))))
    return max(0.0, *powers)


def _accepts(low: int, high: int, n: int, q: float, copies: int = 1) -> float:
    """P(low <= copies * K <= high) for K ~ Binomial(n, q)."""
    return float(stats.binom.cdf(high // copies, n, q) - stats.binom.cdf(-(-low // copies) - 1, n, q))


def dropout_power(case: DropoutCase, truth: DropoutLaw, alpha: float) -> float:
    """Lower bound on P(some test of the correct law rejects an output of `truth` on `case`)."""
    null = dropout_hypotheses(case)[0].law
    if not math.isclose(truth.kept_scale, null.kept_scale, rel_tol=SCALE_RTOL):
        return 1.0  # every kept unit shows the wrong scale
    units = math.prod(case.shape)
    # under a mask shared along dim d, every count is size_d copies of the count over one slice
    copies = 1 if truth.shared_dim is None else case.shape[truth.shared_dim]
    q_null = 2 * null.zero_prob * (1 - null.zero_prob)
    powers = [1 - _accepts(*binomial_interval(units, null.zero_prob, alpha), units // copies, truth.zero_prob, copies)]
    for dim in sharing_dims(case.shape):
        pairs = (case.shape[dim] // 2) * (units // case.shape[dim])
        if truth.shared_dim == dim:  # the pairs along the shared dim never disagree
            powers.append(1 - _accepts(*binomial_interval(pairs, q_null, alpha), pairs, 0.0))
        else:
            q = 2 * truth.zero_prob * (1 - truth.zero_prob)
            powers.append(1 - _accepts(*binomial_interval(pairs, q_null, alpha), pairs // copies, q, copies))
    return max(powers)


def design_power(exercise: str) -> dict[str, float]:
    """For each bug label of `exercise`: the lower bound on P(the grade fails), its best case's."""
    powers: dict[str, float] = {}
    if exercise == "regularization.dropout":
        for case in DROPOUT_CASES:
            for h in dropout_hypotheses(case)[1:]:
                powers[h.label] = max(powers.get(h.label, 0.0), dropout_power(case, h.law, dropout_alpha()))
        return powers
    for case in INIT_CASES[exercise]:
        correct, *bugs = init_hypotheses(exercise, case)
        n = math.prod(case.shape)
        for h in bugs:
            power = law_power(correct.law, h.law, n, init_alpha(exercise))
            powers[h.label] = max(powers.get(h.label, 0.0), power)
    return powers


def _same_law(a: Law, b: Law) -> bool:
    return a.family == b.family and math.isclose(a.std, b.std, rel_tol=1e-9)


def naming_power(exercise: str) -> float:
    """The smallest, over cases and ordered pairs of bug laws with different codes, of P(the other law is rejected).

    Two bugs whose laws coincide on a case (under a gain-1 nonlinearity, "ReLU's gain always" and
    "sqrt(6) for sqrt(3)" both give sqrt(2) times the std) are not told apart there: `name_bug`
    intersects the fitting codes over the failing cases, and another case separates them
    (`ambiguous_pairs_resolved` checks that one does)."""
    worst = 1.0
    for case in INIT_CASES[exercise]:
        bugs = init_hypotheses(exercise, case)[1:]
        n = math.prod(case.shape)
        for truth in bugs:
            for other in bugs:
                if other.code != truth.code and not _same_law(other.law, truth.law):
                    worst = min(worst, law_power(other.law, truth.law, n, init_alpha(exercise)))
    return worst


def ambiguous_pairs_resolved(exercise: str) -> list[tuple[str, str]]:
    """The (label, label) pairs of bugs with different codes whose laws coincide on every case where
    both are listed: `name_bug` could never tell them apart. Empty for a sound design."""
    together: dict[tuple[str, str], bool] = {}
    for case in INIT_CASES[exercise]:
        bugs = init_hypotheses(exercise, case)[1:]
        for truth in bugs:
            for other in bugs:
                if other.code != truth.code:
                    key = (truth.label, other.label)
                    together[key] = together.get(key, True) and _same_law(truth.law, other.law)
    return [pair for pair, always in together.items() if always]
