"""Intervals and tests for proportions, shared by the offer lab and the win-back outcome.

Scalar front ends over `coparent.stats` (which the diagnosis uses on arrays).

- `wilson`: Wilson (1927) score interval for one proportion; good coverage for
  small counts and rates near 0 or 1, where the Wald interval fails.
- `newcombe_difference`: Newcombe's (1998, method 10) hybrid score interval
  for the difference p1 - p2, built from the two Wilson intervals.
- `two_proportion_ztest`: the pooled two-sample z-test of p1 = p2, the test
  statsmodels' ``proportions_ztest`` runs.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. JASA 22(158), 209-212.
Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions: comparison of eleven methods. Statistics in
Medicine 17(8), 873-890.

Examples
--------
>>> lo, hi = wilson(7, 20)
>>> round(lo, 4), round(hi, 4)
(0.1812, 0.5671)
>>> d, lo, hi = newcombe_difference(56, 70, 48, 80)
>>> round(d, 3), round(lo, 4), round(hi, 4)
(0.2, 0.0524, 0.3339)
"""

from __future__ import annotations

import math

from scipy.stats import norm

from coparent import stats

__all__ = ["newcombe_difference", "two_proportion_ztest", "wilson", "z_value"]


def z_value(level: float) -> float:
    """The two-sided normal quantile for a confidence ``level`` (1.96 for 0.95)."""
    return stats.z_value(level)


def wilson(successes: int, trials: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for successes / trials; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    lo, hi = stats.wilson(successes, trials, confidence=level)
    return max(0.0, float(lo[0])), min(1.0, float(hi[0]))


def newcombe_difference(
    k1: int, n1: int, k2: int, n2: int, *, level: float = 0.95
) -> tuple[float, float, float]:
    """p1 - p2 with Newcombe's hybrid score interval (method 10)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one subject")
    d, lower, upper = stats.newcombe_difference(k1, n1, k2, n2, confidence=level)
    return float(d[0]), float(lower[0]), float(upper[0])


def two_proportion_ztest(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Pooled z statistic for p1 - p2 and its two-sided p-value (nan when undefined)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one subject")
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return math.nan, math.nan
    z = (k1 / n1 - k2 / n2) / se
    return z, float(2.0 * norm.sf(abs(z)))
