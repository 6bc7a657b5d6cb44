"""The revenue bridge as a waterfall: from the baseline's revenue to this period's.

One bar per effect, coloured by category: volume, and the product, process
and market parts of acceptance and win rate (the diagnosis splits those two
by reason category). Conversion, closing pace and deal size are stages
without a category (slate). An effect the diagnosis judged within normal
variation is grey and labelled so.

Bars are the report's ``effects`` summed over segments per (factor,
category): LMDI effects add up, so the bars still sum exactly to the change.
A factor without categories takes its significance from ``factor_totals``;
a category part is coloured when it is significant in at least one segment.

Examples
--------
>>> report = {
...     "period": "2026-Q3", "baseline": "2026-Q2", "against": "previous",
...     "bridge_starts_at": "mqls", "factors": ["volume", "win_rate"],
...     "revenue": {"baseline": 100.0, "current": 80.0, "change": -20.0},
...     "factor_totals": [{"factor": "volume", "amount": 5.0, "significant": False},
...                       {"factor": "win_rate", "amount": -25.0, "significant": True}],
...     "effects": [
...         {"segment": "a", "factor": "volume", "category": None, "amount": 5.0,
...          "significant": False},
...         {"segment": "a", "factor": "win_rate", "category": "product", "amount": -25.0,
...          "significant": True}]}
>>> [(b.label, b.amount, b.colour_key) for b in bridge_bars(report)]
[('MQLs', 5.0, 'noise'), ('win rate: product reasons', -25.0, 'product')]
>>> waterfall_figure(report).layout.title.text
'Revenue 2026-Q2 → 2026-Q3: -$20 (-20%); largest named effect: win rate: product reasons'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from coparent.charts._style import CATEGORY_COLOURS, NOISE, TOTAL, layout
from coparent.charts.format import money, percent

__all__ = ["FACTOR_LABELS", "Bar", "bridge_bars", "waterfall_figure"]

FACTOR_LABELS = {
    "volume": "MQLs",
    "acceptance": "acceptance",
    "conversion": "conversion to opportunity",
    "pace": "closing pace",
    "win_rate": "win rate",
    "deal_size": "average won deal",
}
NOISE_TEXT = "within normal variation"


@dataclass(frozen=True)
class Bar:
    label: str
    factor: str
    category: str | None
    amount: float
    significant: bool

    @property
    def colour_key(self) -> str:
        if not self.significant:
            return "noise"
        if self.factor == "volume":
            return "volume"
        return self.category or "stage"


def _factor_label(factor: str, starts_at: str) -> str:
    if factor == "volume" and starts_at != "mqls":
        return "opportunities opened"
    return FACTOR_LABELS.get(factor, factor.replace("_", " "))


def bridge_bars(report: Mapping[str, Any]) -> list[Bar]:
    """The waterfall's bars, in the report's factor order (see the module docstring)."""
    starts_at = str(report.get("bridge_starts_at") or "mqls")
    totals = {str(t["factor"]): bool(t["significant"]) for t in report.get("factor_totals") or []}
    groups: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
    for e in report.get("effects") or []:
        groups.setdefault((str(e["factor"]), e.get("category")), []).append(e)
    factors = list(report.get("factors") or [])
    factors += [f for f, _ in groups if f not in factors]
    order = {"product": 0, "process": 1, "market": 2, "unclassified": 3, None: 4}
    bars = []
    for factor in factors:
        keys = sorted((k for k in groups if k[0] == factor), key=lambda k: order.get(k[1], 5))
        split = any(k[1] is not None for k in keys)
        for key in keys:
            rows = groups[key]
            amount = float(sum(float(r["amount"]) for r in rows))
            label = _factor_label(factor, starts_at)
            if split:
                label += f": {key[1]} reasons" if key[1] else ": other"
                significant = any(bool(r["significant"]) for r in rows)
            else:
                significant = totals.get(factor, any(bool(r["significant"]) for r in rows))
            bars.append(Bar(label, factor, key[1], amount, significant))
    return bars


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
    named = [b for b in bars if b.significant]
    cause = (
        f"largest named effect: {max(named, key=lambda b: abs(b.amount)).label}"
        if named
        else f"every effect is {NOISE_TEXT}"
    )
    pct = change / start if start else None
    title = (
        f"Revenue {baseline} → {period}: {money(change, signed=True)}"
        + (f" ({percent(pct, signed=True)})" if pct is not None else "")
        + f"; {cause}"
    )
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=heights,
            base=bases,
            marker={"color": colours},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    for i, b in enumerate(bars, start=1):
        if not b.significant:
            fig.add_annotation(
                x=labels[i],
                y=bases[i] + heights[i],
                text="within normal<br>variation",
                showarrow=False,
                yshift=28,
                font={"size": 9, "color": "#64748b"},
            )
    layout(fig, title=title, height=420)
    fig.update_xaxes(tickangle=-35)
    fig.update_yaxes(tickformat="~s")
    return fig
