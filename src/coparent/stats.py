"""Score intervals for proportions, vectorised: one implementation for every layer.

The diagnosis tests many segments at once (arrays); the offer lab and the
win-back outcome test one pair of groups (scalars, see
`coparent.models.proportions`). Both call these.

- `wilson`: Wilson (1927) score interval for one proportion; good coverage for
  small counts and rates near 0 or 1, where the Wald interval fails.
- `newcombe_difference`: Newcombe's (1998, method 10) hybrid score interval
  for the difference p1 - p0, built from the two Wilson intervals.

Undefined values (a group with no trials) are NaN, never an error, so one
empty segment does not stop the others.

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
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.1812, 0.5671)
>>> d, lo, hi = newcombe_difference(56, 70, 48, 80)
>>> round(float(d[0]), 3), round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.2, 0.0524, 0.3339)
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CONFIDENCE", "Floats", "as_floats", "newcombe_difference", "wilson", "z_value"]

Floats = NDArray[np.float64]

CONFIDENCE = 0.95


def z_value(confidence: float = CONFIDENCE) -> float:
    """Two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError("the confidence level must be between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def as_floats(x: ArrayLike) -> Floats:
    """``x`` as a 1-d float64 array (a scalar becomes one element)."""
    return np.atleast_1d(np.asarray(x, dtype=np.float64))


def wilson(k: ArrayLike, n: ArrayLike, *, confidence: float = CONFIDENCE) -> tuple[Floats, Floats]:
    """Wilson score interval for k successes in n trials (NaN where n = 0)."""
    k_, n_ = as_floats(k), as_floats(n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_ / n_
        centre = (p + z * z / (2 * n_)) / (1 + z * z / n_)
        half = z / (1 + z * z / n_) * np.sqrt(p * (1 - p) / n_ + z * z / (4 * n_ * n_))
    return centre - half, centre + half


def newcombe_difference(
    k1: ArrayLike, n1: ArrayLike, k0: ArrayLike, n0: ArrayLike, *, confidence: float = CONFIDENCE
) -> tuple[Floats, Floats, Floats]:
    """p1 - p0 with Newcombe's hybrid score interval (method 10); NaN where an n is 0."""
    k1_, n1_, k0_, n0_ = as_floats(k1), as_floats(n1), as_floats(k0), as_floats(n0)
    l1, u1 = wilson(k1_, n1_, confidence=confidence)
    l0, u0 = wilson(k0_, n0_, confidence=confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p0 = k1_ / n1_, k0_ / n0_
        d = p1 - p0
        low = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, low, high
