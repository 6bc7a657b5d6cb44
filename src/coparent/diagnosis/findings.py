"""From aggregated tables to findings: effects, intervals and reason shifts per segment.

`analyse` takes the executed aggregates (`bridge.bridge_flows`,
`splits.closed_deals`, `splits.rejections`) as small Arrow tables and returns
`Findings`: per segment, each factor's value in both periods, its LMDI effect
and the interval of its change (`noise`), and for the win rate and acceptance
the shift of each reason category with its part of the effect (`splits`).
Verdicts and the narrative are written from these, so every sentence can cite
a number that is also in the report.

Against a goal the baseline is the goal vector (`bridge.goal_counts`): its
values are targets, not samples, so only the current period's noise counts,
and the goal keeps the baseline period's mix of loss reasons (scaled to the
goal's loss rate) and of rejection reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from coparent.diagnosis import noise
from coparent.diagnosis.bridge import (
    DEAL_STAGES,
    LEAD_STAGES,
    Bridge,
    Factor,
    StageCounts,
    goal_counts,
    revenue_bridge,
    stage_counts,
)
from coparent.diagnosis.splits import ReasonCounts, reason_counts, split_effect
from coparent.diagnosis.taxonomy import CATEGORIES, Category, Taxonomy

__all__ = ["FactorFinding", "Findings", "SegmentFinding", "Shift", "analyse"]

Floats = NDArray[np.float64]
SplitKind = Literal["loss", "rejection"]
SPLIT_FACTOR: dict[SplitKind, Factor] = {"loss": "win_rate", "rejection": "acceptance"}


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


@dataclass(frozen=True)
class FactorFinding:
    """One factor of one segment: its values, effect and the interval of its change."""

    factor: Factor
    baseline: float | None
    current: float | None
    amount: float
    measure: str
    method: str
    estimate: float | None
    low: float | None
    high: float | None
    significant: bool


@dataclass(frozen=True)
class Shift:
    """A reason category's share of losses (or rejections) in both periods, and its part."""

    kind: SplitKind
    category: Category
    baseline_count: float
    current_count: float
    baseline: float | None
    current: float | None
    low: float | None
    high: float | None
    significant: bool
    amount: float
    reasons: tuple[str, ...] = ()
    """The category's most frequent reason texts in the current period."""


@dataclass(frozen=True)
class SegmentFinding:
    segment: str
    name: str
    baseline: Floats
    current: Floats
    factors: dict[Factor, FactorFinding]
    shifts: dict[SplitKind, dict[Category, Shift]] = field(default_factory=dict)
    rest: dict[SplitKind, float] = field(default_factory=dict)

    @property
    def revenue_change(self) -> float:
        return float(self.current[-1] - self.baseline[-1])


@dataclass(frozen=True)
class Findings:
    """Everything the verdicts, the narrative and the report are written from."""

    stages: tuple[str, ...]
    bridge: Bridge
    segments: list[SegmentFinding]
    company: SegmentFinding
    fixed_baseline: bool
    unknown_reasons: list[dict[str, object]]

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.bridge.factors


@dataclass(frozen=True)
class _Reasons:
    baseline: ReasonCounts
    current: ReasonCounts


def _changes(
    base: StageCounts, cur: StageCounts, won: Mapping[str, Floats], *, fixed: bool, conf: float
) -> dict[Factor, noise.Change]:
    """The interval of each factor's change, per segment."""
    x0, x1 = base.values, cur.values
    col = {s: j for j, s in enumerate(base.stages)}
    out: dict[Factor, noise.Change] = {
        "volume": noise.volume_change(x1[:, 0], x0[:, 0], fixed_baseline=fixed, confidence=conf),
        "pace": noise.flow_ratio_change(
            *(x1[:, col["closed"]], x1[:, col["opportunities"]]),
            *(x0[:, col["closed"]], x0[:, col["opportunities"]]),
            fixed_baseline=fixed,
            confidence=conf,
        ),
        "win_rate": noise.proportion_change(
            x1[:, col["won"]],
            x1[:, col["closed"]],
            x0[:, col["won"]],
            x0[:, col["closed"]],
            fixed_baseline=fixed,
            confidence=conf,
        ),
    }
    if fixed:  # the goal's deal size is a target: ln(mean) with no spread
        with np.errstate(divide="ignore", invalid="ignore"):
            target = np.log(x0[:, -1] / x0[:, col["won"]])
        base_stats = (np.ones_like(target), target, np.zeros_like(target))
    else:
        base_stats = (won["n0"], won["log0"], won["sq0"])
    out["deal_size"] = noise.deal_size_change(
        won["n1"], won["log1"], won["sq1"], *base_stats, fixed_baseline=fixed, confidence=conf
    )
    if "mqls" in col:
        lead_ratios: tuple[tuple[Factor, str, str], ...] = (
            ("acceptance", "accepted", "mqls"),
            ("conversion", "opportunities", "accepted"),
        )
        for factor, num, den in lead_ratios:
            out[factor] = noise.flow_ratio_change(
                x1[:, col[num]],
                x1[:, col[den]],
                x0[:, col[num]],
                x0[:, col[den]],
                fixed_baseline=fixed,
                confidence=conf,
            )
    return out


def _won_stats(deals: pa.Table, segments: tuple[str, ...]) -> dict[str, Floats]:
    index = {s: i for i, s in enumerate(segments)}
    out = {k: np.zeros(len(segments)) for k in ("n0", "log0", "sq0", "n1", "log1", "sq1")}
    for row in deals.to_pylist():
        if row["status"] != "won" or row["segment"] not in index:
            continue
        t = "1" if row["period"] == "current" else "0"
        i = index[row["segment"]]
        out["n" + t][i] += row["positive_amounts"]
        out["log" + t][i] += row["log_amount"]
        out["sq" + t][i] += row["log_amount_squares"]
    return out


def _top(counts: Mapping[str, int], n: int = 3) -> tuple[str, ...]:
    return tuple(r for r, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def _shifts(
    kind: SplitKind,
    reasons: _Reasons,
    base: StageCounts,
    cur: StageCounts,
    effect: Floats,
    *,
    observed: StageCounts,
    conf: float,
) -> tuple[list[dict[Category, Shift]], Floats]:
    """Category shares in both periods, their intervals and their parts of the effect.

    ``base`` is what the current period is compared with (the baseline period, or
    the goal vector); ``observed`` is the baseline period, whose reason counts
    ``reasons.baseline`` holds. Against a goal the goal keeps the baseline's mix:
    loss categories scaled to the goal's lost deals, rejection shares per MQL as they were.
    """
    fixed = base is not observed
    den = "closed" if kind == "loss" else "mqls"
    rate_num = "won" if kind == "loss" else "accepted"
    d0, d1 = base.stage(den), cur.stage(den)
    k0, k1 = reasons.baseline.counts.copy(), reasons.current.counts
    with np.errstate(divide="ignore", invalid="ignore"):
        r0, r1 = base.stage(rate_num) / d0, cur.stage(rate_num) / d1
        if fixed and kind == "loss":
            seen = k0.sum(axis=1, keepdims=True)
            lost = np.maximum(d0 - base.stage("won"), 0.0)  # a goal can ask for a 100% win rate
            k0 = np.where(seen > 0, k0 / seen * lost[:, None], 0.0)
        elif fixed:
            scale = d0 / observed.stage(den)
            k0 = np.where(np.isfinite(scale)[:, None], k0 * scale[:, None], 0.0)
        s0, s1 = k0 / d0[:, None], k1 / d1[:, None]
    parts, rest = split_effect(effect, r1 - r0, s1 - s0, complete=kind == "loss")
    out: list[dict[Category, Shift]] = []
    for i in range(len(base.segments)):
        if kind == "loss":
            change = noise.proportion_change(
                k1[i], d1[i], k0[i], d0[i], fixed_baseline=fixed, confidence=conf
            )
        else:
            change = noise.flow_ratio_change(
                k1[i], d1[i], k0[i], d0[i], fixed_baseline=fixed, confidence=conf
            )
        sig = change.significant
        out.append(
            {
                c: Shift(
                    kind,
                    c,
                    float(k0[i, j]),
                    float(k1[i, j]),
                    _num(s0[i, j]),
                    _num(s1[i, j]),
                    _num(change.low[j]),
                    _num(change.high[j]),
                    bool(sig[j]),
                    float(parts[i, j]),
                    _top(reasons.current.reasons.get((i, j), {})),
                )
                for j, c in enumerate(CATEGORIES)
            }
        )
    return out, rest


def _segment(
    i: int, names: Mapping[str, str], bridge: Bridge, changes: Mapping[Factor, noise.Change]
) -> SegmentFinding:
    v0, v1 = bridge.baseline.factor_values(), bridge.current.factor_values()
    factors: dict[Factor, FactorFinding] = {}
    for k, f in enumerate(bridge.factors):
        ch = changes[f]
        effect = float(bridge.effects[i, k])
        # A change is named only when its interval excludes 0 on the side of its effect.
        agrees = (effect > 0 and ch.low[i] > 0) or (effect < 0 and ch.high[i] < 0)
        factors[f] = FactorFinding(
            f,
            _num(v0[i, k]),
            _num(v1[i, k]),
            effect,
            ch.measure,
            ch.method,
            _num(ch.estimate[i]),
            _num(ch.low[i]),
            _num(ch.high[i]),
            bool(ch.significant[i] and agrees),
        )
    segment = bridge.segments[i]
    return SegmentFinding(
        segment,
        names.get(segment, segment),
        bridge.baseline.values[i],
        bridge.current.values[i],
        factors,
    )


def analyse(
    *,
    flows: pa.Table,
    deals: pa.Table,
    rejections: pa.Table | None,
    with_leads: bool,
    loss_taxonomy: Taxonomy,
    rejection_taxonomy: Taxonomy,
    names: Mapping[str, str] | None = None,
    goal_revenue: float | None = None,
    goal_volume: float | None = None,
    confidence: float = noise.CONFIDENCE,
) -> Findings:
    """Findings for ``current`` against ``baseline`` (the period labels in the tables).

    With ``goal_revenue`` the baseline period only supplies the rates of the
    goal vector. Segments with no count in either period are left out.
    Intervals hold together per segment with ``confidence`` (`noise.family_level`).
    """
    stages = LEAD_STAGES if with_leads else DEAL_STAGES
    rows = flows.to_pylist()
    segments = tuple(sorted({r["segment"] for r in rows if any((r[s] or 0) > 0 for s in stages)}))
    x0 = stage_counts(flows, period="baseline", stages=stages, segments=segments)
    x1 = stage_counts(flows, period="current", stages=stages, segments=segments)
    fixed = goal_revenue is not None
    base = x0 if goal_revenue is None else goal_counts(x0, revenue=goal_revenue, volume=goal_volume)
    bridge = revenue_bridge(base, x1)
    won = _won_stats(deals, segments)
    factor_level = noise.family_level(confidence, len(stages))
    share_level = noise.family_level(confidence, len(CATEGORIES))
    changes = _changes(base, x1, won, fixed=fixed, conf=factor_level)
    found = [_segment(i, names or {}, bridge, changes) for i in range(len(segments))]

    unknown: dict[tuple[str, str | None], int] = {}
    splits: list[tuple[SplitKind, pa.Table, Taxonomy, str, str, dict[str, str] | None]] = [
        ("loss", deals, loss_taxonomy, "loss_reason", "deals", {"status": "lost"})
    ]
    if with_leads and rejections is not None:
        splits.append(
            ("rejection", rejections, rejection_taxonomy, "rejection_reason", "leads", None)
        )
    for kind, table, taxonomy, reason_col, count_col, where in splits:
        counted = _Reasons(
            *(
                reason_counts(
                    table,
                    period=p,
                    segments=segments,
                    reason_col=reason_col,
                    count_col=count_col,
                    taxonomy=taxonomy,
                    where=where,
                )
                for p in ("baseline", "current")
            )
        )
        for rc in (counted.baseline, counted.current):
            for reason, n in rc.unknown.items():
                unknown[(kind, reason)] = unknown.get((kind, reason), 0) + n
        k = bridge.factors.index(SPLIT_FACTOR[kind])
        shifts, rest = _shifts(
            kind, counted, base, x1, bridge.effects[:, k], observed=x0, conf=share_level
        )
        for seg, shift, r in zip(found, shifts, rest, strict=True):
            seg.shifts[kind] = shift
            seg.rest[kind] = float(r)

    total_bridge = Bridge(base.total(), x1.total(), bridge.effects.sum(axis=0, keepdims=True))
    won_total = {k: v.sum(keepdims=True) for k, v in won.items()}
    total_changes = _changes(base.total(), x1.total(), won_total, fixed=fixed, conf=factor_level)
    company = _segment(0, {"all": "all"}, total_bridge, total_changes)
    unknown_list: list[dict[str, object]] = [
        {"kind": kind, "reason": reason, "count": n}
        for (kind, reason), n in sorted(unknown.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]
    return Findings(stages, bridge, found, company, fixed, unknown_list)
