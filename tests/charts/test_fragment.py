"""`charts.fragment`: a figure as data for the page's charts.js, never an inline script."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import plotly.graph_objects as go

from coparent import charts

HOSTILE = "O'Brien </div><script>alert('x')</script> & co"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_a_fragment_is_one_empty_div_whose_data_is_the_figure() -> None:
    fig = go.Figure(go.Bar(x=[HOSTILE, "b"], y=[1, 2]))
    fig.update_layout(title=HOSTILE, height=240)
    html = charts.fragment(fig, div_id="losses-chart")

    assert "<script" not in html
    tags = _parse(html)
    assert [tag for tag, _ in tags] == ["div"]  # the hostile text opened no element
    attrs = tags[0][1]
    assert attrs["id"] == "losses-chart"
    assert attrs["class"] == "plotly-graph-div"
    figure = json.loads(attrs["data-figure"] or "")
    assert figure["data"][0]["x"] == [HOSTILE, "b"]
    assert figure["layout"]["title"]["text"] == HOSTILE
    assert figure["layout"]["height"] == 240
    assert figure["config"] == {"displayModeBar": False, "responsive": True}
