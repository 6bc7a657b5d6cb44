"""Plotly figure builders: pure functions from report dicts to figures.

The only core module that imports plotly. Every figure's title states its
message; `fragment` renders a figure as an HTML ``<div>`` holding its JSON, which
the page's ``charts.js`` draws with ``plotly.min.js`` loaded once (no CDN, no
inlined library, no inline script).
"""

from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from coparent.charts.attribution import credits_figure
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
    "credits_figure",
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
    """The figure as an empty ``<div>`` holding its JSON, for a page with plotly.js and charts.js.

    No inline script: the page draws each ``[data-figure]`` once the layout has
    settled, on load and after every HTMX swap, and purges the charts a swap
    removes. So a swapped-in chart is measured where it lands, and the markup
    works under a Content-Security-Policy without ``'unsafe-inline'``.

    >>> out = fragment(go.Figure(), div_id="chart-x")
    >>> 'id="chart-x"' in out and "data-figure=" in out
    True
    >>> "<script" in out or "cdn.plot.ly" in out
    False
    """
    spec = fig.to_plotly_json()
    figure = to_json_plotly(
        {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": _CONFIG}
    )
    # A single-quoted attribute, so JSON's many double quotes need no &quot;.
    value = html.escape(figure, quote=False).replace("'", "&#x27;")
    ident = html.escape(div_id)
    return f'<div id="{ident}" class="plotly-graph-div" data-figure=\'{value}\'></div>'
