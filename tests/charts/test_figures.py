"""Figure builders: titles state the message, bars add up, fragments need no CDN."""

from __future__ import annotations

from typing import Any

import pytest

from coparent import charts
from coparent.services.diagnosis import diagnosis_report
from coparent.services.scorecard import scorecard_report
from coparent.settings import Settings
from tests.metrics._tables import demo_con


@pytest.fixture(scope="module")
def scorecard() -> dict[str, Any]:
    return scorecard_report(demo_con(), settings=Settings(goal_won_revenue=1_000_000))


@pytest.fixture(scope="module")
def diagnosis() -> dict[str, Any]:
    return diagnosis_report(demo_con(), settings=Settings())


def test_the_waterfall_bars_add_up_exactly_to_the_revenue_change(
    diagnosis: dict[str, Any],
) -> None:
    bars = charts.bridge_bars(diagnosis)
    assert sum(b.amount for b in bars) == pytest.approx(diagnosis["revenue"]["change"])
    fig = charts.waterfall_figure(diagnosis)
    (trace,) = fig.data
    assert trace.orientation == "h"  # level labels, readable on a phone
    assert len(trace.y) == len(bars) + 2
    assert trace.base[-1] + trace.x[-1] == pytest.approx(diagnosis["revenue"]["current"])


def test_noise_bars_are_grey_and_named_effects_are_coloured(diagnosis: dict[str, Any]) -> None:
    fig = charts.waterfall_figure(diagnosis)
    colours = list(fig.data[0].marker.color)[1:-1]
    ticks = list(fig.data[0].y)[1:-1]
    for bar, colour, tick in zip(charts.bridge_bars(diagnosis), colours, ticks, strict=True):
        assert (colour == "#cbd5e1") == (not bar.significant)
        assert ("within normal variation" in tick) == (not bar.significant)
    assert any(b.significant and b.colour_key == "volume" for b in charts.bridge_bars(diagnosis))


def test_the_waterfall_agrees_with_the_factor_totals_and_the_findings(
    diagnosis: dict[str, Any],
) -> None:
    bars = charts.bridge_bars(diagnosis)
    for total in diagnosis["factor_totals"]:
        mine = [b for b in bars if b.factor == total["factor"]]
        assert sum(b.amount for b in mine) == pytest.approx(total["amount"])
        assert all(b.significant == total["significant"] for b in mine if not b.mix)
    title = charts.waterfall_figure(diagnosis).layout.title.text
    # the title names what the headline names, and nothing the table calls noise
    assert title.endswith("named: MQLs, product signal in Insight Cloud")
    assert "fewer MQLs" in diagnosis["headline"]
    assert "a product signal in Insight Cloud" in diagnosis["headline"]


def test_every_figure_has_a_title_that_states_its_message(
    scorecard: dict[str, Any], diagnosis: dict[str, Any]
) -> None:
    figures = [
        charts.goal_figure(scorecard["goal"], period=scorecard["period"]["label"]),
        charts.funnel_figure(scorecard["funnel"]),
        charts.speed_histogram_figure(scorecard["speed_to_lead"]),
        charts.sla_compliance_figure([], sla_hours=24),
        charts.waterfall_figure(diagnosis),
        charts.loss_reasons_figure([], product="X", period="2026-Q3"),
        charts.funnel_figure([]),
    ]
    for fig in figures:
        title = fig.layout.title.text
        assert len(title or "") > 15, title


def test_the_goal_title_says_how_far_and_whether_on_track(scorecard: dict[str, Any]) -> None:
    title = charts.goal_figure(scorecard["goal"], period="2026-Q3").layout.title.text
    assert title.startswith("2026-Q3: $")
    assert "of the $1,000,000 goal" in title


def test_a_fragment_loads_no_library_and_no_cdn(scorecard: dict[str, Any]) -> None:
    html = charts.fragment(charts.funnel_figure(scorecard["funnel"]), div_id="f")
    assert 'id="f"' in html
    assert "cdn" not in html.lower()
    assert len(html) < 50_000
