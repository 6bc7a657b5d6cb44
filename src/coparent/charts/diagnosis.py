"""The revenue bridge as a waterfall: from the baseline's revenue to this period's.

One bar per company-level factor (``factor_totals``: the same however the
company is sliced), in the report's factor order, so the chart, the table
under it and the headline tell one story. A bar takes the factor's
significance: grey when the company-level change is within normal variation.

Where it helps, a bar is split:

- a significant factor that the diagnosis splits by reason category (win
  rate, acceptance) shows its within-segment part by category, coloured
  product, process, market or unclassified;
- a factor whose mix part (the shift between segments) is notable, significant or at
  least `NOTABLE_MIX` of the factor, gets a second bar for it, named and
  coloured by its own ``findings[]`` item.

The bars still add up exactly to the change. The title names what the
headline names (``findings[]``): the significant factors, then the product or
process signals of segments.

Examples
--------
>>> report = {
...     "period": "2026-Q3", "baseline": "2026-Q2", "against": "previous",
...     "segment_by": "product", "bridge_starts_at": "mqls", "factors": ["volume", "win_rate"],
...     "revenue": {"baseline": 100.0, "current": 80.0, "change": -20.0},
...     "factor_totals": [{"factor": "volume", "amount": 5.0, "significant": False},
...                       {"factor": "win_rate", "amount": -25.0, "significant": True}],
...     "effects": [
...         {"segment": "a", "factor": "volume", "category": None, "amount": 5.0,
...          "significant": False},
...         {"segment": "a", "factor": "win_rate", "category": "product", "amount": -25.0,
...          "significant": True},
...         {"segment": "a", "factor": "mix", "of": "win_rate", "category": None,
...          "amount": 0.0, "significant": False}],
...     "findings": [
...         {"kind": "factor", "factor": "win_rate", "segment": None, "amount": -25.0,
...          "significant": True, "text": "A lower win rate"},
...         {"kind": "factor", "factor": "volume", "segment": None, "amount": 5.0,
...          "significant": False, "text": "More MQLs (within normal variation)"}]}
>>> [(b.label, b.amount, b.colour_key) for b in bridge_bars(report)]
[('MQLs', 5.0, 'noise'), ('win rate: product reasons', -25.0, 'product')]
>>> waterfall_figure(report).layout.title.text
'Revenue 2026-Q2 → 2026-Q3: -$20 (-20%); named: win rate'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from coparent.charts._style import CATEGORY_COLOURS, NOISE, TOTAL, layout
from coparent.metrics.display import money, percent

__all__ = ["FACTOR_LABELS", "NOTABLE_MIX", "Bar", "bridge_bars", "waterfall_figure"]

FACTOR_LABELS = {
    "volume": "MQLs",
    "acceptance": "acceptance",
    "conversion": "conversion to opportunity",
    "pace": "closing pace",
    "win_rate": "win rate",
    "deal_size": "average won deal",
}
NOISE_TEXT = "within normal variation"
NOTABLE_MIX = 0.25
"""A mix part gets its own bar when significant or at least this share of its factor."""
_CATEGORIES = ("product", "process", "market", "unclassified")


@dataclass(frozen=True)
class Bar:
    label: str
    factor: str
    category: str | None
    amount: float
    significant: bool
    mix: bool = False

    @property
    def colour_key(self) -> str:
        if not self.significant:
            return "noise"
        if self.factor == "volume":
            return "volume"
        return self.category or "stage"


def _factor_label(factor: str, starts_at: str) -> str:
    if factor == "volume" and starts_at != "mqls":
        return "opportunities opened" if starts_at == "opportunities" else "accepted leads"
    return FACTOR_LABELS.get(factor, factor.replace("_", " "))


def _factor_bars(
    factor: str,
    total: Mapping[str, Any],
    rows: list[Mapping[str, Any]],
    mix_found: Mapping[str, Any] | None,
    *,
    label: str,
    segment_by: str,
) -> list[Bar]:
    amount, significant = float(total["amount"]), bool(total["significant"])
    mix = float(sum(float(r["amount"]) for r in rows if r["factor"] == "mix"))
    mix_named = bool(mix_found and mix_found.get("significant"))
    notable = round(mix) != 0 and (mix_named or abs(mix) >= NOTABLE_MIX * abs(amount))
    within = amount - mix if notable else amount
    bars: list[Bar] = []
    categories = {r.get("category") for r in rows if r["factor"] == factor}
    if significant and categories - {None}:
        for category in (*_CATEGORIES, None):
            part = sum(
                float(r["amount"])
                for r in rows
                if r["factor"] == factor and r.get("category") == category
            )
            if category is None and not notable:
                part += mix  # the mix stays in the factor's bars when it is not shown apart
            if part != 0 or category in categories:
                name = f"{category} reasons" if category else "other"
                bars.append(Bar(f"{label}: {name}", factor, category, part, significant))
    else:
        suffix = f": within {segment_by}s" if notable else ""
        bars.append(Bar(label + suffix, factor, None, within, significant))
    if notable:
        bars.append(Bar(f"{label}: {segment_by} mix", factor, None, mix, mix_named, mix=True))
    return bars


def bridge_bars(report: Mapping[str, Any]) -> list[Bar]:
    """The waterfall's bars, in the report's factor order (see the module docstring)."""
    starts_at = str(report.get("bridge_starts_at") or "mqls")
    segment_by = str(report.get("segment_by") or "segment")
    rows: dict[str, list[Mapping[str, Any]]] = {}
    for e in report.get("effects") or []:
        rows.setdefault(str(e.get("of") or e["factor"]), []).append(e)
    mixes = {str(f["factor"]): f for f in report.get("findings") or [] if f["kind"] == "mix"}
    bars: list[Bar] = []
    for total in report.get("factor_totals") or []:
        factor = str(total["factor"])
        bars += _factor_bars(
            factor,
            total,
            rows.get(factor, []),
            mixes.get(factor),
            label=_factor_label(factor, starts_at),
            segment_by=segment_by,
        )
    return bars


def _named(report: Mapping[str, Any], bars: list[Bar]) -> list[str]:
    """What the title names: significant factors and mixes, then segment signals."""
    starts_at = str(report.get("bridge_starts_at") or "mqls")
    labels = {b.factor: _factor_label(b.factor, starts_at) for b in bars}
    names = {str(v["segment"]): v for v in report.get("verdicts") or []}
    named: list[str] = []
    signals: list[str] = []
    for f in report.get("findings") or []:
        if not f["significant"]:
            continue
        factor = str(f["factor"])
        if f["kind"] == "factor" and len(named) < 2:
            named.append(labels.get(factor, factor))
        elif f["kind"] == "mix" and len(named) < 2:
            named.append(f"{labels.get(factor, factor)} ({report.get('segment_by')} mix)")
        elif f["kind"] == "verdict" and len(signals) < 2:
            v = names.get(str(f["segment"]), {})
            if v.get("signal") in ("product", "process"):
                signals.append(f"{v['signal']} signal in {v.get('name') or f['segment']}")
    return named + signals


def waterfall_figure(report: Mapping[str, Any]) -> go.Figure:
    """Floating bars from the baseline revenue, effect by effect, to this period's revenue."""
    revenue = report.get("revenue") or {}
    start = float(revenue.get("baseline") or 0.0)
    end = float(revenue.get("current") or 0.0)
    reported = revenue.get("change")
    change = float(reported) if reported is not None else end - start
    bars = bridge_bars(report)
    baseline = "goal" if report.get("against") == "goal" else str(report.get("baseline") or "")
    period = str(report.get("period") or "")
    labels = [baseline, *(b.label for b in bars), period]
    bases, heights, colours, texts, hovers = (
        [0.0],
        [start],
        [TOTAL],
        [money(start, short=True)],
        [f"{baseline}: {money(start)}"],
    )
    running = start
    for b in bars:
        bases.append(running if b.amount >= 0 else running + b.amount)
        heights.append(abs(b.amount))
        running += b.amount
        colours.append(NOISE if not b.significant else CATEGORY_COLOURS[b.colour_key])
        texts.append(money(b.amount, short=True, signed=True))
        hovers.append(
            f"{b.label}: {money(b.amount, signed=True)}"
            + ("" if b.significant else f" ({NOISE_TEXT})")
        )
    bases.append(0.0)
    heights.append(end)
    colours.append(TOTAL)
    texts.append(money(end, short=True))
    hovers.append(f"{period}: {money(end)}")
    named = _named(report, bars)
    cause = f"named: {', '.join(named)}" if named else f"every bar is {NOISE_TEXT}"
    pct = change / start if start else None
    title = (
        f"Revenue {baseline} → {period}: {money(change, signed=True)}"
        + (f" ({percent(pct, signed=True)})" if pct is not None else "")
        + f"; {cause}"
    )
    # Horizontal bars, top to bottom: the labels read level at any width (a phone too), and
    # a noise bar says so in its own label instead of in a note that could cover its neighbours.
    ticks = [
        _tick(label, significant=(i in (0, len(labels) - 1) or bars[i - 1].significant))
        for i, label in enumerate(labels)
    ]
    fig = go.Figure(
        go.Bar(
            y=ticks,
            x=heights,
            base=bases,
            orientation="h",
            marker={"color": colours},
            text=texts,
            textposition="auto",
            textfont={"size": 11},
            cliponaxis=False,
            hovertext=hovers,
            hoverinfo="text",
            # each bar's factor: a click opens the rows of its stage (coparent/drill.js)
            customdata=["", *(b.factor for b in bars), ""],
        )
    )
    right = max([start, end, *(b + h for b, h in zip(bases, heights, strict=True))]) or 1.0
    left = min(0.0, *bases)
    rows = sum(max(30, 15 * (t.count("<br>") + 1) + 10) for t in ticks)
    layout(fig, title=title, height=max(320, 90 + rows))
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(tickformat="~s", range=[left, right * 1.45], nticks=5)
    return fig


def _tick(label: str, *, significant: bool) -> str:
    """A bar's label on at most three short lines: the factor, its part, and noise if it is.

    >>> _tick("average won deal: product mix", significant=False)
    'average won deal<br>product mix<br><i>within normal variation</i>'
    """
    text = label.replace(": ", "<br>")
    return text if significant else f"{text}<br><i>{NOISE_TEXT}</i>"
