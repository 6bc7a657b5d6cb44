"""The revenue bridge: a revenue change split exactly into the stages that made it.

Per segment (product or channel), revenue in a period is a product of flow
factors counted in that period (DESIGN.md, "Revenue diagnosis")::

    R = L * (A/L) * (O/A) * (C/O) * (W/C) * (R/W)
        volume, acceptance, conversion, pace, win_rate, deal_size

with L MQLs, A accepted, O opportunities opened, C closed, W won and R won
revenue. Without a leads table the chain starts at opportunities
(``volume = O``, then pace, win_rate, deal_size). The change between two
periods, or the gap to a goal, is split with additive LMDI-I (`_lmdi`): the
effects add up to the change with no residual, per segment and in total.

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
from coparent.metrics.flows import period_flows
from coparent.metrics.periods import Period

__all__ = [
    "DEAL_FACTORS",
    "DEAL_STAGES",
    "LEAD_FACTORS",
    "LEAD_STAGES",
    "Bridge",
    "Factor",
    "Requirement",
    "StageCounts",
    "bridge_flows",
    "goal_counts",
    "revenue_bridge",
    "stage_counts",
    "what_it_would_take",
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
        return LEAD_FACTORS if self.stages == LEAD_STAGES else DEAL_FACTORS

    @property
    def revenue(self) -> Floats:
        return np.asarray(self.values[:, -1], dtype=np.float64)

    def stage(self, name: str) -> Floats:
        return np.asarray(self.values[:, self.stages.index(name)], dtype=np.float64)

    def total(self) -> StageCounts:
        """All segments together (the company)."""
        return StageCounts(("all",), self.stages, self.values.sum(axis=0, keepdims=True))

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


@dataclass(frozen=True)
class Bridge:
    """LMDI-I effects ``effects[s, k]`` of each factor k per segment s."""

    baseline: StageCounts
    current: StageCounts
    effects: Floats

    @property
    def segments(self) -> tuple[str, ...]:
        return self.current.segments

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.current.factors

    @property
    def change(self) -> float:
        return float(self.current.revenue.sum() - self.baseline.revenue.sum())

    def factor_totals(self) -> dict[Factor, float]:
        """Each factor's effect summed over segments."""
        sums = self.effects.sum(axis=0)
        return {f: float(sums[k]) for k, f in enumerate(self.factors)}


def revenue_bridge(baseline: StageCounts, current: StageCounts) -> Bridge:
    """Split the revenue change from ``baseline`` to ``current`` per segment and factor.

    >>> s = ("a",)
    >>> b0 = StageCounts(s, DEAL_STAGES, np.array([[10.0, 8, 4, 4000]]))
    >>> b1 = StageCounts(s, DEAL_STAGES, np.array([[20.0, 10, 4, 6000]]))
    >>> bridge = revenue_bridge(b0, b1)
    >>> {f: round(v, 2) for f, v in bridge.factor_totals().items()}
    {'volume': 3419.02, 'pace': -2318.34, 'win_rate': -1100.68, 'deal_size': 2000.0}
    """
    if baseline.segments != current.segments or baseline.stages != current.stages:
        raise ValueError("baseline and current must have the same segments and stages")
    effects = np.array(
        [lmdi_effects(x0, x1) for x0, x1 in zip(baseline.values, current.values, strict=True)]
    ).reshape(len(current.segments), len(current.stages))
    return Bridge(baseline, current, effects)


def goal_counts(
    baseline: StageCounts, *, revenue: float, volume: float | None = None
) -> StageCounts:
    """The goal vector: revenue ``revenue``, volume ``volume`` (or free), rates from baseline.

    Free factors are the baseline's times one common ratio, chosen so that each
    segment's vector multiplies to its share of the goal.

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
    j = np.arange(m, dtype=np.float64)
    base_volume = float(baseline.values[:, 0].sum())
    if volume is None or base_volume <= 0:
        scale = theta ** ((j + 1) / m)
    else:
        phi = volume / base_volume
        scale = phi * (theta / phi) ** (j / (m - 1))
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
