"""A/B test analysis for the offer lab: rates, tests, Bayesian P(best), SRM, a verdict.

For per-variant counts (subjects n, conversions k, optionally the sum and sum
of squares of revenue per subject, all aggregated by the engine):

- each rate with its Wilson interval; each challenger against the control
  with the pooled two-proportion z-test and Newcombe's interval for the
  difference (`coparent.models.proportions`);
- Bayesian P(best) and expected loss with uniform Beta(1, 1) priors: the
  posteriors are Beta(1 + k, 1 + n - k) and, for each variant i,
  ``P(i best) = integral f_i(x) prod_{j != i} F_j(x) dx`` and
  ``loss_i = E[max_j p_j] - E[p_i]`` with ``E[max] = integral (1 - prod_j F_j(x)) dx``,
  both by quadrature on a grid through every posterior's quantiles
  (deterministic, no sampling);
- revenue per subject (subjects without revenue count as 0) compared with
  Welch's t-test, when revenue is present;
- a sample-ratio-mismatch chi-square test of the split against the planned
  shares (equal by default), read on two levels (`srm_level`): below
  p = 0.01 a *watch* (the split looks off: check the assignment before
  trusting the result), below 0.001 an *alarm* (the assignment is broken, the
  verdict is ``stop``) (Fabijan et al. 2019; Kohavi et al. 2020, ch. 21);
- a verdict, ``ship``, ``keep testing`` or ``stop``, with its reason (rules in
  `verdict` and docs/starter-projects.md).

With more than two variants the leading challenger (highest rate) is judged
and its test is held to alpha / (number of challengers) (Bonferroni).

References
----------
Fabijan, A., Gupchup, J., Gupta, S., Omhover, J., Qin, W., Vermeer, L., &
Dmitriev, P. (2019). Diagnosing Sample Ratio Mismatch in Online Controlled
Experiments: A Taxonomy and Rules of Thumb for Practitioners. KDD '19.
Kohavi, R., Tang, D., & Xu, Y. (2020). Trustworthy Online Controlled
Experiments. Cambridge University Press (ch. 3, 17, 21).
Stucchio, C. (2015). Bayesian A/B testing at VWO (expected loss).
Welch, B. L. (1947). The generalization of "Student's" problem when several
different population variances are involved. Biometrika 34(1-2), 28-35.

Examples
--------
>>> result = analyze([VariantData("control", 1000, 100), VariantData("new", 1000, 135)],
...                  control="control")
>>> result.verdict, result.winner, round(result.comparison.z, 2)
('ship', 'new', 2.43)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import chisquare
from scipy.stats import t as t_dist

from coparent.errors import UnusableDataError
from coparent.models.proportions import newcombe_difference, two_proportion_ztest, wilson
from coparent.models.sample_size import sample_size_per_variant

__all__ = [
    "SRM_THRESHOLD",
    "SRM_WATCH",
    "AbTestResult",
    "Comparison",
    "RevenueComparison",
    "VariantData",
    "VariantResult",
    "Verdict",
    "analyze",
    "prob_best",
    "srm_level",
    "srm_p_value",
    "welch",
]

Verdict = Literal["ship", "keep testing", "stop"]
SRM_THRESHOLD = 0.001
"""Alarm: below this sample-ratio p the assignment is broken and the verdict is ``stop``."""
SRM_WATCH = 0.01
"""Watch: below this (and not below `SRM_THRESHOLD`) the split looks off; check it first."""
SrmLevel = Literal["ok", "watch", "alarm"]
_GRID = 2001


@dataclass(frozen=True)
class VariantData:
    """What the engine aggregates per variant."""

    variant: str
    n: int
    conversions: int
    revenue_sum: float | None = None
    revenue_sq_sum: float | None = None


@dataclass(frozen=True)
class VariantResult:
    variant: str
    n: int
    conversions: int
    rate: float
    ci_low: float
    ci_high: float
    prob_best: float
    expected_loss: float
    revenue_per_subject: float | None


@dataclass(frozen=True)
class Comparison:
    """A challenger against the control: difference of rates (challenger - control)."""

    variant: str
    control: str
    difference: float
    ci_low: float
    ci_high: float
    relative_lift: float | None
    z: float
    p_value: float


@dataclass(frozen=True)
class RevenueComparison:
    variant: str
    control: str
    control_per_subject: float
    variant_per_subject: float
    difference: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float


@dataclass(frozen=True)
class AbTestResult:
    control: str
    challenger: str
    level: float
    alpha: float
    min_lift: float
    variants: tuple[VariantResult, ...]
    comparison: Comparison
    comparisons: tuple[Comparison, ...]
    revenue: RevenueComparison | None
    srm_p_value: float
    sample_ratio_mismatch: bool
    srm_level: SrmLevel
    verdict: Verdict
    reason: str
    winner: str | None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["variants"] = [asdict(v) for v in self.variants]
        return out


def analyze(
    data: Sequence[VariantData],
    *,
    control: str,
    alpha: float = 0.05,
    min_lift: float = 0.05,
    expected_shares: Mapping[str, float] | None = None,
) -> AbTestResult:
    """Analyse an experiment's per-variant counts against ``control``; see the module docstring.

    ``min_lift`` is the smallest relative lift worth having (e.g. the
    break-even lift of `coparent.models.economics`).
    """
    if not 0.0 < alpha < 0.5 or min_lift < 0:
        raise ValueError("alpha must be in (0, 0.5) and min_lift zero or more")
    _check(data, control)
    by_name = {d.variant: d for d in data}
    base = by_name[control]
    others = [d for d in data if d.variant != control]
    family_alpha = alpha / len(others)
    level = 1.0 - family_alpha
    comparisons = tuple(_compare(d, base, level) for d in others)
    leader = max(comparisons, key=lambda c: (c.difference, c.variant))
    probs, losses = prob_best([d.conversions for d in data], [d.n for d in data])
    has_revenue = all(d.revenue_sum is not None and d.revenue_sq_sum is not None for d in data)
    variants = tuple(
        VariantResult(
            d.variant,
            d.n,
            d.conversions,
            d.conversions / d.n,
            *wilson(d.conversions, d.n, level=1.0 - alpha),
            float(probs[i]),
            float(losses[i]),
            (d.revenue_sum or 0.0) / d.n if has_revenue else None,
        )
        for i, d in enumerate(data)
    )
    revenue = _revenue(by_name[leader.variant], base, level) if has_revenue else None
    shares = _shares(data, expected_shares)
    srm = srm_p_value([d.n for d in data], shares)
    position = [d.variant for d in data].index(leader.variant)
    verdict, reason, winner = _verdict(
        leader,
        min(base.n, by_name[leader.variant].n),
        base_rate=base.conversions / base.n,
        revenue=revenue,
        srm=srm,
        prob=float(probs[position]),
        alpha=family_alpha,
        min_lift=min_lift,
        level=level,
    )
    return AbTestResult(
        control=control,
        challenger=leader.variant,
        level=level,
        alpha=alpha,
        min_lift=min_lift,
        variants=variants,
        comparison=leader,
        comparisons=comparisons,
        revenue=revenue,
        srm_p_value=srm,
        sample_ratio_mismatch=srm < SRM_THRESHOLD,
        srm_level=srm_level(srm),
        verdict=verdict,
        reason=reason,
        winner=winner,
    )


def _check(data: Sequence[VariantData], control: str) -> None:
    names = [d.variant for d in data]
    if len(set(names)) != len(names):
        raise ValueError("variants must be unique")
    hint = "an A/B test needs two or more variants with subjects; check the experiments table"
    if sum(d.n for d in data) == 0:
        raise UnusableDataError("the experiment has no subjects", table="experiments", hint=hint)
    if len(data) < 2:
        raise UnusableDataError(
            f"the experiment has one variant ({names[0]}); there is nothing to compare it with",
            table="experiments",
            hint=hint,
        )
    empty = [d.variant for d in data if d.n <= 0]
    if empty:
        raise UnusableDataError(
            f"variant(s) without subjects: {', '.join(empty)}", table="experiments", hint=hint
        )
    if control not in names:
        raise UnusableDataError(
            f"no variant named {control!r} to use as the control",
            table="experiments",
            hint="variants: " + ", ".join(names),
        )


def _compare(d: VariantData, base: VariantData, level: float) -> Comparison:
    diff, lo, hi = newcombe_difference(d.conversions, d.n, base.conversions, base.n, level=level)
    z, p = two_proportion_ztest(d.conversions, d.n, base.conversions, base.n)
    base_rate = base.conversions / base.n
    relative = diff / base_rate if base_rate > 0 else None
    return Comparison(d.variant, base.variant, diff, lo, hi, relative, z, p)


def prob_best(conversions: Sequence[int], trials: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """P(each variant has the highest rate) and the expected loss of choosing it.

    Beta(1 + k, 1 + n - k) posteriors; quadrature, see the module docstring.

    >>> p, loss = prob_best([10, 10], [100, 100])
    >>> [round(float(v), 3) for v in p]
    [0.5, 0.5]
    """
    k = np.asarray(conversions, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    a, b = 1.0 + k, 1.0 + n - k
    q = np.linspace(1e-10, 1.0 - 1e-10, _GRID)
    points = [beta_dist.ppf(q, a[i], b[i]) for i in range(k.size)]
    lo = min(float(p[0]) for p in points)
    hi = max(float(p[-1]) for p in points)
    grid = np.unique(np.concatenate([*points, np.linspace(lo, hi, _GRID)]))
    pdf = beta_dist.pdf(grid[:, None], a, b)
    cdf = beta_dist.cdf(grid[:, None], a, b)
    probs = np.empty(k.size)
    for i in range(k.size):
        rest = np.prod(np.delete(cdf, i, axis=1), axis=1)
        probs[i] = np.trapezoid(pdf[:, i] * rest, grid)
    probs = np.clip(probs, 0.0, None)
    probs /= probs.sum()
    e_max = lo + float(np.trapezoid(1.0 - np.prod(cdf, axis=1), grid))
    losses = np.clip(e_max - a / (a + b), 0.0, None)
    return probs, losses


def srm_level(p_value: float) -> SrmLevel:
    """The sample-ratio signal: ``alarm`` below 0.001, ``watch`` below 0.01, else ``ok``.

    Two levels, because a single strict threshold stays silent on a p of 0.0086,
    which in practice usually points at a real assignment or logging problem
    (Fabijan et al. 2019), while 0.001 keeps false alarms rare over many tests
    (Kohavi, Tang & Xu 2020, ch. 21).

    >>> srm_level(0.0086), srm_level(0.0004), srm_level(0.2)
    ('watch', 'alarm', 'ok')
    """
    if p_value < SRM_THRESHOLD:
        return "alarm"
    if p_value < SRM_WATCH:
        return "watch"
    return "ok"


def srm_p_value(counts: Sequence[int], shares: Sequence[float]) -> float:
    """Chi-square goodness-of-fit p-value of the observed split against the planned shares."""
    n = np.asarray(counts, dtype=np.float64)
    s = np.asarray(shares, dtype=np.float64)
    expected = n.sum() * s / s.sum()
    return float(chisquare(n, expected).pvalue)


def _shares(data: Sequence[VariantData], expected: Mapping[str, float] | None) -> list[float]:
    if expected is None:
        return [1.0] * len(data)
    missing = [d.variant for d in data if d.variant not in expected]
    if missing or any(v <= 0 for v in expected.values()):
        raise ValueError(f"expected_shares needs a positive share for every variant: {missing}")
    return [expected[d.variant] for d in data]


def welch(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int, *, level: float = 0.95
) -> tuple[float, float, float, float, float, float]:
    """Welch's t-test of mean1 - mean2: (difference, ci_low, ci_high, t, df, two-sided p)."""
    se2 = var1 / n1 + var2 / n2
    diff = mean1 - mean2
    if se2 <= 0:
        return diff, diff, diff, math.nan, math.nan, math.nan
    df = se2**2 / ((var1 / n1) ** 2 / (n1 - 1) + (var2 / n2) ** 2 / (n2 - 1))
    t = diff / math.sqrt(se2)
    half = float(t_dist.ppf(0.5 + level / 2.0, df)) * math.sqrt(se2)
    return diff, diff - half, diff + half, t, df, float(2.0 * t_dist.sf(abs(t), df))


def _moments(d: VariantData) -> tuple[float, float]:
    total, squares = d.revenue_sum or 0.0, d.revenue_sq_sum or 0.0
    mean = total / d.n
    var = max(squares - total * total / d.n, 0.0) / (d.n - 1) if d.n > 1 else 0.0
    return mean, var


def _revenue(d: VariantData, base: VariantData, level: float) -> RevenueComparison | None:
    if d.n < 2 or base.n < 2:
        return None
    m1, v1 = _moments(d)
    m0, v0 = _moments(base)
    diff, lo, hi, t, df, p = welch(m1, v1, d.n, m0, v0, base.n, level=level)
    return RevenueComparison(d.variant, base.variant, m0, m1, diff, lo, hi, t, df, p)


def _pts(x: float) -> str:
    return f"{x * 100:+.2f} points"


def _verdict(
    c: Comparison,
    smaller_n: int,
    *,
    base_rate: float,
    revenue: RevenueComparison | None,
    srm: float,
    prob: float,
    alpha: float,
    min_lift: float,
    level: float,
) -> tuple[Verdict, str, str | None]:
    """The decision rules, in order; the first that applies gives the verdict."""
    if srm < SRM_THRESHOLD:
        return (
            "stop",
            f"sample ratio mismatch (p = {srm:.2g}): the split between variants is not the "
            "planned one, so the assignment is broken and the rates cannot be trusted; "
            "fix the assignment and start again",
            None,
        )
    interval = f"{level:.0%} interval {c.ci_low * 100:+.2f} to {c.ci_high * 100:+.2f} points"
    lift = f"{c.variant} {_pts(c.difference)} against {c.control} ({interval}, p = {c.p_value:.2g})"
    if c.p_value < alpha and c.difference > 0:
        if revenue is not None and revenue.p_value < alpha and revenue.difference < 0:
            return (
                "stop",
                f"{lift}, but it brings {-revenue.difference:,.2f} less revenue per subject "
                f"(p = {revenue.p_value:.2g}): the extra conversions do not pay; check the offer "
                "economics",
                None,
            )
        return "ship", f"{lift}; P(best) = {prob:.1%}", c.variant
    if c.p_value < alpha and c.difference < 0:
        return "stop", f"{lift}: the challenger converts worse; keep {c.control}", c.control
    worth = min_lift * base_rate
    if c.ci_high < worth:
        return (
            "stop",
            f"no lift worth having: {lift} rules out a lift of {min_lift:.0%} "
            f"({_pts(worth)}) or more; keep {c.control}",
            c.control,
        )
    mde = min(max(worth, 1e-6), (1.0 - base_rate) / 2.0)
    try:
        needed = sample_size_per_variant(baseline=base_rate, mde=mde, alpha=alpha)
    except ValueError:  # a control rate of 0 or 1: no normal approximation to plan with
        more = ""
    else:
        more = (
            f"; about {max(needed - smaller_n, 0):,} more subjects per variant would detect "
            f"a lift of {min_lift:.0%} ({_pts(worth)})"
        )
    return "keep testing", f"not conclusive yet: {lift}{more}", None
