"""Intervals that tell a real change from normal variation.

Every rate change in the diagnosis gets an interval; a change whose interval
contains "no change" is *within normal variation* and is never named as a
cause. Which interval depends on what the number is:

- **win rate** (won among closed: a true proportion): Wilson (1927) score
  interval for each period and Newcombe's (1998, method 10) hybrid score
  interval for the difference. Against a fixed target (a goal) the target is
  tested against the current period's Wilson interval.
- **volume and flow ratios** (acceptance, conversion, pace: counts of two
  stages in one period, which can exceed 1): counts are treated as Poisson and
  the log of the ratio of ratios gets a normal interval with variance
  ``sum(1/x)`` over the counts involved (Haldane's +0.5 on every count when one
  is zero). This ignores the positive covariance between the two stages of one
  period, so it is conservative: wider, never narrower, than it should be.
- **a shift between segments** (the mix part of a company-level factor):
  the counts of the stage before, by segment, in both periods; Pearson's
  chi-square test of homogeneity (against a goal, of fit to the goal's
  shares), `mix_shift`. Each segment's own share gets the win-rate treatment
  (Newcombe), as a share of the company's stage is a true proportion.
- **deal size** (mean won amount): won amounts are heavy-tailed (one large
  deal moves a mean a lot), so a normal interval on the mean itself is far too
  narrow for small counts. Amounts are taken as lognormal and the log of the
  mean, ``theta = ybar + s^2/2`` from the mean ``ybar`` and variance ``s^2``
  of the log amounts, gets Cox's interval, ``var(theta) = s^2/n +
  s^4/(2(n-1))`` (Zhou & Gao 1997); undefined with fewer than two won deals
  with an amount. The engine supplies the sums of ``ln(amount)`` and its square.

All functions take numpy arrays (or scalars) of counts and return arrays.

**Many intervals at once.** A segment has four to six factors; at 95% each, a
segment where nothing changed would show a "significant" factor about one time
in four. The diagnosis therefore tests each segment's factors as one family:
every interval is at level ``1 - (1 - confidence) / k`` for the k factors
(Bonferroni), so the chance that a segment with no real change shows any
significant factor is at most 1 - confidence; the four reason-category shares
of a split form a family of four the same way (`family_level`).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. JASA 22(158), 209-212.
Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions: comparison of eleven methods. Statistics in
Medicine 17(8), 873-890.
Zhou, X.-H., & Gao, S. (1997). Confidence intervals for the log-normal mean.
Statistics in Medicine 16(7), 783-790.

Examples
--------
>>> lo, hi = wilson(7, 20)
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.1812, 0.5671)
>>> d, lo, hi = newcombe_difference(56, 70, 48, 80)
>>> round(float(d[0]), 3), round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.2, 0.0524, 0.3339)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2

from coparent.stats import CONFIDENCE, Floats, as_floats, newcombe_difference, wilson, z_value

__all__ = [
    "CONFIDENCE",
    "Change",
    "deal_size_change",
    "family_level",
    "flow_ratio_change",
    "mix_shift",
    "newcombe_difference",
    "proportion_change",
    "volume_change",
    "wilson",
    "z_value",
]


def family_level(confidence: float, size: int) -> float:
    """Per-interval level so that ``size`` intervals hold together with ``confidence``.

    >>> round(family_level(0.95, 6), 5)
    0.99167
    """
    return 1 - (1 - confidence) / max(size, 1)


@dataclass(frozen=True)
class Change:
    """A change and its interval, per segment.

    ``measure`` is ``difference`` (points, for proportions) or ``log_ratio``
    (for volume, flow ratios and deal size). ``estimate``, ``low`` and ``high``
    are NaN where the change is undefined (a stage with no counts), which is
    never significant.
    """

    measure: Literal["difference", "log_ratio"]
    method: str
    estimate: Floats
    low: Floats
    high: Floats

    @property
    def significant(self) -> NDArray[np.bool_]:
        """The interval excludes "no change" (0 on either measure)."""
        with np.errstate(invalid="ignore"):
            return np.asarray((self.low > 0) | (self.high < 0))


def proportion_change(
    k1: ArrayLike,
    n1: ArrayLike,
    k0: ArrayLike,
    n0: ArrayLike,
    *,
    fixed_baseline: bool = False,
    confidence: float = CONFIDENCE,
) -> Change:
    """Change of a true proportion k/n; with ``fixed_baseline`` k0/n0 is a target, not a sample.

    Against a target the interval is the current Wilson interval minus the target.
    """
    if not fixed_baseline:
        d, low, high = newcombe_difference(k1, n1, k0, n0, confidence=confidence)
        return Change("difference", "newcombe", d, low, high)
    k1_, n1_ = as_floats(k1), as_floats(n1)
    with np.errstate(invalid="ignore", divide="ignore"):
        target = as_floats(k0) / as_floats(n0)
        lo, hi = wilson(k1_, n1_, confidence=confidence)
        return Change(
            "difference", "wilson-vs-target", k1_ / n1_ - target, lo - target, hi - target
        )


def _log_ratio_change(
    current: list[Floats], baseline: list[Floats], *, fixed_baseline: bool, confidence: float
) -> tuple[Floats, Floats, Floats]:
    """ln((a1/b1) / (a0/b0)) for counts current=[a1, b1], baseline=[a0, b0] (b optional)."""
    z = z_value(confidence)
    counts = current + ([] if fixed_baseline else baseline)
    zero = np.zeros_like(current[0], dtype=bool)
    for c in counts:
        zero |= c == 0
    adj = np.where(zero, 0.5, 0.0)
    cur = [c + adj for c in current]
    base = [b + (0.0 if fixed_baseline else adj) for b in baseline]

    def ln_ratio(parts: list[Floats]) -> Floats:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(parts[0]) - (np.log(parts[1]) if len(parts) > 1 else 0.0)

    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = ln_ratio(cur) - ln_ratio(base)
        var = sum((1.0 / c for c in (cur + ([] if fixed_baseline else base))), np.zeros_like(adj))
        half = z * np.sqrt(var)
    bad = ~np.isfinite(estimate)
    estimate, half = np.where(bad, np.nan, estimate), np.where(bad, np.nan, half)
    return estimate, estimate - half, estimate + half


def volume_change(
    x1: ArrayLike, x0: ArrayLike, *, fixed_baseline: bool = False, confidence: float = CONFIDENCE
) -> Change:
    """ln(x1 / x0) for two Poisson counts (x0 fixed when it is a commitment)."""
    est, low, high = _log_ratio_change(
        [as_floats(x1)], [as_floats(x0)], fixed_baseline=fixed_baseline, confidence=confidence
    )
    return Change("log_ratio", "poisson-log-ratio", est, low, high)


def flow_ratio_change(
    num1: ArrayLike,
    den1: ArrayLike,
    num0: ArrayLike,
    den0: ArrayLike,
    *,
    fixed_baseline: bool = False,
    confidence: float = CONFIDENCE,
) -> Change:
    """ln((num1/den1) / (num0/den0)) for flow counts treated as Poisson."""
    cur = [as_floats(num1), as_floats(den1)]
    base = [as_floats(num0), as_floats(den0)]
    empty = (cur[1] == 0) & (cur[0] == 0)
    if not fixed_baseline:
        empty |= (base[1] == 0) & (base[0] == 0)
    est, low, high = _log_ratio_change(
        cur, base, fixed_baseline=fixed_baseline, confidence=confidence
    )
    nan = np.full_like(est, np.nan)
    return Change(
        "log_ratio",
        "poisson-log-ratio",
        np.where(empty, nan, est),
        np.where(empty, nan, low),
        np.where(empty, nan, high),
    )


def deal_size_change(
    n1: ArrayLike,
    logs1: ArrayLike,
    log_squares1: ArrayLike,
    n0: ArrayLike,
    logs0: ArrayLike,
    log_squares0: ArrayLike,
    *,
    fixed_baseline: bool = False,
    confidence: float = CONFIDENCE,
) -> Change:
    """Change of the log of a lognormal mean amount (Cox's method), from per-period sums.

    ``n`` counts the amounts, ``logs`` sums ``ln(amount)`` and ``log_squares``
    sums its square. With ``fixed_baseline``, ``logs0`` is the target's
    ``ln(mean)`` and ``n0`` and ``log_squares0`` are ignored.
    """
    z = z_value(confidence)

    def theta_and_var(n: Floats, logs: Floats, squares: Floats) -> tuple[Floats, Floats]:
        with np.errstate(divide="ignore", invalid="ignore"):
            ybar = logs / n
            s2 = np.maximum(squares - n * ybar * ybar, 0.0) / (n - 1)
            var = s2 / n + s2 * s2 / (2 * (n - 1))
            ok = n >= 2
            return np.where(ok, ybar + s2 / 2, np.nan), np.where(ok, var, np.nan)

    t1, v1 = theta_and_var(as_floats(n1), as_floats(logs1), as_floats(log_squares1))
    if fixed_baseline:
        t0, v0 = as_floats(logs0), np.zeros_like(t1)
    else:
        t0, v0 = theta_and_var(as_floats(n0), as_floats(logs0), as_floats(log_squares0))
    with np.errstate(invalid="ignore"):
        estimate = t1 - t0
        half = z * np.sqrt(v1 + v0)
    bad = ~np.isfinite(estimate) | ~np.isfinite(half)
    estimate, half = np.where(bad, np.nan, estimate), np.where(bad, np.nan, half)
    return Change("log_ratio", "cox-lognormal-mean", estimate, estimate - half, estimate + half)


def mix_shift(
    counts1: ArrayLike,
    counts0: ArrayLike,
    *,
    fixed_baseline: bool = False,
    confidence: float = CONFIDENCE,
) -> bool:
    """The split of one stage's count over segments changed beyond normal variation.

    Pearson's chi-square test of homogeneity of the two periods' counts (with
    ``fixed_baseline``, of fit of the current counts to the baseline's shares),
    over the segments with a count in either period.

    >>> mix_shift([50, 50], [48, 52]), mix_shift([90, 10], [50, 50])
    (False, True)
    """
    c1, c0 = as_floats(counts1), as_floats(counts0)
    seen = (c1 > 0) | (c0 > 0)
    c1, c0 = c1[seen], c0[seen]
    n1, n0 = float(c1.sum()), float(c0.sum())
    if c1.size < 2 or n1 <= 0 or n0 <= 0:
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        if fixed_baseline:
            expected = n1 * c0 / n0
            stat = float(np.sum(np.where(expected > 0, (c1 - expected) ** 2 / expected, np.inf)))
        else:
            pooled = (c1 + c0) / (n1 + n0)
            e1, e0 = n1 * pooled, n0 * pooled
            stat = float(np.sum((c1 - e1) ** 2 / e1 + (c0 - e0) ** 2 / e0))
    return bool(chi2.sf(stat, c1.size - 1) < 1 - confidence)
