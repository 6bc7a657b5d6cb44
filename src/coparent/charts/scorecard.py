"""Scorecard charts: the shared goal, the funnel, speed to lead and SLA compliance over time.

Each builder takes a part of `coparent.services.scorecard.scorecard_report`'s
JSON-ready dict (or of the funnel report) and returns a figure whose title
states what the chart shows.

Examples
--------
>>> fig = funnel_figure([
...     {"stage": "mql", "count": 574, "conversion": None},
...     {"stage": "accepted", "count": 268, "conversion": 0.467},
...     {"stage": "opportunity", "count": 116, "conversion": 0.433},
...     {"stage": "won", "count": 22, "conversion": 0.19},
... ])
>>> fig.layout.title.text
'574 MQLs became 22 won deals (3.8%)'
>>> funnel_figure([{"stage": "mql", "count": 574, "conversion": None}],
...               period="2026-Q3").layout.title.text
'574 MQLs of 2026-Q3: how far they got'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from coparent.charts._style import GOOD, MARKETING, MUTED, NOISE, SALES, TOTAL, WARN, layout
from coparent.metrics.display import count, hours, label, money, percent

__all__ = [
    "STAGE_LABELS",
    "funnel_figure",
    "goal_figure",
    "sla_compliance_figure",
    "speed_histogram_figure",
]

STAGE_LABELS = {
    "mql": "MQLs",
    "accepted": "Accepted",
    "opportunity": "Opportunities",
    "won": "Won",
}
_STAGE_WORDS = {
    "mql": "MQLs",
    "accepted": "accepted leads",
    "opportunity": "opportunities",
    "won": "won deals",
}
_STATUS_WORDS = {
    "achieved": "achieved",
    "on_track": "on track",
    "at_risk": "at risk",
    "missed": "missed",
    "not_started": "not started",
}


def goal_figure(goal: Mapping[str, Any], *, period: str) -> go.Figure:
    """Progress to the shared goal: actual so far, the run-rate forecast and the target.

    >>> fig = goal_figure({"target": 400000.0, "actual": 300000.0, "forecast": 420000.0,
    ...                    "status": "on_track"}, period="2026-Q3")
    >>> fig.layout.title.text
    '2026-Q3: $300,000 of the $400,000 goal (75%), on track'
    """
    target = float(goal.get("target") or 0.0)
    actual = float(goal.get("actual") or 0.0)
    forecast = goal.get("forecast")
    status = str(goal.get("status") or "")
    share = actual / target if target else None
    words = _STATUS_WORDS.get(status, status.replace("_", " "))
    title = f"{period}: {money(actual)} of the {money(target)} goal ({percent(share)})"
    if words:
        title += f", {words}"
    colour = GOOD if status in ("achieved", "on_track") else WARN
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[actual],
            y=["won revenue"],
            orientation="h",
            marker={"color": colour},
            text=[money(actual, short=True)],
            textposition="inside",
            hovertemplate="won so far: %{x:,.0f}<extra></extra>",
            width=0.5,
        )
    )
    if forecast is not None:
        fig.add_trace(
            go.Scatter(
                x=[float(forecast)],
                y=["won revenue"],
                mode="markers",
                marker={"symbol": "diamond", "size": 14, "color": TOTAL},
                hovertemplate="forecast at period end: %{x:,.0f}<extra></extra>",
            )
        )
    upper = max(target, actual, float(forecast or 0.0)) * 1.08 or 1.0
    fig.add_shape(
        type="line", x0=target, x1=target, y0=-0.45, y1=0.45, line={"color": TOTAL, "width": 3}
    )
    fig.add_annotation(
        x=target,
        y=0.5,
        text=f"goal {money(target, short=True)}",
        showarrow=False,
        yanchor="bottom",
        xanchor="right",  # ends at the goal line, so it stays inside the chart on a phone
    )
    layout(fig, title=title, height=170)
    fig.update_xaxes(range=[0, upper], tickformat="~s")
    fig.update_yaxes(showticklabels=False)
    return fig


def funnel_figure(funnel: Sequence[Mapping[str, Any]], *, period: str | None = None) -> go.Figure:
    """The MQLs of a period and how far they got: MQL → accepted → opportunity → won.

    A cohort, not flows: every stage counts the same leads. A stage without
    data (count null: its inputs were never imported) is left out rather
    than drawn as 0.
    """
    funnel = [r for r in funnel if r.get("count") is not None]
    labels = [STAGE_LABELS.get(str(r["stage"]), str(r["stage"])) for r in funnel]
    counts = [int(r["count"] or 0) for r in funnel]
    # short enough to sit beside the narrowest bar on a phone; the hover says "of the step before"
    texts = [
        count(c) + (f" ({percent(r['conversion'])})" if r["conversion"] else "")
        for c, r in zip(counts, funnel, strict=True)
    ]
    hovers = [
        f"{stage}: {count(c)}"
        + (f", {percent(r['conversion'])} of the step before" if r["conversion"] else "")
        for stage, c, r in zip(labels, counts, funnel, strict=True)
    ]
    first, last = (counts[0], counts[-1]) if counts else (0, 0)
    of = f" of {period}" if period else ""
    first_words = _STAGE_WORDS.get(str(funnel[0]["stage"]), labels[0]) if funnel else ""
    if funnel and first and len(funnel) > 1:
        end_words = _STAGE_WORDS.get(str(funnel[-1]["stage"]), labels[-1])
        title = (
            f"{count(first)} {first_words}{of} became "
            f"{count(last)} {end_words} ({percent(last / first)})"
        )
    elif funnel and first:
        title = f"{count(first)} {first_words}{of}: how far they got"
    else:
        title = f"No MQLs in {period}" if period else "No MQLs in this period"
    fig = go.Figure(
        go.Funnel(
            y=labels,
            x=counts,
            text=texts,
            textinfo="text",
            textposition="auto",
            hovertext=hovers,
            hoverinfo="text",
            marker={"color": [MARKETING, MARKETING, SALES, SALES][: len(counts)]},
            # each bar's stage: a click opens the rows behind it (coparent/drill.js)
            customdata=[str(r["stage"]) for r in funnel],
        )
    )
    return layout(fig, title=title, height=300)


def speed_histogram_figure(speed: Mapping[str, Any]) -> go.Figure:
    """How long MQLs waited for a first contact, bins within the SLA in colour."""
    sla = float(speed.get("sla_hours") or 24.0)
    rows = list(speed.get("histogram") or [])
    labels = [str(r["label"]) for r in rows]
    values = [int(r["count"] or 0) for r in rows]
    colours = []
    for r in rows:
        upper = r.get("upper_hours")
        if r.get("lower_hours") is None:
            colours.append(MUTED)
        elif upper is not None and float(upper) <= sla:
            colours.append(GOOD)
        else:
            colours.append(WARN)
    if rows:
        title = (
            f"{percent(speed.get('share_within_sla'))} of MQLs were contacted within "
            f"{hours(sla)}; median wait {hours(speed.get('median_hours'))}"
        )
    else:
        title = "No first-contact times: import leads with first_contacted_at, or activities"
    # horizontal bars, fastest first: the bins' labels stay level and apart at any width
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker={"color": colours},
            text=[count(v) for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} MQLs<extra></extra>",
        )
    )
    layout(fig, title=title, height=max(260, 90 + 26 * len(rows)))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title_text="MQLs", nticks=5)
    return fig


def sla_compliance_figure(
    rows: Sequence[Mapping[str, Any]], *, sla_hours: float, every: str = "week"
) -> go.Figure:
    """Share of MQLs contacted within the SLA, and acceptance, bucket by bucket.

    >>> fig = sla_compliance_figure(
    ...     [{"bucket": "2026-07-06", "share_within_sla": 0.5, "acceptance_rate": 0.4},
    ...      {"bucket": "2026-07-13", "share_within_sla": 0.75, "acceptance_rate": None}],
    ...     sla_hours=24)
    >>> fig.layout.title.text
    'Contacted within 24 hours: 50% in the first week, 75% in the last'
    """
    xs = [str(r["bucket"]) for r in rows]
    share = [r.get("share_within_sla") for r in rows]
    accepted = [r.get("acceptance_rate") for r in rows]
    known = [s for s in share if s is not None]
    if known:
        title = (
            f"{label('sales_sla_share', sla_hours=sla_hours)}: {percent(known[0])} in the first "
            f"{every}, {percent(known[-1])} in the last"
        )
    else:
        title = f"No MQL was judged against the {hours(sla_hours)} SLA in this period"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=share,
            mode="lines+markers",
            name="contacted within SLA",
            line={"color": SALES, "width": 3},
            hovertemplate="%{x}: %{y:.0%} within SLA<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=accepted,
            mode="lines+markers",
            name="accepted (of decided MQLs)",
            line={"color": MARKETING, "width": 2, "dash": "dot"},
            hovertemplate="%{x}: %{y:.0%} accepted<extra></extra>",
        )
    )
    # the legend sits between the title and the plot, never over the axis labels; the days
    # are a date axis, so Plotly keeps as many level labels as the width holds
    layout(
        fig,
        title=title,
        height=320,
        showlegend=True,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
    )
    fig.update_layout(margin={"t": 84})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(type="date", tickangle=0, nticks=6, linecolor=NOISE)
    return fig
