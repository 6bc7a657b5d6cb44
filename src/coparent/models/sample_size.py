"""Sample size per variant for a two-proportion test: how long an offer test must run.

    n = (z_{1-alpha/2} sqrt(2 pbar (1 - pbar))
         + z_{1-beta} sqrt(p1 (1 - p1) + p2 (1 - p2)))^2 / delta^2

with p1 the baseline rate, p2 = p1 + delta and pbar their mean: the normal
approximation without continuity correction (Fleiss, Levin & Paik 2003,
eq. 4.14), for the pooled z-test that `coparent.models.abtest` runs.

References
----------
Fleiss, J. L., Levin, B., & Paik, M. C. (2003). Statistical Methods for Rates
and Proportions, 3rd ed. Wiley, section 4.2.

Examples
--------
>>> sample_size_per_variant(baseline=0.10, mde=0.02)
3841
"""

from __future__ import annotations

import math

from scipy.stats import norm

__all__ = ["sample_size_per_variant"]


def sample_size_per_variant(
    *,
    baseline: float,
    mde: float,
    power: float = 0.8,
    alpha: float = 0.05,
    two_sided: bool = True,
) -> int:
    """Subjects per variant to detect an absolute change ``mde`` from ``baseline`` (a rate).

    `ValueError` for rates outside (0, 1), a zero change, or power/alpha outside (0, 1);
    the service turns those into user-facing errors.
    """
    p1, p2 = baseline, baseline + mde
    if not (0.0 < p1 < 1.0 and 0.0 < p2 < 1.0):
        raise ValueError("baseline and baseline + mde must both be rates between 0 and 1")
    if mde == 0.0:
        raise ValueError("mde must not be zero")
    if not (0.0 < power < 1.0 and 0.0 < alpha < 1.0):
        raise ValueError("power and alpha must be between 0 and 1")
    z_a = float(norm.ppf(1.0 - alpha / 2.0 if two_sided else 1.0 - alpha))
    z_b = float(norm.ppf(power))
    pbar = (p1 + p2) / 2.0
    root = z_a * math.sqrt(2.0 * pbar * (1.0 - pbar)) + z_b * math.sqrt(
        p1 * (1.0 - p1) + p2 * (1.0 - p2)
    )
    return math.ceil(root * root / (mde * mde))
