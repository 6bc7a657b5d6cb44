"""Plotly figure builders: pure functions from report dicts to figures.

The only core module that imports plotly. Every figure's title states its
message; `fragment` renders a figure as an HTML ``<div>`` that expects
``plotly.min.js`` to be loaded once by the page (no CDN, no inlined library).
"""

from __future__ import annotations

import plotly.graph_objects as go

from coparent.charts.diagnosis import bridge_bars, waterfall_figure
from coparent.charts.products import loss_reasons_figure
from coparent.charts.scorecard import (
    funnel_figure,
    goal_figure,
    sla_compliance_figure,
    speed_histogram_figure,
)

__all__ = [
    "bridge_bars",
    "fragment",
    "funnel_figure",
    "goal_figure",
    "loss_reasons_figure",
    "sla_compliance_figure",
    "speed_histogram_figure",
    "waterfall_figure",
]

_CONFIG = {"displayModeBar": False, "responsive": True}


def fragment(fig: go.Figure, *, div_id: str) -> str:
    """The figure as a ``<div>`` plus the script that draws it, for a page with plotly.js.

    >>> html = fragment(go.Figure(), div_id="chart-x")
    >>> 'id="chart-x"' in html and "cdn.plot.ly" not in html
    True
    """
    html: str = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)
    return html
