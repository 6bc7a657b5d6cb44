"""Additive LMDI-I on a chain of stage counts, with zeros handled.

A segment's revenue is the last of a chain of stage counts X_0 ... X_m
(MQLs, accepted, opportunities, closed, won, revenue), so it is the product of
the factors f_0 = X_0 and f_j = X_j / X_{j-1}. Additive LMDI-I (Ang 2004)
splits a change R1 - R0 into effect_j = Lm(R1, R0) * ln(f_j1 / f_j0), with
Lm(a, b) = (a - b) / (ln a - ln b) and Lm(a, a) = a; the effects add up to the
change because the logs of the factors add up to the log of revenue.

Zeros break the logs. Three cases, each turned into positive stand-in counts
before the factors are formed, so the product rule (and with it the exact sum)
holds in every case:

1. **Zero with a later stage positive** (possible because stages are counted
   as flows: no opportunity opened this quarter, yet one from last quarter
   closed). The two ratios around the zero are 0 and infinity; their product
   is finite but the split between them is not defined. The count is imputed
   from the next stage at the other period's ratio, so that later ratio shows
   no change and the earlier one carries the combined change.
2. **Zero and every later stage zero** (revenue zero: a segment that appears,
   disappears, or stopped at a stage). The first zero factor is replaced by
   ``delta`` times its value in the other period (the small-value strategy of
   Ang & Liu 2007, made unit-free), and the ratios after it, 0/0 in this
   period, take their values from the other period, so they show no change.
   Ang & Liu show the effects converge as delta goes to 0, to the whole change
   on the factor that went to zero; with delta = 1e-20 the other factors keep
   a share of about their log-change divided by ln(1/delta) = 46.
3. **Revenue zero in both periods**: no change, every effect is exactly 0.

References
----------
Ang, B. W. (2004). Decomposition analysis for policymaking in energy: which is
the preferred method? Energy Policy 32(9), 1131-1139.
Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean
Divisia index decomposition approach. Energy Policy 35(1), 238-246.

Examples
--------
>>> round(float(logmean(6000.0, 4000.0)), 2)
4932.61
>>> effects = lmdi_effects([10, 8, 4, 4000.0], [20, 10, 4, 6000.0])
>>> [round(float(e), 2) for e in effects], round(float(effects.sum()), 6)
([3419.02, -2318.34, -1100.68, 2000.0], 2000.0)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DELTA", "effective_counts", "factors", "lmdi_effects", "logmean"]

Floats = NDArray[np.float64]
_TINY = float(np.finfo(np.float64).tiny)

DELTA = 1e-20
"""Stand-in for a zero factor, relative to its value in the other period (Ang & Liu 2007)."""


def logmean(a: ArrayLike, b: ArrayLike) -> Floats:
    """Logarithmic mean of positive numbers, accurate when a and b are close."""
    a_, b_ = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    hi, lo = np.maximum(a_, b_), np.minimum(a_, b_)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = (hi - lo) / lo
        log_ratio = np.where(rel < 1.0, np.log1p(np.minimum(rel, 1.0)), np.log(hi) - np.log(lo))
        out = np.where(hi == lo, hi, (hi - lo) / log_ratio)
    return np.asarray(out, dtype=np.float64)


def factors(counts: ArrayLike) -> Floats:
    """f_0 = X_0, f_j = X_j / X_{j-1} for positive counts."""
    x = np.asarray(counts, np.float64)
    return np.concatenate([x[:1], x[1:] / x[:-1]])


def _raw_ratios(x: Floats) -> Floats:
    """Each stage's ratio to the one before where both are positive, else NaN."""
    out = np.full(x.size, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (x[1:] > 0) & (x[:-1] > 0)
        out[1:] = np.where(ok, x[1:] / x[:-1], np.nan)
    out[0] = x[0] if x[0] > 0 else np.nan
    return out


def _fill_gaps(x: Floats, other_ratios: Floats) -> Floats:
    """Case 1: a zero below the last positive count, imputed from the next stage."""
    y = x.copy()
    positive = np.flatnonzero(x > 0)
    if positive.size == 0:
        return y
    for j in range(int(positive[-1]) - 1, -1, -1):
        if y[j] == 0:
            ref = other_ratios[j + 1]
            y[j] = y[j + 1] / (ref if np.isfinite(ref) else 1.0)
    return y


def effective_counts(
    x0: ArrayLike, x1: ArrayLike, *, delta: float = DELTA
) -> tuple[Floats, Floats] | None:
    """Positive stand-ins for two periods' stage counts; None when revenue is 0 in both."""
    raw = [np.asarray(x0, np.float64).copy(), np.asarray(x1, np.float64).copy()]
    if raw[0].shape != raw[1].shape or raw[0].ndim != 1:
        raise ValueError("x0 and x1 must be 1-d arrays of the same length")
    if (raw[0] < 0).any() or (raw[1] < 0).any():
        raise ValueError("stage counts must not be negative")
    if raw[0][-1] == 0 and raw[1][-1] == 0:
        return None
    ratios = [_raw_ratios(raw[0]), _raw_ratios(raw[1])]
    y = [_fill_gaps(raw[0], ratios[1]), _fill_gaps(raw[1], ratios[0])]
    for t in (0, 1):
        if y[t][-1] > 0:
            continue
        # Case 2: revenue is zero in t (and positive in the other period, complete after gaps).
        f_other = factors(y[1 - t])
        positive = np.flatnonzero(y[t] > 0)
        start = int(positive[-1]) + 1 if positive.size else 0
        for j in range(start, y[t].size):
            ratio = f_other[j] * (delta if j == start else 1.0)
            value = ratio if j == 0 else y[t][j - 1] * ratio
            y[t][j] = max(value, _TINY)  # never underflow to 0, whatever the scale
    return y[0], y[1]


def lmdi_effects(x0: ArrayLike, x1: ArrayLike, *, delta: float = DELTA) -> Floats:
    """Additive LMDI-I effects of each factor of a stage chain, from period 0 to period 1.

    ``x0`` and ``x1`` are the stage counts (revenue last) of one segment. The
    effects sum to ``x1[-1] - x0[-1]`` up to floating point (and, when one
    revenue is 0, up to delta times the other revenue).
    """
    pair = effective_counts(x0, x1, delta=delta)
    if pair is None:
        return np.zeros(np.asarray(x0).size)
    y0, y1 = pair
    weight = logmean(y1[-1], y0[-1])
    return np.asarray(weight * (_log_factors(y1) - _log_factors(y0)), dtype=np.float64)


def _log_factors(y: Floats) -> Floats:
    """ln f_j from the logs of the counts, so no ratio can overflow."""
    logs = np.log(y)
    return np.concatenate([logs[:1], np.diff(logs)])
