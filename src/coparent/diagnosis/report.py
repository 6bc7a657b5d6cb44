"""The diagnosis as one JSON-ready dict, from the executed aggregates.

`build_report` is the pure core of ``coparent diagnose``: it receives the small
Arrow tables the engine aggregated (`bridge.bridge_flows`,
`splits.closed_deals`, `splits.rejections`, `speed.contact_cohorts`) and
returns the report; `coparent.services.diagnosis` decides the periods, builds
and executes the expressions, and calls it. The fields are documented in
docs/diagnosis.md ("The JSON report").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import pyarrow as pa

from coparent.diagnosis import noise
from coparent.diagnosis.bridge import what_it_would_take
from coparent.diagnosis.contracts import DiagnosisReport
from coparent.diagnosis.findings import (
    FactorFinding,
    Findings,
    SegmentFinding,
    SplitKind,
    analyse,
)
from coparent.diagnosis.narrative import Context, headline, narrative
from coparent.diagnosis.ranked import rank
from coparent.diagnosis.speed import speed_to_lead
from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
from coparent.diagnosis.verdict import GOAL_LABEL, Verdict, segment_verdict

__all__ = ["ReportInputs", "build_report"]

Against = Literal["previous", "last-year", "goal"]
VOLUME_UNITS = {
    "mqls": "MQLs",
    "accepted": "accepted leads",
    "opportunities": "opportunities opened",
}
"""What volume counts, by the stage the bridge starts at."""


@dataclass(frozen=True)
class ReportInputs:
    """Executed aggregates and the choices that produced them."""

    period: str
    baseline: str
    against: Against
    segment_by: Literal["product", "channel"]
    period_kind: str
    flows: pa.Table
    deals: pa.Table
    rejections: pa.Table | None = None
    cohorts: pa.Table | None = None
    with_leads: bool = True
    names: Mapping[str, str] = field(default_factory=dict)
    loss_taxonomy: Taxonomy = field(default_factory=Taxonomy.for_losses)
    rejection_taxonomy: Taxonomy = field(default_factory=Taxonomy.for_rejections)
    sla_hours: float = 24.0
    goal_revenue: float | None = None
    goal_volume: float | None = None
    confidence: float = noise.CONFIDENCE
    notes: Sequence[str] = ()
    period_complete: bool = True
    """False when the data end inside the period (it is diagnosed to date)."""
    goal_source: str = "settings_file"
    """Where the goal came from (`coparent.settings.load_settings_sourced`)."""


def _clean(x: object) -> object:
    """NaN and infinities to None, recursively: JSON has no NaN."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _factor_dict(f: FactorFinding) -> dict[str, object]:
    return {
        "factor": f.factor,
        "baseline": f.baseline,
        "current": f.current,
        "amount": f.amount,
        "significant": f.significant,
        "change": {
            "measure": f.measure,
            "method": f.method,
            "estimate": f.estimate,
            "low": f.low,
            "high": f.high,
        },
    }


def _effect_rows(seg: SegmentFinding) -> list[dict[str, object]]:
    """The segment's parts of the company-level effects, as rows.

    Intensity rows carry the factor (split by reason category for the win rate
    and acceptance, as the segment's own effects are); mix rows have factor
    ``mix`` and name the factor they belong to in ``of``. Over all segments the
    rows of a factor add up to its company-level effect, and all rows to the change.
    """
    rows: list[dict[str, object]] = []
    split: dict[str, SplitKind] = {"win_rate": "loss", "acceptance": "rejection"}
    for factor, part in seg.intensity.items():
        kind = split.get(factor)
        parts = seg.intensity_parts.get(kind) if kind else None
        if kind is None or parts is None:
            rows.append(_row(seg, factor, None, part.amount, part.significant))
        else:
            shifts = seg.shifts[kind]
            for c in CATEGORIES:
                s = shifts[c]
                if parts[c] != 0 or s.baseline_count > 0 or s.current_count > 0:
                    rows.append(_row(seg, factor, c, parts[c], s.significant))
            rest = seg.intensity_rest.get(kind, 0.0)
            if rest != 0 or not any(r["factor"] == factor for r in rows):
                rows.append(_row(seg, factor, None, rest, part.significant))
        mix = seg.mix.get(factor)
        if mix is not None:
            rows.append(
                {
                    "segment": seg.segment,
                    "factor": "mix",
                    "of": factor,
                    "category": None,
                    "amount": mix.amount,
                    "significant": mix.significant,
                }
            )
    return rows


def _row(
    seg: SegmentFinding, factor: str, category: str | None, amount: float, significant: bool
) -> dict[str, object]:
    return {
        "segment": seg.segment,
        "factor": factor,
        "category": category,
        "amount": amount,
        "significant": significant,
    }


def _segment_dict(seg: SegmentFinding, stages: Sequence[str]) -> dict[str, object]:
    mixes = {
        f"{kind}_mix": [
            {
                "category": s.category,
                "baseline_count": s.baseline_count,
                "current_count": s.current_count,
                "baseline_share": s.baseline,
                "current_share": s.current,
                "low": s.low,
                "high": s.high,
                "significant": s.significant,
                "amount": s.amount,
                "reasons": list(s.reasons),
            }
            for s in shifts.values()
        ]
        for kind, shifts in seg.shifts.items()
    }
    return {
        "segment": seg.segment,
        "name": seg.name,
        "revenue": {
            "baseline": float(seg.baseline[-1]),
            "current": float(seg.current[-1]),
            "change": seg.revenue_change,
        },
        "counts": {
            "baseline": dict(zip(stages, map(float, seg.baseline), strict=True)),
            "current": dict(zip(stages, map(float, seg.current), strict=True)),
        },
        "factors": [_factor_dict(f) for f in seg.factors.values()],
        **mixes,
    }


def _company_rates(findings: Findings) -> tuple[float | None, float | None]:
    c, values = findings.company.factors, findings.bridge.current.total().factor_values()[0]
    deal = values[findings.bridge.factors.index("deal_size")] if "won" in findings.stages else None
    return c["win_rate"].current if "win_rate" in c else None, _finite(deal)


def build_report(inputs: ReportInputs) -> DiagnosisReport:
    """The diagnosis report (see docs/diagnosis.md for every field)."""
    findings = analyse(
        flows=inputs.flows,
        deals=inputs.deals,
        rejections=inputs.rejections,
        with_leads=inputs.with_leads,
        loss_taxonomy=inputs.loss_taxonomy,
        rejection_taxonomy=inputs.rejection_taxonomy,
        names=inputs.names,
        goal_revenue=inputs.goal_revenue,
        goal_volume=inputs.goal_volume,
        confidence=inputs.confidence,
    )
    win_rate, deal = _company_rates(findings)
    speed = (
        speed_to_lead(
            inputs.cohorts,
            sla_hours=inputs.sla_hours,
            win_rate=win_rate,
            deal_size=deal,
            confidence=inputs.confidence,
        )
        if inputs.cohorts is not None
        else None
    )
    by_channel = speed is not None and inputs.segment_by == "channel"
    volume_unit = VOLUME_UNITS.get(findings.stages[0], findings.stages[0])
    baseline_label = GOAL_LABEL if inputs.against == "goal" else inputs.baseline
    verdicts: list[Verdict] = [
        segment_verdict(
            seg,
            stages=findings.stages,
            baseline_label=baseline_label,
            volume_unit=volume_unit,
            speed=speed.channel(seg.segment) if speed is not None and by_channel else None,
            sla_hours=inputs.sla_hours,
        )
        for seg in findings.segments
    ]
    ctx = Context(
        period=inputs.period,
        baseline=baseline_label,
        against=inputs.against,
        segment_by=inputs.segment_by,
        period_kind=inputs.period_kind,
        volume_unit=volume_unit,
        sla_hours=inputs.sla_hours,
        goal_revenue=inputs.goal_revenue,
    )
    wiwt = (
        [
            r
            for r in what_it_would_take(findings.bridge.current, goal_revenue=inputs.goal_revenue)
            if r.factor in findings.factors
        ]
        if inputs.goal_revenue is not None
        else None
    )
    ranked = rank(
        findings,
        verdicts,
        segment_by=inputs.segment_by,
        volume_unit=volume_unit,
        period_kind=inputs.period_kind,
        against_goal=inputs.against == "goal",
    )
    r0 = float(findings.company.baseline[-1])
    r1 = float(findings.company.current[-1])
    report: dict[str, object] = {
        "period": inputs.period,
        "baseline": "goal" if inputs.against == "goal" else inputs.baseline,
        "against": inputs.against,
        "segment_by": inputs.segment_by,
        "bridge_starts_at": findings.stages[0],
        "factors": list(findings.factors),
        "confidence": inputs.confidence,
        "revenue": {
            "current": r1,
            "baseline": r0,
            "change": r1 - r0,
            "change_percent": (r1 - r0) / r0 if r0 > 0 else None,
        },
        "headline": headline(findings, ranked, ctx),
        "findings": [f.to_dict() for f in ranked],
        "effects": [row for seg in findings.segments for row in _effect_rows(seg)],
        "factor_totals": [_factor_dict(f) for f in findings.company.factors.values()],
        "segments": [_segment_dict(seg, findings.stages) for seg in findings.segments],
        "verdicts": [v.to_dict() for v in verdicts],
        "narrative": narrative(
            findings, verdicts, ranked, ctx, speed=speed, what_it_would_take=wiwt
        ),
        "notes": [*inputs.notes, *findings.notes],
        "unclassified_reasons": findings.unknown_reasons,
        "speed_to_lead": speed.to_dict() if speed is not None else None,
        "what_it_would_take": [r.to_dict() for r in wiwt] if wiwt is not None else None,
        "goal": (
            {
                "revenue": inputs.goal_revenue,
                "mqls": inputs.goal_volume,
                "rates_from": inputs.baseline,
                "source": inputs.goal_source,
            }
            if inputs.against == "goal"
            else None
        ),
        "period_complete": inputs.period_complete,
    }
    cleaned = _clean(report)
    assert isinstance(cleaned, dict)
    return cast(DiagnosisReport, cleaned)
