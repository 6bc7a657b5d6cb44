"""One verdict per segment: a product, process or volume signal, or none, with evidence.

Only changes outside normal variation (`noise`) count. The rules, in the
words of docs/diagnosis.md:

- **product**: the win-rate effect is significantly negative and
  product-category losses make up at least half of its negative parts
  (`DOMINANT`), or the product-category share of losses rose significantly
  while the win rate fell.
- **process**: conversion or closing pace fell significantly (hand-off and
  deal stages, process by nature); or acceptance fell significantly with
  process-category rejection reasons making up at least half of its negative
  parts; or the win rate fell significantly mostly to process-category losses
  (or their share rose significantly); or, for a channel, speed to lead shows
  a signal (`speed`: late MQLs converting significantly worse, and a material
  share of late contact).
- **volume**: the volume effect is significantly negative.
- **none**: none of the above (nothing significant, or only market-led or
  deal-size changes, which are stated as evidence but are not a product,
  process or volume signal).

When several signals hold, the verdict is the one with the largest negative
amount (its parts of the effects; for speed to lead, the counterfactual
revenue); the others stay in the evidence. Significant improvements are listed
as ``went_well``. Sentences speak of stages and numbers, never of people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from coparent.diagnosis import _format as fmt
from coparent.diagnosis.bridge import Factor
from coparent.diagnosis.findings import (
    SPLIT_FACTOR,
    FactorFinding,
    SegmentFinding,
    Shift,
    SplitKind,
)
from coparent.diagnosis.speed import ChannelSpeed
from coparent.diagnosis.taxonomy import Category

__all__ = [
    "DOMINANT",
    "GOAL_LABEL",
    "Signal",
    "Verdict",
    "factor_sentence",
    "segment_verdict",
]

Signal = Literal["product", "process", "volume", "none"]
GOAL_LABEL = "the goal"
"""The baseline label of a goal comparison (its values are targets, not counts)."""
DOMINANT = 0.5
"""Share of a factor's negative parts a category needs to dominate it."""


@dataclass(frozen=True)
class Verdict:
    segment: str
    name: str
    signal: Signal
    evidence: list[str]
    went_well: list[str] = field(default_factory=list)
    amount: float = 0.0
    """The signal's negative amount, used to rank segments in the narrative."""
    factor: Factor | None = None
    """The factor the signal names: the one whose drop weighs most in its amount."""

    def to_dict(self) -> dict[str, object]:
        return {
            "segment": self.segment,
            "name": self.name,
            "signal": self.signal,
            "evidence": self.evidence,
            "went_well": self.went_well,
        }


@dataclass
class _Candidate:
    signal: Signal
    amount: float = 0.0
    evidence: list[str] = field(default_factory=list)
    parts: dict[Factor, float] = field(default_factory=dict)

    def add(self, factor: Factor, amount: float) -> None:
        self.amount += amount
        self.parts[factor] = self.parts.get(factor, 0.0) + amount

    @property
    def factor(self) -> Factor | None:
        return min(self.parts.items(), key=lambda kv: kv[1])[0] if self.parts else None


def _interval(f: FactorFinding) -> str:
    if f.low is None or f.high is None:
        return "too few cases to tell"
    if f.measure == "difference":
        return f"interval {fmt.points(f.low)} to {fmt.points(f.high)}"
    return f"interval {fmt.relative(f.low)} to {fmt.relative(f.high)}"


def _counts(seg: SegmentFinding, stages: tuple[str, ...], factor: Factor) -> tuple[str, str]:
    if factor != "win_rate":
        return "", ""
    w, c = stages.index("won"), stages.index("closed")
    return (
        f" ({fmt.count(seg.baseline[w])} of {fmt.count(seg.baseline[c])} closed)",
        f" ({fmt.count(seg.current[w])} of {fmt.count(seg.current[c])})",
    )


def factor_sentence(
    seg: SegmentFinding,
    factor: Factor,
    *,
    stages: tuple[str, ...],
    volume_unit: str,
    against_goal: bool = False,
) -> str:
    """'<name>: <factor> went from A to B, worth X in revenue (its interval or "within ...")'.

    Against a goal the baseline values are targets, not counts: 'was B against the goal's A'.
    """
    f = seg.factors[factor]
    c0, c1 = _counts(seg, stages, factor)
    what = volume_unit if factor == "volume" else fmt.FACTOR_NAMES[factor]
    base, now = fmt.factor_value(factor, f.baseline), fmt.factor_value(factor, f.current)
    values = (
        f"{'were' if factor == 'volume' else 'was'} {now}{c1} against the goal's {base}"
        if against_goal
        else f"went from {base}{c0} to {now}{c1}"
    )
    noise = _interval(f) if f.significant else "within normal variation"
    return (
        f"{seg.name}: {what} {values}, worth {fmt.money(f.amount, signed=True)} "
        f"in revenue ({noise})."
    )


def _negative_parts(shifts: Mapping[Category, Shift]) -> float:
    return sum(min(s.amount, 0.0) for s in shifts.values())


def _led_by(
    seg: SegmentFinding, kind: SplitKind, category: Category, factor: FactorFinding
) -> bool:
    """The category dominates a significant drop, or its share rose significantly in one."""
    shifts = seg.shifts.get(kind)
    if not shifts or factor.amount >= 0:
        return False
    part = shifts[category]
    dominant = (
        factor.significant and part.amount < 0 and part.amount <= DOMINANT * _negative_parts(shifts)
    )
    rose = kind == "loss" and part.significant and (part.current or 0.0) > (part.baseline or 0.0)
    return dominant or rose


def _shift_sentence(
    seg: SegmentFinding, shift: Shift, *, stages: tuple[str, ...], baseline_label: str
) -> str:
    """'<name>: product-category reasons (most often ...) were given for 33 of 40 lost deals ...'"""
    if shift.kind == "loss":
        w, c = stages.index("won"), stages.index("closed")
        of0, of1 = seg.baseline[c] - seg.baseline[w], seg.current[c] - seg.current[w]
        what = "lost deals"
    else:
        of0, of1 = (
            sum(s.baseline_count for s in seg.shifts["rejection"].values()),
            sum(s.current_count for s in seg.shifts["rejection"].values()),
        )
        what = "rejected MQLs"
    quoted = ", ".join(f'"{r}"' for r in shift.reasons)
    examples = f" (most often {quoted})" if quoted else ""
    offset = sum(s.amount for s in seg.shifts[shift.kind].values() if s is not shift)
    offset_text = (
        f", partly offset by fewer {what} for other reasons ({fmt.money(offset, signed=True)})"
        if offset > 0 and round(offset) != 0
        else ""
    )
    before = (
        f"{fmt.percent(shift.baseline_count / of0 if of0 else None)} in the goal's mix"
        if baseline_label == GOAL_LABEL
        else f"{fmt.count(shift.baseline_count)} of {fmt.count(of0)}"
        f" ({fmt.percent(shift.baseline_count / of0 if of0 else None)}) in {baseline_label}"
    )
    return (
        f"{seg.name}: {shift.category}-category reasons{examples} were given for "
        f"{fmt.count(shift.current_count)} of {fmt.count(of1)} {what}"
        f" ({fmt.percent(shift.current_count / of1 if of1 else None)}), against {before}; "
        f"their part of the {fmt.FACTOR_NAMES[SPLIT_FACTOR[shift.kind]].split(' (')[0]} effect "
        f"is {fmt.money(shift.amount, signed=True)}{offset_text}."
    )


def _speed_sentence(seg: SegmentFinding, speed: ChannelSpeed, sla_hours: float) -> str:
    acc = speed.acceptance
    worth = (
        f", about {fmt.money(speed.extra_revenue)} in revenue at this period's win rate and "
        "average deal"
        if speed.extra_revenue is not None
        else ""
    )
    more = fmt.count(speed.extra_opportunities) if speed.extra_opportunities is not None else "n/a"
    return (
        f"{seg.name}: {fmt.count(speed.late)} of {fmt.count(speed.contacted)} contacted MQLs "
        f"({fmt.percent(speed.late_share)}) had their first contact more than "
        f"{fmt.hours(sla_hours)} after becoming MQLs; late MQLs were accepted "
        f"{fmt.percent(acc.late_rate)} of the time against {fmt.percent(acc.on_time_rate)} "
        f"on time ({speed.reference}). At the "
        f"on-time rates they would have brought about {more} more opportunities{worth}. This "
        "is a correlation, not a measured effect."
    )


def segment_verdict(
    seg: SegmentFinding,
    *,
    stages: tuple[str, ...],
    baseline_label: str,
    volume_unit: str,
    speed: ChannelSpeed | None = None,
    sla_hours: float = 24.0,
) -> Verdict:
    """The verdict for one segment (rules in the module docstring)."""

    against_goal = baseline_label == GOAL_LABEL

    def say(factor: Factor) -> str:
        return factor_sentence(
            seg, factor, stages=stages, volume_unit=volume_unit, against_goal=against_goal
        )

    product, process, volume = _Candidate("product"), _Candidate("process"), _Candidate("volume")
    other: list[str] = []
    f = seg.factors
    splits: list[tuple[SplitKind, FactorFinding | None, tuple[_Candidate, ...]]] = [
        ("loss", f["win_rate"], (product, process)),
        ("rejection", f.get("acceptance"), (process,)),
    ]
    for kind, factor, candidates in splits:
        shifts = seg.shifts.get(kind)
        if factor is None or not shifts:
            continue
        for cand in candidates:
            category: Category = "product" if cand.signal == "product" else "process"
            if _led_by(seg, kind, category, factor):
                shift = shifts[category]
                cand.add(factor.factor, min(shift.amount, 0.0))
                pair = [
                    say(factor.factor),
                    _shift_sentence(seg, shift, stages=stages, baseline_label=baseline_label),
                ]
                cand.evidence += pair if factor.significant else pair[::-1]
    process_stages: tuple[Factor, ...] = ("conversion", "pace")
    for name in process_stages:
        stage = f.get(name)
        if stage is not None and stage.significant and stage.amount < 0:
            process.add(stage.factor, stage.amount)
            process.evidence.append(say(stage.factor))
    if speed is not None and speed.signal:
        # late first contact shows first in acceptance (or, without it, in the next stage)
        order: tuple[Factor, ...] = ("acceptance", "conversion", "pace")
        first: Factor = next((x for x in order if x in f), "volume")
        process.add(first, -max(speed.extra_revenue or 0.0, 0.0))
        process.evidence.append(_speed_sentence(seg, speed, sla_hours))
    if f["volume"].significant and f["volume"].amount < 0:
        volume.add("volume", f["volume"].amount)
        volume.evidence.append(say("volume"))

    found = [c for c in (product, process, volume) if c.evidence]
    cited = {s for c in found for s in c.evidence}
    for factor in f.values():
        sentence = say(factor.factor)
        if factor.significant and factor.amount < 0 and sentence not in cited:
            other.append(sentence)
    quiet = [
        f"{fmt.FACTOR_NAMES[x.factor] if x.factor != 'volume' else volume_unit} "
        f"{fmt.money(x.amount, signed=True)}"
        for x in f.values()
        if not x.significant and round(x.amount) != 0
    ]
    noise = (
        [f"{seg.name}: within normal variation, so not named as a cause: " + "; ".join(quiet) + "."]
        if quiet
        else []
    )
    went_well = [say(x.factor) for x in f.values() if x.significant and x.amount > 0]
    if not found:
        lead = (
            f"{seg.name}: revenue went from {fmt.money(seg.baseline[-1])} to "
            f"{fmt.money(seg.current[-1])}; no product, process or volume signal outside "
            "normal variation."
        )
        return Verdict(seg.segment, seg.name, "none", [lead, *other, *noise], went_well)
    best = min(found, key=lambda c: c.amount)
    rest = [s for c in found if c is not best for s in c.evidence if s not in best.evidence]
    return Verdict(
        seg.segment,
        seg.name,
        best.signal,
        [*best.evidence, *rest, *other, *noise],
        went_well,
        best.amount,
        best.factor,
    )
