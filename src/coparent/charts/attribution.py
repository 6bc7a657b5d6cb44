"""Attribution chart: the revenue each channel or campaign is credited under one model.

Horizontal bars (long labels stay readable on a phone), largest first.

>>> fig = credits_figure([
...     {"channel": "webinar", "value": 300.0}, {"channel": "organic", "value": 100.0}],
...     model="linear", label="channel", period="2026-Q3")
>>> fig.layout.title.text
'2026-Q3, linear: webinar is credited the most revenue (75%)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from coparent.charts._style import MARKETING, SALES, layout
from coparent.metrics.display import money, percent

__all__ = ["credits_figure"]

_SHOWN = 12


def credits_figure(
    rows: Sequence[Mapping[str, Any]],
    *,
    model: str,
    label: str,
    period: str,
    sales_channels: Sequence[str] = ("outbound",),
) -> go.Figure:
    """Credited value per ``label`` (``channel`` or ``campaign``) of one model's rows.

    Bars of Sales' own steps (``sales_*`` activities and ``sales_channels``) are
    in Sales' colour, the others in Marketing's.
    """
    ranked = sorted(rows, key=lambda r: -float(r.get("value") or 0.0))[:_SHOWN]
    total = sum(float(r.get("value") or 0.0) for r in rows)
    names = [str(r.get("name") or r[label]) for r in ranked]
    if ranked and total > 0:
        top = ranked[0]
        title = (
            f"{period}, {model}: {top.get('name') or top[label]} is credited the most revenue "
            f"({percent(float(top['value']) / total)})"
        )
    else:
        title = f"{period}, {model}: no revenue to credit"
    colours = [
        SALES
        if str(r.get("channel", "")).startswith("sales_") or r.get("channel") in sales_channels
        else MARKETING
        for r in ranked
    ]
    fig = go.Figure(
        go.Bar(
            x=[float(r.get("value") or 0.0) for r in ranked],
            y=names,
            orientation="h",
            marker={"color": colours},
            text=[money(float(r.get("value") or 0.0)) for r in ranked],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    layout(fig, title=title, height=max(200, 60 + 28 * len(ranked)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False)
    return fig
