"""Colours and the shared layout of every chart (one look for both teams)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

MARKETING = "#0f766e"
SALES = "#4338ca"
CATEGORY_COLOURS = {
    "volume": "#2563eb",
    "process": "#d97706",
    "product": "#9333ea",
    "market": "#0891b2",
    "unclassified": "#64748b",
    "stage": "#475569",
}
NOISE = "#cbd5e1"
TOTAL = "#334155"
GOOD = "#15803d"
WARN = "#b45309"
MUTED = "#94a3b8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def layout(fig: go.Figure, *, title: str, height: int = 320, **extra: Any) -> go.Figure:
    """Title (the chart's message), compact margins, no fixed width (phones resize it)."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height,
        autosize=True,
        margin={"l": 8, "r": 8, "t": 56, "b": 8},
        font={"family": FONT, "size": 12, "color": "#1e293b"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        **{"showlegend": False, **extra},
    )
    fig.update_xaxes(automargin=True, gridcolor="#e2e8f0", zeroline=False)
    fig.update_yaxes(automargin=True, gridcolor="#e2e8f0", zeroline=False)
    return fig
