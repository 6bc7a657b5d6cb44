"""Product page charts: why a product's deals were lost, by reason category.

>>> fig = loss_reasons_figure([
...     {"category": "product", "deals": 33}, {"category": "market", "deals": 5},
...     {"category": "process", "deals": 1}], product="Insight Cloud", period="2026-Q3")
>>> fig.layout.title.text
'Insight Cloud, 2026-Q3: most lost deals cite product reasons (85%)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from coparent.charts._style import CATEGORY_COLOURS, layout
from coparent.metrics.display import percent

__all__ = ["loss_reasons_figure"]


def loss_reasons_figure(
    categories: Sequence[Mapping[str, Any]], *, product: str, period: str
) -> go.Figure:
    """Lost deals per loss-reason category (product, process, market, unclassified)."""
    rows = [r for r in categories if int(r.get("deals") or 0) > 0]
    total = sum(int(r["deals"]) for r in rows)
    if total:
        top = max(rows, key=lambda r: int(r["deals"]))
        title = (
            f"{product}, {period}: most lost deals cite {top['category']} reasons "
            f"({percent(int(top['deals']) / total)})"
        )
    else:
        title = f"{product}, {period}: no lost deals"
    fig = go.Figure(
        go.Bar(
            x=[int(r["deals"]) for r in rows],
            y=[str(r["category"]) for r in rows],
            orientation="h",
            marker={"color": [CATEGORY_COLOURS.get(str(r["category"]), "#64748b") for r in rows]},
            hovertemplate="%{y}: %{x} lost deals<extra></extra>",
        )
    )
    layout(fig, title=title, height=240)
    fig.update_yaxes(autorange="reversed")
    return fig
