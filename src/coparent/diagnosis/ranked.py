"""One ranked list of what moved revenue, which every surface reads.

The headline, the waterfall's title and colours, the scorecard's "Why revenue
moved", the digest and the API all take their words from this list, so they
cannot disagree about what is named and what is within normal variation.

Kinds of finding:

- ``factor``: a company-level factor effect (the same however the company is
  sliced), ``significant`` from the test on the company's totals;
- ``verdict``: a segment's product, process or volume signal (`verdict`);
  its amount is the segment's intensity part of the company-level effect of
  the factor its signal names, so it is measured like the factors;
- ``mix``: a factor's mix parts summed over segments (a shift between
  segments), ``significant`` when the split of the stage before changed
  beyond normal variation (`noise.mix_shift`).

The list is ranked by the size of the amount, largest first. The headline
names the product and process signals (at most `MAX_SIGNALS`) and the
largest significant factor or mix findings, at most `MAX_NAMED` in all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from coparent.diagnosis import _format as fmt
from coparent.diagnosis.bridge import Factor
from coparent.diagnosis.findings import FactorFinding, Findings
from coparent.diagnosis.verdict import Signal, Verdict

__all__ = ["MAX_NAMED", "MAX_SIGNALS", "Finding", "Kind", "named", "rank"]

Kind = Literal["factor", "verdict", "mix"]
MAX_NAMED = 3
"""At most this many findings in the headline, so it stays one short sentence."""
MAX_SIGNALS = 2
"""At most this many segment signals among them (the largest first)."""
_KIND_ORDER: dict[Kind, int] = {"factor": 0, "verdict": 1, "mix": 2}


@dataclass(frozen=True)
class Finding:
    """One item of the ranked list; ``phrase`` is its short form for the headline."""

    kind: Kind
    factor: Factor
    segment: str | None
    amount: float
    significant: bool
    text: str
    phrase: str
    signal: Signal | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON item: kind, factor, segment, amount, significant, text."""
        out = asdict(self)
        del out["phrase"], out["signal"]
        return out


def _values(f: FactorFinding, *, against_goal: bool) -> str:
    base, now = fmt.factor_value(f.factor, f.baseline), fmt.factor_value(f.factor, f.current)
    return f"{now} against the goal's {base}" if against_goal else f"{base} to {now}"


def _up(f: FactorFinding) -> bool:
    """Which way the factor moved: by its effect, or by its values when there is no revenue."""
    if f.amount != 0 or f.baseline is None or f.current is None:
        return f.amount > 0
    return f.current > f.baseline


def rank(
    findings: Findings,
    verdicts: Sequence[Verdict],
    *,
    segment_by: str,
    volume_unit: str,
    period_kind: str = "quarter",
    against_goal: bool = False,
) -> list[Finding]:
    """Every company-level factor, segment signal and non-zero mix, largest amount first."""
    out: list[Finding] = []
    words = {"volume_unit": volume_unit, "period": period_kind}
    no_revenue = findings.no_revenue
    for f in findings.company.factors.values():
        what = fmt.direction(f.factor, _up(f), **words)
        values = _values(f, against_goal=against_goal)
        noise = "" if f.significant else " (within normal variation)"
        money = "" if no_revenue else f", {fmt.money(f.amount, signed=True)} in revenue"
        out.append(
            Finding(
                "factor",
                f.factor,
                None,
                f.amount,
                f.significant,
                f"{what[:1].upper()}{what[1:]}: {values}{money}{noise}.",
                f"{what} ({values if no_revenue else fmt.money(f.amount, signed=True)})",
            )
        )
    by_segment = {s.segment: s for s in findings.segments}
    for v in verdicts:
        seg = by_segment.get(v.segment)
        if v.signal == "none" or v.factor is None or seg is None:
            continue
        part = seg.intensity.get(v.factor)
        amount = part.amount if part is not None else 0.0
        what = fmt.direction(v.factor, amount > 0, **words)
        money = fmt.money(amount, signed=True)
        out.append(
            Finding(
                "verdict",
                v.factor,
                v.segment,
                amount,
                True,
                f"{v.name}: a {v.signal} signal, {what} ({money} of the company's "
                f"{fmt.FACTOR_NAMES[v.factor].split(' (')[0]} effect).",
                f"a {v.signal} signal in {v.name} ({money})",
                v.signal,
            )
        )
    for m in findings.mix.values():
        if round(m.amount) == 0:
            continue
        what = fmt.direction(m.factor, m.amount > 0, **words)
        noise = "" if m.significant else " (within normal variation)"
        money = fmt.money(m.amount, signed=True)
        out.append(
            Finding(
                "mix",
                m.factor,
                None,
                m.amount,
                m.significant,
                f"Shifts between {segment_by}s: {what}, {money} in revenue{noise}.",
                f"a shift between {segment_by}s towards {what} ({money})",
            )
        )
    return sorted(out, key=lambda f: (-abs(f.amount), _KIND_ORDER[f.kind]))


def named(ranked: Sequence[Finding], *, no_revenue: bool = False) -> list[Finding]:
    """The findings the headline names, in rank order.

    Product and process signals come first (they are outside normal variation
    by construction), then the largest significant factors and mixes; with no
    revenue, significant factors are named by their values.
    """
    signals = [f for f in ranked if f.kind == "verdict" and f.signal in ("product", "process")]
    signals = signals[:MAX_SIGNALS]
    others = [
        f
        for f in ranked
        if f.kind in ("factor", "mix") and f.significant and (no_revenue or round(f.amount) != 0)
    ]
    chosen = {id(f) for f in signals + others[: MAX_NAMED - len(signals)]}
    return [f for f in ranked if id(f) in chosen]
