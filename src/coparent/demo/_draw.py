"""Vectorised random draws the generator repeats: categories with per-group odds, delays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from coparent.demo._calendar import Floats, Ints


def categorical(
    rng: np.random.Generator, weights: npt.ArrayLike, groups: Ints | None = None, size: int = 0
) -> Ints:
    """One category index per draw.

    ``weights`` is one vector of weights (``size`` draws) or a table with one
    row per group, ``groups`` naming each draw's row. Loops over groups, not rows.
    """
    table = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    cdf = np.cumsum(table, axis=1)
    cdf /= cdf[:, -1:]
    n = size if groups is None else groups.size
    u = rng.random(n)
    last = table.shape[1] - 1
    if groups is None:
        first: Ints = np.minimum(np.searchsorted(cdf[0], u, side="right"), last).astype(np.int64)
        return first
    out = np.zeros(n, dtype=np.int64)
    for g in range(table.shape[0]):
        rows = np.flatnonzero(groups == g)
        out[rows] = np.minimum(np.searchsorted(cdf[g], u[rows], side="right"), last)
    return out


def delay(
    rng: np.random.Generator, median: Floats | float, sigma: Floats | float, n: int
) -> Floats:
    """Lognormal delays with the given median(s) and log-scale spread(s)."""
    return np.asarray(np.exp(np.log(median) + np.asarray(sigma) * rng.standard_normal(n)))
