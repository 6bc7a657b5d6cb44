"""The win-back holdout: who is not contacted, and what the outreach achieved.

**Assignment.** A frozen list of n ranked customers holds out
``k = round(n * share)`` of them (at least one when share > 0 and n >= 2, and
never all): the ranks are cut into k consecutive blocks of near-equal size
(``numpy.array_split``) and one customer per block, drawn with
``numpy.random.default_rng(seed)``, is held out. Blocking by rank keeps the
holdout's value at stake like the contacted group's (a plain random draw can
hold out the top accounts by chance); the seed makes it reproducible.

**Outcome.** A customer is reactivated when it orders after the list's as-of
date. The effect of the outreach is the difference in reactivation rates,
contacted minus holdout, with Newcombe's hybrid score interval; an interval
that contains 0 is within normal variation.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions. Statistics in Medicine 17(8), 873-890.
Kohavi, R., Tang, D., & Xu, Y. (2020). Trustworthy Online Controlled
Experiments, ch. 2 and 17 (holdouts, intervals).

Examples
--------
>>> assign_holdout(20, share=0.1, seed=7).nonzero()[0].tolist()
[9, 16]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from coparent.models.proportions import newcombe_difference, wilson

__all__ = ["GroupOutcome", "ReactivationOutcome", "assign_holdout", "holdout_size", "reactivation"]


def holdout_size(n: int, share: float) -> int:
    """How many of n customers the holdout takes."""
    if not 0.0 <= share < 1.0:
        raise ValueError("the holdout share must be at least 0 and below 1")
    if n < 2 or share == 0.0:
        return 0
    return min(max(round(n * share), 1), n - 1)


def assign_holdout(n: int, *, share: float, seed: int) -> npt.NDArray[np.bool_]:
    """Boolean mask over rank positions 0..n-1: True = held out (not contacted)."""
    k = holdout_size(n, share)
    held = np.zeros(n, dtype=np.bool_)
    if k == 0:
        return held
    rng = np.random.default_rng(seed)
    for block in np.array_split(np.arange(n), k):
        held[block[rng.integers(block.size)]] = True
    return held


@dataclass(frozen=True)
class GroupOutcome:
    n: int
    reactivated: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ReactivationOutcome:
    contacted: GroupOutcome
    holdout: GroupOutcome
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    level: float
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def verdict(self, *, window_days: int) -> str:
        """The outcome in words, after ``window_days`` days of orders."""
        if window_days <= 0:
            return "too early: there are no orders after the list's as-of date yet"
        if self.difference is None or self.ci_low is None or self.ci_high is None:
            return "no holdout on this list, so the outreach cannot be compared with doing nothing"
        pts = f"{self.difference * 100:+.1f} points"
        ci = f"{self.level:.0%} interval {self.ci_low * 100:+.1f} to {self.ci_high * 100:+.1f}"
        if self.ci_low > 0:
            return (
                f"the outreach won accounts back: {self.contacted.rate:.0%} of contacted "
                f"accounts ordered again against {self.holdout.rate:.0%} of the holdout "
                f"({pts}, {ci})"
            )
        if self.ci_high < 0:
            return (
                f"contacted accounts came back less often than held-out ones ({pts}, {ci}): "
                "review how they were approached"
            )
        return (
            f"no clear difference yet, within normal variation ({pts}, {ci}) after "
            f"{window_days} days; a larger list or a longer wait narrows the interval"
        )


def _group(k: int, n: int, level: float) -> GroupOutcome:
    if n == 0:
        return GroupOutcome(0, 0, None, None, None)
    lo, hi = wilson(k, n, level=level)
    return GroupOutcome(n, k, k / n, lo, hi)


def reactivation(
    *, contacted: tuple[int, int], holdout: tuple[int, int], level: float = 0.95
) -> ReactivationOutcome:
    """Reactivation rates (reactivated, n) per group and their difference, contacted - holdout.

    >>> o = reactivation(contacted=(30, 90), holdout=(1, 10))
    >>> round(o.difference, 3), o.significant
    (0.233, False)
    """
    (kc, nc), (kh, nh) = contacted, holdout
    if not (0 <= kc <= nc and 0 <= kh <= nh):
        raise ValueError("reactivated counts must lie between 0 and the group size")
    if nc == 0 or nh == 0:
        return ReactivationOutcome(
            _group(kc, nc, level), _group(kh, nh, level), None, None, None, level, False
        )
    d, lo, hi = newcombe_difference(kc, nc, kh, nh, level=level)
    return ReactivationOutcome(
        _group(kc, nc, level), _group(kh, nh, level), d, lo, hi, level, lo > 0 or hi < 0
    )
