"""The revenue bridge: a revenue change split exactly into the stages that made it.

Per segment (product or channel), revenue in a period is a product of flow
factors counted in that period (DESIGN.md, "Revenue diagnosis")::

    R = L * (A/L) * (O/A) * (C/O) * (W/C) * (R/W)
        volume, acceptance, conversion, pace, win_rate, deal_size

with L MQLs, A accepted, O opportunities opened, C closed, W won and R won
revenue. Without a leads table the chain starts at opportunities
(``volume = O``, then pace, win_rate, deal_size). The change between two
periods, or the gap to a goal, is split with additive LMDI-I (`_lmdi`): the
effects add up to the change with no residual.

Company level first, segments second (`_twolevel`): the company's effects
come from its own totals, so they do not depend on how it is sliced, and the
segments split each of them exactly into **intensity** (the segment's own
ratio moved) and **mix** (its share of the stage before moved). Each
segment's own one-level effects are kept beside them (`Bridge.effects`).

A stage with no information is left out of the chain (`without_gaps`): a
company-wide count of 0 in a period whose later stages are positive (no lead
accepted, yet opportunities opened) makes the ratios around it 0 and
infinity, so nothing could be said about either. Its factor merges into the
next one (conversion then counts opportunities per MQL), and the bridge stays
exact.

Against a goal the baseline is a *goal vector* per segment: the goal fixes
revenue (split over segments by the baseline period's revenue), the MQL
commitment fixes volume (split by the baseline's MQLs), and the factors left
free keep the baseline period's values, each scaled by the same ratio so the
vector multiplies to the goal. That common ratio asks every free stage for the
same relative improvement, so no single stage is singled out by construction.
`what_it_would_take` then answers the practical question: for each factor
alone, the value that would close the gap.

Input (``bridge_flows``): canonical ``opportunities`` and optionally ``leads``.
Output: `flow_counts` for each named period, stacked, with a ``period`` column.

References
----------
Ang, B. W. (2004). Decomposition analysis for policymaking in energy: which is
the preferred method? Energy Policy 32(9), 1131-1139.
Xu, X. Y., & Ang, B. W. (2014). Multilevel index decomposition analysis:
approaches and application. Energy Economics 44, 375-382.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
from ibis.expr import types as ir
from numpy.typing import NDArray

from coparent.diagnosis._lmdi import lmdi_effects
from coparent.diagnosis._segments import SegmentBy
from coparent.diagnosis._twolevel import company_effects, company_totals, segment_split
from coparent.metrics.flows import period_flows
from coparent.metrics.periods import Period

__all__ = [
    "DEAL_FACTORS",
    "DEAL_STAGES",
    "LEAD_FACTORS",
    "LEAD_STAGES",
    "STAGE_FACTORS",
    "Bridge",
    "Factor",
    "Requirement",
    "StageCounts",
    "bridge_flows",
    "goal_counts",
    "revenue_bridge",
    "stage_counts",
    "what_it_would_take",
    "without_gaps",
]

Floats = NDArray[np.float64]
Factor = Literal["volume", "acceptance", "conversion", "pace", "win_rate", "deal_size"]

LEAD_STAGES = ("mqls", "accepted", "opportunities", "closed", "won", "revenue")
LEAD_FACTORS: tuple[Factor, ...] = (
    "volume",
    "acceptance",
    "conversion",
    "pace",
    "win_rate",
    "deal_size",
)
DEAL_STAGES = ("opportunities", "closed", "won", "revenue")
DEAL_FACTORS: tuple[Factor, ...] = ("volume", "pace", "win_rate", "deal_size")
STAGE_FACTORS: dict[str, Factor] = {
    "mqls": "volume",
    "accepted": "acceptance",
    "opportunities": "conversion",
    "closed": "pace",
    "won": "win_rate",
    "revenue": "deal_size",
}
"""The factor each stage ends (its count over the stage before); the first stage is volume."""


def bridge_flows(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None,
    periods: Mapping[str, Period],
    by: SegmentBy = "product_id",
) -> ir.Table:
    """`flow_counts` of every period in ``periods``, stacked with a ``period`` column.

    One query that reads each table once, however many periods (`period_flows`).
    """
    windows = {name: (p.start_at, p.end_at) for name, p in periods.items()}
    flows = period_flows(opportunities, leads=leads, windows=windows, by=by)
    return flows.order_by(["period", "segment"])


@dataclass(frozen=True)
class StageCounts:
    """Stage counts per segment for one period: ``values[s, j]``, revenue last."""

    segments: tuple[str, ...]
    stages: tuple[str, ...]
    values: Floats

    @property
    def factors(self) -> tuple[Factor, ...]:
        return ("volume", *(STAGE_FACTORS[s] for s in self.stages[1:]))

    @property
    def revenue(self) -> Floats:
        return np.asarray(self.values[:, -1], dtype=np.float64)

    def stage(self, name: str) -> Floats:
        return np.asarray(self.values[:, self.stages.index(name)], dtype=np.float64)

    def total(self) -> StageCounts:
        """All segments together (the company), summed exactly so any partition agrees."""
        return StageCounts(("all",), self.stages, company_totals(self.values)[None, :])

    def select(self, stages: Sequence[str]) -> StageCounts:
        """The same counts on a shorter chain."""
        cols = [self.stages.index(s) for s in stages]
        return StageCounts(self.segments, tuple(stages), self.values[:, cols])

    def factor_values(self) -> Floats:
        """The factors per segment; NaN where a ratio's denominator is 0."""
        x = self.values
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(x[:, :-1] > 0, x[:, 1:] / x[:, :-1], np.nan)
        return np.concatenate([x[:, :1], ratios], axis=1)


def stage_counts(
    flows: pa.Table, *, period: str, stages: Sequence[str], segments: Sequence[str]
) -> StageCounts:
    """Read one period of executed `bridge_flows` into `StageCounts`, zero where absent."""
    rows = {r["segment"]: r for r in flows.to_pylist() if r["period"] == period}
    values = np.zeros((len(segments), len(stages)))
    for i, segment in enumerate(segments):
        row = rows.get(segment)
        if row is not None:
            values[i] = [float(row[s] or 0) for s in stages]
    return StageCounts(tuple(segments), tuple(stages), values)


def without_gaps(
    baseline: StageCounts, current: StageCounts
) -> tuple[StageCounts, StageCounts, tuple[str, ...]]:
    """Both periods without the stages that carry no information, and the stages left out.

    A stage is left out when the company's count is 0 in a period where a later
    stage is positive (see the module docstring). Revenue is never left out.

    >>> s = ("a",)
    >>> b0 = StageCounts(s, LEAD_STAGES, np.array([[100.0, 0, 20, 18, 6, 6000]]))
    >>> b1 = StageCounts(s, LEAD_STAGES, np.array([[120.0, 0, 30, 25, 9, 9000]]))
    >>> x0, x1, dropped = without_gaps(b0, b1)
    >>> dropped, x0.factors
    (('accepted',), ('volume', 'conversion', 'pace', 'win_rate', 'deal_size'))
    """
    gaps: set[int] = set()
    for counts in (baseline, current):
        totals = company_totals(counts.values)
        later = np.cumsum(totals[::-1] > 0)[::-1]  # positive stages from j on
        for j in range(len(counts.stages) - 1):
            if totals[j] == 0 and later[j + 1] > 0:
                gaps.add(j)
    if not gaps:
        return baseline, current, ()
    keep = [s for j, s in enumerate(baseline.stages) if j not in gaps]
    dropped = tuple(s for j, s in enumerate(baseline.stages) if j in gaps)
    return baseline.select(keep), current.select(keep), dropped


@dataclass(frozen=True)
class Bridge:
    """The revenue change split by factor: company level, and per segment.

    ``company[k]`` is the company-level effect of factor k; ``intensity[s, k]``
    and ``mix[s, k]`` split it over segments (they add up to it); ``effects[s, k]``
    are each segment's own one-level effects (they add up to the segment's
    revenue change). ``dropped`` names the stages left out (`without_gaps`).
    """

    baseline: StageCounts
    current: StageCounts
    effects: Floats
    company: Floats
    intensity: Floats
    mix: Floats
    dropped: tuple[str, ...] = ()

    @property
    def segments(self) -> tuple[str, ...]:
        return self.current.segments

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.current.factors

    @property
    def change(self) -> float:
        return float(self.current.total().revenue[0] - self.baseline.total().revenue[0])

    def factor_totals(self) -> dict[Factor, float]:
        """Each factor's company-level effect (the same however the company is sliced)."""
        return {f: float(self.company[k]) for k, f in enumerate(self.factors)}

    def segment_sums(self) -> dict[Factor, float]:
        """Each factor's one-level segment effects summed (depends on the slicing)."""
        sums = self.effects.sum(axis=0)
        return {f: float(sums[k]) for k, f in enumerate(self.factors)}


def revenue_bridge(baseline: StageCounts, current: StageCounts) -> Bridge:
    """Split the revenue change from ``baseline`` to ``current``: company, segments, both.

    Stages with no information are left out first (`without_gaps`).

    >>> s = ("a",)
    >>> b0 = StageCounts(s, DEAL_STAGES, np.array([[10.0, 8, 4, 4000]]))
    >>> b1 = StageCounts(s, DEAL_STAGES, np.array([[20.0, 10, 4, 6000]]))
    >>> bridge = revenue_bridge(b0, b1)
    >>> {f: round(v, 2) for f, v in bridge.factor_totals().items()}
    {'volume': 3419.02, 'pace': -2318.34, 'win_rate': -1100.68, 'deal_size': 2000.0}
    """
    if baseline.segments != current.segments or baseline.stages != current.stages:
        raise ValueError("baseline and current must have the same segments and stages")
    baseline, current, dropped = without_gaps(baseline, current)
    effects = np.array(
        [lmdi_effects(x0, x1) for x0, x1 in zip(baseline.values, current.values, strict=True)]
    ).reshape(len(current.segments), len(current.stages))
    company = company_effects(baseline.total().values[0], current.total().values[0])
    intensity, mix = segment_split(baseline.values, current.values, company)
    return Bridge(baseline, current, effects, company, intensity, mix, dropped)


def goal_counts(
    baseline: StageCounts,
    *,
    revenue: float,
    volume: float | None = None,
    keep_deal_size: bool = False,
) -> StageCounts:
    """The goal vector: revenue ``revenue``, volume ``volume`` (or free), rates from baseline.

    Free factors are the baseline's times one common ratio, chosen so that each
    segment's vector multiplies to its share of the goal. With
    ``keep_deal_size`` the deal size is not free: it keeps the baseline's value
    (used when it carries no information, e.g. every deal has the same amount).

    >>> b = StageCounts(("a", "b"), DEAL_STAGES, np.array([[10.0, 8, 4, 4000], [5, 5, 5, 1000]]))
    >>> g = goal_counts(b, revenue=10000.0)
    >>> g.revenue.tolist(), round(float(g.factor_values()[0, 2] / b.factor_values()[0, 2]), 4)
    ([8000.0, 2000.0], 1.1892)
    """
    total = float(baseline.revenue.sum())
    if total <= 0:
        raise ValueError("the baseline has no revenue to scale a goal from")
    theta = revenue / total
    m = len(baseline.stages)
    n = m - 1 if keep_deal_size and m > 1 else m  # the stages whose factors are scaled
    j = np.minimum(np.arange(m, dtype=np.float64), n - 1)
    base_volume = float(baseline.values[:, 0].sum())
    if volume is None or base_volume <= 0 or n < 2:
        scale = theta ** ((j + 1) / n)
    else:
        phi = volume / base_volume
        scale = phi * (theta / phi) ** (j / (n - 1))
    return StageCounts(baseline.segments, baseline.stages, baseline.values * scale[None, :])


@dataclass(frozen=True)
class Requirement:
    """What one factor alone would need to be to close the gap to the goal."""

    factor: Factor
    current: float | None
    needed: float | None
    change: float | None
    relative_change: float | None
    feasible: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def what_it_would_take(current: StageCounts, *, goal_revenue: float) -> list[Requirement]:
    """For each factor alone (company level), the value that closes the gap to the goal.

    Revenue is a product of the factors, so any one factor must grow by the
    same proportion, goal / actual; what differs is what that means in each
    stage's own units (MQLs, points of win rate, average deal). A win rate
    above 100% is marked not feasible.

    >>> now = StageCounts(("a",), DEAL_STAGES, np.array([[100.0, 80, 20, 50000]]))
    >>> [(r.factor, round(r.needed, 3)) for r in what_it_would_take(now, goal_revenue=60000.0)]
    [('volume', 120.0), ('pace', 0.96), ('win_rate', 0.3), ('deal_size', 3000.0)]
    """
    total = current.total()
    values = total.factor_values()[0]
    actual = float(total.revenue[0])
    ratio = goal_revenue / actual if actual > 0 else float("nan")
    rows: list[Requirement] = []
    for k, factor in enumerate(total.factors):
        value = float(values[k])
        known = bool(np.isfinite(value) and np.isfinite(ratio))
        needed = value * ratio if known else None
        rows.append(
            Requirement(
                factor=factor,
                current=value if np.isfinite(value) else None,
                needed=needed,
                change=None if needed is None else needed - value,
                relative_change=ratio - 1 if np.isfinite(ratio) else None,
                feasible=needed is not None and not (factor == "win_rate" and needed > 1),
            )
        )
    return rows
