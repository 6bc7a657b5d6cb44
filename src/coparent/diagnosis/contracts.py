"""The diagnosis report's contract: every field of `build_report`'s JSON, typed.

One source of truth for `coparent.diagnosis.report.build_report`, the service
`coparent.services.diagnosis.diagnosis_report`, the CLI printers and the API,
whose ``response=`` schema (and so the OpenAPI document) pydantic derives from
these classes. docs/diagnosis.md ("The JSON report") explains each field;
tests/api/test_contracts.py checks the demo's real reports against them.

``typing_extensions.TypedDict`` rather than ``typing.TypedDict``: pydantic needs
it on Python 3.11 to build a schema from the class. A key that is not always
there lives in a ``total=False`` subclass (``NotRequired`` is not seen in string
annotations on 3.11, so ``__required_keys__`` would be wrong).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

__all__ = [
    "ChannelSpeedOut",
    "DiagnosisGoal",
    "DiagnosisReport",
    "EffectRow",
    "FactorChange",
    "FactorRow",
    "FindingOut",
    "MixShift",
    "RateGap",
    "RequirementOut",
    "RevenueChange",
    "SegmentCounts",
    "SegmentOut",
    "SegmentRevenue",
    "SpeedToLeadOut",
    "UnclassifiedReason",
    "VerdictOut",
]


class RevenueChange(TypedDict):
    current: float
    baseline: float
    change: float
    change_percent: float | None


class FindingOut(TypedDict):
    kind: Literal["factor", "verdict", "mix"]
    factor: str
    segment: str | None
    amount: float
    significant: bool
    text: str


class _EffectFields(TypedDict):
    segment: str
    factor: str
    """A factor, or ``mix`` (then ``of`` names the factor it belongs to)."""
    category: str | None
    amount: float
    significant: bool


class EffectRow(_EffectFields, total=False):
    of: str
    """On mix rows only."""


class FactorChange(TypedDict):
    measure: str
    method: str
    estimate: float | None
    low: float | None
    high: float | None


class FactorRow(TypedDict):
    factor: str
    baseline: float | None
    current: float | None
    amount: float
    significant: bool
    change: FactorChange


class SegmentRevenue(TypedDict):
    baseline: float
    current: float
    change: float


class SegmentCounts(TypedDict):
    baseline: dict[str, float]
    """Stage -> count (the bridge's stages, then revenue)."""
    current: dict[str, float]


class MixShift(TypedDict):
    category: str
    baseline_count: float
    current_count: float
    baseline_share: float | None
    current_share: float | None
    low: float | None
    high: float | None
    significant: bool
    amount: float
    reasons: list[str]


class _SegmentFields(TypedDict):
    segment: str
    name: str
    revenue: SegmentRevenue
    counts: SegmentCounts
    factors: list[FactorRow]


class SegmentOut(_SegmentFields, total=False):
    loss_mix: list[MixShift]
    """Present when closed deals are split by loss reason."""
    rejection_mix: list[MixShift]
    """Present with leads (rejections split by reason)."""


class VerdictOut(TypedDict):
    segment: str
    name: str
    signal: Literal["product", "process", "volume", "none"]
    evidence: list[str]
    went_well: list[str]


class UnclassifiedReason(TypedDict):
    kind: str
    reason: str | None
    """None for deals or leads with no reason given."""
    count: int


class RateGap(TypedDict):
    on_time_rate: float | None
    late_rate: float | None
    gap: float | None
    low: float | None
    high: float | None
    significant: bool


class ChannelSpeedOut(TypedDict):
    channel: str
    mqls: int
    on_time: int
    late: int
    not_contacted: int
    late_share: float | None
    reference: str
    acceptance: RateGap
    opportunity: RateGap
    extra_accepted: float | None
    extra_opportunities: float | None
    extra_revenue: float | None
    significant: bool
    signal: bool


class SpeedToLeadOut(TypedDict):
    sla_hours: float
    win_rate: float | None
    average_deal: float | None
    channels: list[ChannelSpeedOut]
    all: ChannelSpeedOut
    correlational: bool


class RequirementOut(TypedDict):
    factor: str
    current: float | None
    needed: float | None
    change: float | None
    relative_change: float | None
    feasible: bool


class DiagnosisGoal(TypedDict):
    revenue: float | None
    mqls: float | None
    rates_from: str
    source: str


class DiagnosisReport(TypedDict):
    """`build_report`'s report (docs/diagnosis.md, "The JSON report")."""

    period: str
    baseline: str
    against: Literal["previous", "last-year", "goal"]
    segment_by: Literal["product", "channel"]
    bridge_starts_at: str
    factors: list[str]
    confidence: float
    revenue: RevenueChange
    headline: str
    findings: list[FindingOut]
    effects: list[EffectRow]
    factor_totals: list[FactorRow]
    segments: list[SegmentOut]
    verdicts: list[VerdictOut]
    narrative: str
    notes: list[str]
    unclassified_reasons: list[UnclassifiedReason]
    speed_to_lead: SpeedToLeadOut | None
    what_it_would_take: list[RequirementOut] | None
    goal: DiagnosisGoal | None
    period_complete: bool
