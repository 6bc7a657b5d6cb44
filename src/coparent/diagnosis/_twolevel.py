"""Company-level LMDI effects, split exactly into segment intensity and mix (two-level LMDI).

Summing each segment's own LMDI effects does not give the company's bridge:
the sum weights each segment's rates by its revenue, while the company's rates
count every deal once, so a shift between segments leaks into every factor and
the "company" result depends on how the company is sliced. Here the company's
effects come from its own totals, E_k = Lm(R1, R0) * ln(F_k1 / F_k0), and the
segments only split them (Xu & Ang 2014).

For a ratio factor k (stage X_k over X_{k-1}) the company value is a
share-weighted sum over segments s, F_k = sum_s sigma_ks * f_ks, with
sigma_ks = X_{k-1,s} / X_{k-1} and f_ks = X_ks / X_{k-1,s}. With
g_ks = sigma_ks * f_ks = X_ks / X_{k-1}, and C_k = Lm(R1, R0) / Lm(F_k1, F_k0)::

    E_k = sum_s C_k * (g_ks1 - g_ks0)                                  (the segment's term)
    C_k * (g_ks1 - g_ks0) = C_k * Lm(g_ks1, g_ks0) * [ln(f_ks1/f_ks0) + ln(sigma_ks1/sigma_ks0)]
                                                      intensity          mix

Volume (F_0 = X_0 = sum_s X_{0,s}) splits the same way with g_0s = X_{0,s} and
has no mix. The segment's term is finite whenever the company's denominator
is positive in both periods, zeros included, so the terms always add up to
E_k; only the split of a term into intensity and mix needs a rule when the
segment has a zero, and it is the limit of the small-value strategy of
Ang & Liu (2007) as delta -> 0:

- the segment's own ratio f_ks is defined in both periods (X_{k-1,s} > 0):
  positive in both, the formula above; 0 in one (the rate fell to or rose
  from nothing), the whole term is intensity (the mix part vanishes in the
  limit, as Lm(g, delta) -> 0); 0 in both, the term is 0;
- otherwise (the segment has no X_{k-1,s} in a period: it appears,
  disappears, or its stage k is a flow with nothing before it, such as deals
  without a lead), its own ratio takes the other period's value or none, so
  it shows no change: the whole term is mix.

The company's own zeros are handled by `_lmdi` on the totals (the chain has
no gaps: `bridge.revenue_bridge` leaves out stages with none). When revenue
is 0 in one period, the stages after the first zero are 0/0 for the company:
their effects are 0 and the rounding left on them moves to the factor that
went to zero, which takes the whole change as in Ang & Liu.

References
----------
Xu, X. Y., & Ang, B. W. (2014). Multilevel index decomposition analysis:
approaches and application. Energy Economics 44, 375-382.
Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean
Divisia index decomposition approach. Energy Policy 35(1), 238-246.

Examples
--------
Segment "a" wins half its leads and "b" a tenth, in both periods; "a" triples
its leads. The company's win rate rises from 30% to 40% only through mix:

>>> x0 = np.array([[10.0, 5, 500], [10, 1, 100]])    # leads, won, revenue
>>> x1 = np.array([[30.0, 15, 1500], [10, 1, 100]])
>>> e = company_effects(x0.sum(axis=0), x1.sum(axis=0))
>>> intensity, mix = segment_split(x0, x1, e)
>>> [round(float(v), 2) for v in e], [round(float(v), 2) + 0.0 for v in intensity[:, 1]]
([706.7, 293.3, 0.0], [0.0, 0.0])
>>> [round(float(v), 2) for v in mix[:, 1]], round(float(mix[:, 1].sum()), 2)
([366.63, -73.33], 293.3)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coparent.diagnosis._lmdi import DELTA, effective_counts, lmdi_effects, logmean

__all__ = ["company_effects", "company_totals", "segment_split"]

Floats = NDArray[np.float64]


def company_totals(values: Floats) -> Floats:
    """Column sums of segment counts, exactly rounded (`math.fsum`), so any partition agrees."""
    return np.array([math.fsum(col) for col in np.asarray(values, np.float64).T])


def _first_zero(totals: Floats) -> int:
    """Index of the first zero stage (the chain has no gaps, so all later stages are 0)."""
    zeros = np.flatnonzero(totals == 0)
    return int(zeros[0]) if zeros.size else totals.size


def company_effects(t0: Floats, t1: Floats, *, delta: float = DELTA) -> Floats:
    """LMDI-I effects of the company's totals; 0/0 factors get exactly 0."""
    effects = lmdi_effects(t0, t1, delta=delta)
    for t in (t0, t1):
        start = _first_zero(np.asarray(t, np.float64))
        if start < effects.size - 1 and effects.any():
            effects[start] += effects[start + 1 :].sum()
            effects[start + 1 :] = 0.0
    return effects


def _coefficients(t0: Floats, t1: Floats, effects: Floats, delta: float) -> Floats:
    """C_k, so that segment terms C_k * (g_ks1 - g_ks0) add up to E_k; 0 where undefined."""
    pair = effective_counts(t0, t1, delta=delta)
    m = t0.size
    out = np.zeros(m)
    if pair is None:
        return out
    weight = float(logmean(pair[1][-1], pair[0][-1]))
    for k in range(m):
        if k > 0 and (t0[k - 1] <= 0 or t1[k - 1] <= 0):
            continue  # 0/0 for the company in a period: E_k is 0 and so are its terms
        f0 = t0[k] / t0[k - 1] if k else t0[0]
        f1 = t1[k] / t1[k - 1] if k else t1[0]
        if f0 > 0 and f1 > 0:
            out[k] = weight / float(logmean(f1, f0))
        elif f0 != f1:  # the factor that went to (or came from) zero: its stand-in effect
            out[k] = effects[k] / (f1 - f0)
    return out


def segment_split(
    x0: Floats, x1: Floats, effects: Floats, *, delta: float = DELTA
) -> tuple[Floats, Floats]:
    """Intensity and mix parts ``[s, k]`` of the company effects ``effects[k]``.

    ``x0`` and ``x1`` are stage counts per segment (revenue last); the mix of
    volume is 0. For each k, ``intensity[:, k].sum() + mix[:, k].sum()``
    equals ``effects[k]`` up to floating point.
    """
    x0, x1 = np.asarray(x0, np.float64), np.asarray(x1, np.float64)
    t0, t1 = company_totals(x0), company_totals(x1)
    coef = _coefficients(t0, t1, effects, delta)
    n, m = x0.shape
    intensity, mix = np.zeros((n, m)), np.zeros((n, m))
    intensity[:, 0] = coef[0] * (x1[:, 0] - x0[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(1, m):
            if coef[k] == 0:
                continue
            a0, a1, b0, b1 = x0[:, k - 1], x1[:, k - 1], x0[:, k], x1[:, k]
            g0, g1 = b0 / t0[k - 1], b1 / t1[k - 1]
            term = coef[k] * (g1 - g0)
            own = (a0 > 0) & (a1 > 0)
            regular = own & (b0 > 0) & (b1 > 0)
            weight = np.where(regular, coef[k] * logmean(g1, g0), 0.0)
            log_f = np.log(b1) - np.log(a1) - np.log(b0) + np.log(a0)
            log_sigma = np.log(a1) - np.log(t1[k - 1]) - np.log(a0) + np.log(t0[k - 1])
            intensity[:, k] = np.where(regular, weight * log_f, np.where(own, term, 0.0))
            mix[:, k] = np.where(regular, weight * log_sigma, np.where(own, 0.0, term))
    return intensity, mix
