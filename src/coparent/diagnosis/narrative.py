"""The diagnosis in plain language: stages and numbers, never people.

The narrative is written for both teams at once. It says where revenue moved
and by how much, which changes are within normal variation (and so are not
causes), what went well, and what Sales and Marketing could do *together*
next. It never names a person or a team as the source of a problem: problems
belong to stages (volume, acceptance, conversion, pace, win rate, deal size)
and to the reasons buyers gave. A test keeps a list of blame words out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coparent.diagnosis import _format as fmt
from coparent.diagnosis.bridge import Factor, Requirement
from coparent.diagnosis.findings import NOTABLE_MIX, Findings
from coparent.diagnosis.ranked import Finding, named
from coparent.diagnosis.speed import SpeedToLead
from coparent.diagnosis.verdict import Verdict

__all__ = ["HEADLINE_WORDS", "Context", "headline", "narrative"]

HEADLINE_WORDS = 30
"""The headline drops its smallest named factors beyond this many words (signals stay)."""


@dataclass(frozen=True)
class Context:
    """What the sentences need to know besides the numbers."""

    period: str
    baseline: str
    against: str
    segment_by: str
    period_kind: str = "quarter"
    volume_unit: str = "MQLs"
    sla_hours: float = 24.0
    goal_revenue: float | None = None


def _direction(factor: Factor, up: bool, ctx: Context) -> str:
    return fmt.direction(factor, up, volume_unit=ctx.volume_unit, period=ctx.period_kind)


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _factor_label(factor: Factor, ctx: Context) -> str:
    return ctx.volume_unit if factor == "volume" else fmt.FACTOR_NAMES[factor].split(" (")[0]


def headline(findings: Findings, ranked: Sequence[Finding], ctx: Context) -> str:
    """One short sentence for every surface: the change, then what `ranked.named` names.

    Details (values, what is within normal variation) stay in the paragraphs below.
    """
    r0, r1 = findings.company.baseline[-1], findings.company.current[-1]
    change = r1 - r0
    if ctx.goal_revenue is not None:
        opening = (
            f"Revenue in {ctx.period} was {fmt.money(r1)} against a goal of {fmt.money(r0)} "
            f"({fmt.money(change, signed=True)})"
        )
    elif findings.no_revenue:
        opening = f"There is no won revenue in {ctx.baseline} or {ctx.period} to split"
    else:
        verb = "rose" if change > 0 else "fell" if change < 0 else "held"
        pct = f" {fmt.percent(abs(change) / r0)}" if r0 > 0 and change else ""
        opening = (
            f"Revenue {verb}{pct} ({fmt.money(change, signed=True)}) from {ctx.baseline} "
            f"to {ctx.period}"
        )
    items = named(ranked, no_revenue=findings.no_revenue)
    if not items:
        return f"{opening}; no change is outside normal variation."

    def sentence(chosen: Sequence[Finding]) -> str:
        return f"{opening}; outside normal variation: {_and([f.phrase for f in chosen])}."

    while len(sentence(items).split()) > HEADLINE_WORDS:
        trim = [i for i, f in enumerate(items) if f.kind != "verdict"]
        if not trim:
            break
        del items[trim[-1]]  # the smallest factor or mix goes first; signals always stay
    return sentence(items)


def _unprefixed(sentence: str, name: str) -> str:
    prefix = f"{name}: "
    text = sentence.removeprefix(prefix)
    return text[:1].upper() + text[1:]


def _went_well(findings: Findings, verdicts: Sequence[Verdict], ctx: Context) -> str:
    """Significant improvements first; otherwise what held steady. Credit goes to both teams."""
    factors = sorted(findings.company.factors.values(), key=lambda f: -abs(f.amount))
    up = [
        _direction(f.factor, True, ctx)
        for f in factors
        if f.significant
        and (f.amount > 0 or (f.amount == 0 and (f.current or 0) > (f.baseline or 0)))
    ]
    well = [s for v in verdicts for s in v.went_well]
    change = findings.company.current[-1] - findings.company.baseline[-1]
    parts = []
    if change > 0 and ctx.goal_revenue is None:
        parts.append(f"Revenue grew by {fmt.money(change)} overall.")
    if up:
        parts.append(f"Across the company: {_and(up)}.")
    parts += well
    steady = [_factor_label(f.factor, ctx) for f in factors if not f.significant]
    if not up and not well and steady:
        parts.append(f"{_and(steady).capitalize()} showed no change beyond normal variation.")
    if not parts:
        parts.append("No stage improved beyond normal variation this time.")
    return "What went well, to the credit of both teams: " + " ".join(parts)


def _steps(
    verdicts: Sequence[Verdict], findings: Findings, ctx: Context, speed: SpeedToLead | None
) -> list[str]:
    steps: list[str] = []
    by_signal: dict[str, list[str]] = {}
    for v in sorted(verdicts, key=lambda v: v.amount):
        by_signal.setdefault(v.signal, []).append(v.name)
    if "product" in by_signal:
        names = _and(by_signal["product"])
        reasons = sorted(
            {
                r
                for s in findings.segments
                if s.name in by_signal["product"] and "loss" in s.shifts
                for r in s.shifts["loss"]["product"].reasons
            }
        )
        quoted = f" ({', '.join(repr(r) for r in reasons[:4])})" if reasons else ""
        steps.append(
            f"For {names}: Sales and Marketing together bring the product-category loss "
            f"reasons{quoted} and the deal notes behind them to product management, and "
            "agree on messaging and target accounts that fit what the product does today."
        )
    if "process" in by_signal:
        steps.append(
            f"For {_and(by_signal['process'])}: walk through the hand-off and deal stages "
            "together (time to first contact, acceptance criteria, follow-up), agree on one "
            "change to try, and check its effect next period."
        )
    if "volume" in by_signal:
        steps.append(
            f"For {_and(by_signal['volume'])}: review the lead plan together (which channels "
            "and campaigns feed it, and what the pipeline needs) and agree on the volume to "
            "aim for."
        )
    if speed is not None:
        for c in speed.channels:
            if c.signal:
                steps.append(
                    f"For {c.channel} MQLs: agree together on a first-contact plan (who calls, "
                    f"and when) that reaches them within {fmt.hours(ctx.sla_hours)}, and compare "
                    "their acceptance next period."
                )
    if not steps:
        steps.append(
            "No stage moved beyond normal variation in a way that calls for action; keep the "
            "current plan and look again next period, together."
        )
    return steps


def _mix_sentence(findings: Findings, ranked: Sequence[Finding], ctx: Context) -> str:
    """The shifts between segments worth a mention: significant, or a quarter of their factor."""
    company = findings.company.factors
    shown = [
        f
        for f in ranked
        if f.kind == "mix"
        and (f.significant or abs(f.amount) >= NOTABLE_MIX * abs(company[f.factor].amount))
    ]
    if not shown:
        return ""
    parts = [
        f"{_factor_label(f.factor, ctx)} {fmt.money(f.amount, signed=True)}"
        + ("" if f.significant else " (within normal variation)")
        for f in shown
    ]
    return (
        f" Of these, shifts between {ctx.segment_by}s (mix) account for: "
        + "; ".join(parts)
        + f"; the rest moved within the {ctx.segment_by}s."
    )


def narrative(
    findings: Findings,
    verdicts: Sequence[Verdict],
    ranked: Sequence[Finding],
    ctx: Context,
    *,
    speed: SpeedToLead | None = None,
    what_it_would_take: Sequence[Requirement] | None = None,
) -> str:
    """Paragraphs: headline, where the change came from, per segment, went well, next steps."""
    paras = [headline(findings, ranked, ctx)]
    factors = sorted(findings.company.factors.values(), key=lambda f: -abs(f.amount))
    lines = []
    for f in factors:
        flag = "" if f.significant else ", within normal variation"
        base, now = fmt.factor_value(f.factor, f.baseline), fmt.factor_value(f.factor, f.current)
        values = (
            f"goal {base}, actual {now}" if ctx.goal_revenue is not None else f"{base} to {now}"
        )
        lines.append(
            f"{_factor_label(f.factor, ctx)} {fmt.money(f.amount, signed=True)} ({values}{flag})"
        )
    paras.append(
        "Where the change came from, company-wide (the effects add up to the change "
        "exactly): " + "; ".join(lines) + "." + _mix_sentence(findings, ranked, ctx)
    )
    signal_words = {
        "product": "a product signal",
        "process": "a process signal",
        "volume": "a volume signal",
        "none": "no clear signal",
    }
    per_segment = [
        f"{v.name}: {signal_words[v.signal]}."
        + (f" {_unprefixed(v.evidence[0], v.name)}" if v.signal != "none" else "")
        for v in sorted(verdicts, key=lambda v: (v.amount, v.name))
    ]
    paras.append(f"By {ctx.segment_by}: " + " ".join(per_segment))
    paras.append(_went_well(findings, verdicts, ctx))
    if speed is not None:
        flagged = [c for c in speed.channels if c.signal]
        if flagged:
            paras.append(
                "Speed to lead (a correlation, not a measured effect): "
                + " ".join(
                    f"{fmt.count(c.late)} of {fmt.count(c.contacted)} contacted {c.channel} MQLs "
                    "had their first "
                    f"contact after {fmt.hours(ctx.sla_hours)}; they were accepted "
                    f"{fmt.percent(c.acceptance.late_rate)} of the time against "
                    f"{fmt.percent(c.acceptance.on_time_rate)} for MQLs contacted on time "
                    f"({c.reference}), and at the on-time rates they would have brought about "
                    f"{fmt.count(c.extra_opportunities or 0)} more opportunities."
                    for c in flagged
                )
            )
        else:
            share = speed.all.late_share
            paras.append(
                f"Speed to lead: {fmt.percent(1 - share) if share is not None else 'n/a'} of "
                f"contacted MQLs had their first contact within {fmt.hours(ctx.sla_hours)}, and no "
                "channel's late contacts stand out beyond normal variation."
            )
    if what_it_would_take:
        options = [
            f"{_factor_label(r.factor, ctx)} from {fmt.factor_value(r.factor, r.current)} to "
            f"{fmt.factor_value(r.factor, r.needed)}" + ("" if r.feasible else " (not possible)")
            for r in what_it_would_take
            if r.needed is not None
        ]
        if options:
            paras.append(
                "What it would take to meet the goal, any one alone: " + "; ".join(options) + "."
            )
    paras.append("Next steps, together: " + " ".join(_steps(verdicts, findings, ctx, speed)))
    return "\n\n".join(paras)
