"""From aggregated tables to findings: effects, intervals and reason shifts per segment.

`analyse` takes the executed aggregates (`bridge.bridge_flows`,
`splits.closed_deals`, `splits.rejections`) as small Arrow tables and returns
`Findings`: the company's own effect of each factor (the same however the
company is sliced) with the interval of its change on the company's totals;
per segment, its intensity and mix parts of those effects, and its own
one-level effects with their intervals (`noise`); for the win rate and
acceptance, the shift of each reason category with its part of the effect
(`splits`). Verdicts, the ranked findings and the narrative are written from
these, so every sentence can cite a number that is also in the report.

No data is not zero. A stage with no information is left out of the chain
(`bridge.without_gaps`), and so is deal size when it carries none (every won
deal has the same amount, or none has one), each with a note; with no
revenue in either period, changes are judged on their own intervals, since
there is no revenue effect whose side they could agree with.

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

from coparent.diagnosis import _format as fmt
from coparent.diagnosis import noise
from coparent.diagnosis.bridge import (
    DEAL_STAGES,
    LEAD_STAGES,
    STAGE_FACTORS,
    Bridge,
    Factor,
    StageCounts,
    goal_counts,
    revenue_bridge,
    stage_counts,
    without_gaps,
)
from coparent.diagnosis.splits import ReasonCounts, reason_counts, split_effect
from coparent.diagnosis.taxonomy import CATEGORIES, Category, Taxonomy

__all__ = [
    "MIX_FLOOR",
    "NOTABLE_MIX",
    "FactorFinding",
    "Findings",
    "MixFinding",
    "Part",
    "SegmentFinding",
    "Shift",
    "analyse",
]

Floats = NDArray[np.float64]
SplitKind = Literal["loss", "rejection"]
SPLIT_FACTOR: dict[SplitKind, Factor] = {"loss": "win_rate", "rejection": "acceptance"}
NOTABLE_MIX = 0.25
"""A factor's mix is notable from this share of the factor's company-level effect ..."""
MIX_FLOOR = 0.01
"""... and this share of the larger revenue, so noise-sized shifts are never named."""


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
class Part:
    """A segment's intensity or mix part of a company-level effect, and whether it is named."""

    amount: float
    significant: bool


@dataclass(frozen=True)
class SegmentFinding:
    """One segment: its own one-level factors, and its parts of the company's effects.

    ``factors`` (one-level) and ``shifts`` (their category parts) are what the
    verdicts read; ``intensity`` and ``mix`` split the company-level effects,
    and ``intensity_parts`` / ``intensity_rest`` split the intensity of the win
    rate and acceptance by reason category the same way `shifts` split ``factors``.
    """

    segment: str
    name: str
    baseline: Floats
    current: Floats
    factors: dict[Factor, FactorFinding]
    shifts: dict[SplitKind, dict[Category, Shift]] = field(default_factory=dict)
    rest: dict[SplitKind, float] = field(default_factory=dict)
    intensity: dict[Factor, Part] = field(default_factory=dict)
    mix: dict[Factor, Part] = field(default_factory=dict)
    intensity_parts: dict[SplitKind, dict[Category, float]] = field(default_factory=dict)
    intensity_rest: dict[SplitKind, float] = field(default_factory=dict)

    @property
    def revenue_change(self) -> float:
        return float(self.current[-1] - self.baseline[-1])


@dataclass(frozen=True)
class MixFinding:
    """The mix parts of one company-level factor, summed over segments.

    ``significant`` when the split of the stage before over segments changed
    beyond normal variation (`noise.mix_shift`) and the amount is notable
    (`NOTABLE_MIX`, `MIX_FLOOR`): a real shift between segments whose rates
    hardly differ moves little money, and is not named.
    """

    factor: Factor
    amount: float
    significant: bool


@dataclass(frozen=True)
class Findings:
    """Everything the verdicts, the narrative and the report are written from."""

    stages: tuple[str, ...]
    bridge: Bridge
    segments: list[SegmentFinding]
    company: SegmentFinding
    fixed_baseline: bool
    unknown_reasons: list[dict[str, object]]
    mix: dict[Factor, MixFinding] = field(default_factory=dict)
    left_out: tuple[Factor, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def factors(self) -> tuple[Factor, ...]:
        """The factors reported (the bridge's, without those left out for lack of data)."""
        return tuple(f for f in self.bridge.factors if f not in self.left_out)

    @property
    def no_revenue(self) -> bool:
        """No revenue in either period: nothing to split, every effect is 0."""
        return bool(self.company.baseline[-1] == 0 and self.company.current[-1] == 0)


@dataclass(frozen=True)
class _Reasons:
    baseline: ReasonCounts
    current: ReasonCounts


def _changes(
    base: StageCounts, cur: StageCounts, won: Mapping[str, Floats], *, fixed: bool, conf: float
) -> dict[Factor, noise.Change]:
    """The interval of each factor's change, per segment (any chain, see `without_gaps`)."""
    x0, x1 = base.values, cur.values
    out: dict[Factor, noise.Change] = {
        "volume": noise.volume_change(x1[:, 0], x0[:, 0], fixed_baseline=fixed, confidence=conf)
    }
    for j in range(1, len(base.stages)):
        factor = STAGE_FACTORS[base.stages[j]]
        num1, den1, num0, den0 = x1[:, j], x1[:, j - 1], x0[:, j], x0[:, j - 1]
        if factor == "deal_size":
            if fixed:  # the goal's deal size is a target: ln(mean) with no spread
                with np.errstate(divide="ignore", invalid="ignore"):
                    target = np.log(num0 / den0)
                base_stats = (np.ones_like(target), target, np.zeros_like(target))
            else:
                base_stats = (won["n0"], won["log0"], won["sq0"])
            out[factor] = noise.deal_size_change(
                won["n1"], won["log1"], won["sq1"], *base_stats, fixed_baseline=fixed,
                confidence=conf,
            )  # fmt: skip
        elif factor == "win_rate" and base.stages[j - 1] == "closed":
            out[factor] = noise.proportion_change(
                num1, den1, num0, den0, fixed_baseline=fixed, confidence=conf
            )
        else:
            out[factor] = noise.flow_ratio_change(
                num1, den1, num0, den0, fixed_baseline=fixed, confidence=conf
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
    intensity: Floats,
    observed: StageCounts,
    conf: float,
) -> tuple[list[dict[Category, Shift]], Floats, Floats, Floats]:
    """Category shares in both periods, their intervals and their parts of the effect.

    The segment's one-level ``effect`` and its ``intensity`` part of the company's
    effect are split by the same rule (`splits.split_effect`); both are returned
    with their uncategorised rest.

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
        d_rate, d_shares = r1 - r0, s1 - s0
    parts, rest = split_effect(effect, d_rate, d_shares, complete=kind == "loss")
    i_parts, i_rest = split_effect(intensity, d_rate, d_shares, complete=kind == "loss")
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
    return out, rest, i_parts, i_rest


def _named(amount: float, low: float, high: float, *, no_revenue: bool) -> bool:
    """A change is named only when its interval excludes 0 on the side of its amount.

    With no revenue in either period every amount is 0, so the change is judged
    on its interval alone (more MQLs are more MQLs, whatever revenue did).
    """
    with np.errstate(invalid="ignore"):
        if no_revenue:
            return bool(low > 0 or high < 0)
        return bool((amount > 0 and low > 0) or (amount < 0 and high < 0))


def _segment(
    i: int,
    names: Mapping[str, str],
    bridge: Bridge,
    changes: Mapping[Factor, noise.Change],
    *,
    effects: Floats,
    factors: tuple[Factor, ...],
    no_revenue: bool,
) -> SegmentFinding:
    """Row ``i`` of ``bridge`` with its ``effects`` (one-level, or the company's)."""
    v0, v1 = bridge.baseline.factor_values(), bridge.current.factor_values()
    found: dict[Factor, FactorFinding] = {}
    for k, f in enumerate(bridge.factors):
        if f not in factors:
            continue
        ch = changes[f]
        effect = float(effects[k])
        found[f] = FactorFinding(
            f,
            _num(v0[i, k]),
            _num(v1[i, k]),
            effect,
            ch.measure,
            ch.method,
            _num(ch.estimate[i]),
            _num(ch.low[i]),
            _num(ch.high[i]),
            _named(effect, ch.low[i], ch.high[i], no_revenue=no_revenue),
        )
    segment = bridge.segments[i]
    return SegmentFinding(
        segment,
        names.get(segment, segment),
        bridge.baseline.values[i],
        bridge.current.values[i],
        found,
    )


def _parts(
    bridge: Bridge,
    changes: Mapping[Factor, noise.Change],
    *,
    factors: tuple[Factor, ...],
    fixed: bool,
    conf: float,
    no_revenue: bool,
) -> tuple[list[dict[Factor, Part]], list[dict[Factor, Part]]]:
    """Each segment's intensity and mix parts of the company's effects, with their tests.

    Intensity is named like the segment's own change (its interval, on the side
    of the part); mix like the change of the segment's share of the stage before
    (Newcombe, one family over the segments).
    """
    x0, x1 = bridge.baseline.values, bridge.current.values
    t0, t1 = bridge.baseline.total().values[0], bridge.current.total().values[0]
    n = len(bridge.segments)
    share_level = noise.family_level(conf, n)
    intensity: list[dict[Factor, Part]] = [{} for _ in range(n)]
    mix: list[dict[Factor, Part]] = [{} for _ in range(n)]
    for k, f in enumerate(bridge.factors):
        if f not in factors:
            continue
        ch = changes[f]
        for i in range(n):
            amount = float(bridge.intensity[i, k])
            intensity[i][f] = Part(
                amount, _named(amount, ch.low[i], ch.high[i], no_revenue=no_revenue)
            )
        if k == 0:
            continue
        share = noise.proportion_change(
            x1[:, k - 1],
            np.full(n, t1[k - 1]),
            x0[:, k - 1],
            np.full(n, t0[k - 1]),
            fixed_baseline=fixed,
            confidence=share_level,
        )
        for i in range(n):
            amount = float(bridge.mix[i, k])
            named = _named(amount, share.low[i], share.high[i], no_revenue=no_revenue)
            mix[i][f] = Part(amount, named and amount != 0)
    return intensity, mix


def _deal_size_note(x0: StageCounts, x1: StageCounts, won: Mapping[str, Floats]) -> str | None:
    """Why deal size carries no information, or None when it does.

    No revenue in either period (no won deal, or none with an amount), or every
    won deal of both periods has the same amount (a placeholder such as 1).
    """
    if "won" not in x0.stages:
        return None
    w = [float(x.total().stage("won")[0]) for x in (x0, x1)]
    r = [float(x.total().revenue[0]) for x in (x0, x1)]
    if r[0] == 0 and r[1] == 0:
        if w[0] + w[1] == 0:
            return "No deal was won in either period, so there is no revenue change to split."
        return (
            "No won deal has an amount, so revenue is 0 in both periods and there is no "
            "revenue change to split; each stage's change is still tested against normal "
            "variation."
        )
    n = [float(won["n" + t].sum()) for t in "01"]
    if any(n[t] != w[t] or n[t] == 0 for t in (0, 1)):
        return None  # some won deal has no amount: the amounts are not all the same
    means = [float(won["log" + t].sum()) / n[i] for i, t in enumerate("01")]
    spread = [float(won["sq" + t].sum()) / n[i] - means[i] ** 2 for i, t in enumerate("01")]
    tol = 1e-9 * max(1.0, *(abs(v) for v in means))
    if abs(means[0] - means[1]) > tol or max(abs(v) for v in spread) > tol:
        return None
    amount = f"{r[1] / w[1]:,.2f}".removesuffix(".00")
    return (
        f"Every won deal has the same amount ({amount}) in both periods, so the average won "
        "deal carries no information and is left out of the bridge; revenue moves with the "
        "number of deals won."
    )


_STAGE_WORDS = {
    "mqls": ("MQLs", "MQL"),
    "accepted": ("accepted leads", "accepted lead"),
    "opportunities": ("opportunities opened", "opportunity opened"),
    "closed": ("deals closed", "deal closed"),
    "won": ("deals won", "deal won"),
}
"""How a note names a stage: plural, singular."""


def _gap_notes(
    full: tuple[StageCounts, StageCounts], kept: tuple[str, ...], dropped: tuple[str, ...]
) -> list[str]:
    """One note per stage left out of the chain, saying what the next factor now counts."""
    notes = []
    stages = full[0].stages
    for stage in dropped:
        j = stages.index(stage)
        zero = [float(x.total().stage(stage)[0]) == 0 for x in full]
        when = "either period" if all(zero) else "one of the two periods"
        after = next(s for s in stages[j + 1 :] if s in kept)
        before = [s for s in stages[:j] if s in kept]
        opening = f"No {_STAGE_WORDS[stage][0]} are counted in {when} while later stages have some"
        if not before:
            notes.append(
                f"{opening}, so the bridge starts at {_STAGE_WORDS.get(after, (after,))[0]}: "
                "volume counts them."
            )
            continue
        what = fmt.FACTOR_NAMES[STAGE_FACTORS[stage]].split(" (")[0]
        then = fmt.FACTOR_NAMES[STAGE_FACTORS[after]].split(" (")[0]
        notes.append(
            f"{opening}, so {what} carries no information: it is left out of the bridge, and "
            f"{then} counts {_STAGE_WORDS.get(after, (after,))[0]} per "
            f"{_STAGE_WORDS[before[-1]][1]}."
        )
    return notes


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
    chain = LEAD_STAGES if with_leads else DEAL_STAGES
    rows = flows.to_pylist()
    segments = tuple(sorted({r["segment"] for r in rows if any((r[s] or 0) > 0 for s in chain)}))
    full = tuple(
        stage_counts(flows, period=p, stages=chain, segments=segments)
        for p in ("baseline", "current")
    )
    x0, x1, dropped = without_gaps(*full)
    stages = x0.stages
    notes = _gap_notes((full[0], full[1]), stages, dropped)
    won = _won_stats(deals, segments)
    deal_size = _deal_size_note(x0, x1, won)
    left_out: tuple[Factor, ...] = ("deal_size",) if deal_size is not None else ()
    if deal_size is not None:
        notes.append(deal_size)
    fixed = goal_revenue is not None
    if goal_revenue is None:
        base = x0
    else:
        volume = goal_volume if stages[0] == "mqls" else None
        base = goal_counts(
            x0, revenue=goal_revenue, volume=volume, keep_deal_size=deal_size is not None
        )
    bridge = revenue_bridge(base, x1)
    factors = tuple(f for f in bridge.factors if f not in left_out)
    no_revenue = bool(base.total().revenue[0] == 0 and x1.total().revenue[0] == 0)
    factor_level = noise.family_level(confidence, len(stages))
    share_level = noise.family_level(confidence, len(CATEGORIES))
    changes = _changes(base, x1, won, fixed=fixed, conf=factor_level)
    found = [
        _segment(
            i,
            names or {},
            bridge,
            changes,
            effects=bridge.effects[i],
            factors=factors,
            no_revenue=no_revenue,
        )
        for i in range(len(segments))
    ]
    intensity, mix = _parts(
        bridge, changes, factors=factors, fixed=fixed, conf=confidence, no_revenue=no_revenue
    )
    for seg, seg_intensity, seg_mix in zip(found, intensity, mix, strict=True):
        seg.intensity.update(seg_intensity)
        seg.mix.update(seg_mix)

    unknown: dict[tuple[str, str | None], int] = {}
    splits: list[tuple[SplitKind, pa.Table, Taxonomy, str, str, dict[str, str] | None]] = [
        ("loss", deals, loss_taxonomy, "loss_reason", "deals", {"status": "lost"})
    ]
    if "acceptance" in factors and rejections is not None:
        splits.append(
            ("rejection", rejections, rejection_taxonomy, "rejection_reason", "leads", None)
        )
    for kind, table, taxonomy, reason_col, count_col, where in splits:
        if SPLIT_FACTOR[kind] not in factors:
            continue
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
        shifts, rest, i_parts, i_rest = _shifts(
            kind,
            counted,
            base,
            x1,
            bridge.effects[:, k],
            intensity=bridge.intensity[:, k],
            observed=x0,
            conf=share_level,
        )
        for i, seg in enumerate(found):
            seg.shifts[kind] = shifts[i]
            seg.rest[kind] = float(rest[i])
            seg.intensity_parts[kind] = {c: float(i_parts[i, j]) for j, c in enumerate(CATEGORIES)}
            seg.intensity_rest[kind] = float(i_rest[i])

    total = Bridge(
        base.total(),
        x1.total(),
        bridge.company[None, :],
        bridge.company,
        bridge.company[None, :],
        np.zeros((1, len(stages))),
        dropped,
    )
    won_total = {k: v.sum(keepdims=True) for k, v in won.items()}
    total_changes = _changes(base.total(), x1.total(), won_total, fixed=fixed, conf=factor_level)
    company = _segment(
        0,
        {"all": "all"},
        total,
        total_changes,
        effects=bridge.company,
        factors=factors,
        no_revenue=no_revenue,
    )
    mix_level = noise.family_level(confidence, max(len(stages) - 1, 1))
    scale = max(float(base.total().revenue[0]), float(x1.total().revenue[0]))
    company_mix: dict[Factor, MixFinding] = {}
    for k, f in enumerate(bridge.factors):
        if k == 0 or f not in factors:
            continue
        amount = float(bridge.mix[:, k].sum())
        shifted = noise.mix_shift(
            x1.values[:, k - 1], base.values[:, k - 1], fixed_baseline=fixed, confidence=mix_level
        )
        floor = max(NOTABLE_MIX * abs(float(bridge.company[k])), MIX_FLOOR * scale)
        notable = amount != 0 and abs(amount) >= floor
        company_mix[f] = MixFinding(f, amount, shifted and notable)
    unknown_list: list[dict[str, object]] = [
        {"kind": kind, "reason": reason, "count": n}
        for (kind, reason), n in sorted(unknown.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]
    return Findings(
        stages,
        bridge,
        found,
        company,
        fixed,
        unknown_list,
        company_mix,
        left_out,
        tuple(notes),
    )
