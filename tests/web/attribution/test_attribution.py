"""The attribution page: credits per channel and campaign for a period and a model,
marketing- and sales-sourced revenue, campaign cost and ROI."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from coparent.metrics.periods import parse_period
from coparent.services.attribution import attribution_report
from coparent.workspace import Workspace


def _report(workspace: Path, **kw: object) -> dict[str, object]:
    ws = Workspace(workspace)
    con = ws.connect(ws.settings())
    try:
        return attribution_report(con, settings=ws.settings(), **kw)  # type: ignore[arg-type]
    finally:
        con.disconnect()


def test_the_page_shows_the_chosen_models_credits_and_the_sourced_revenue(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("viewer").get(
        reverse("attribution:home"), {"period": "2026-Q3", "model": "first"}
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Attribution · 2026-Q3" in html
    assert "data-figure=" in html  # the chart, drawn by the static charts.js
    assert "<script>" not in html.split("<main", 1)[1]  # no inline script under the CSP
    expected = _report(workspace, model="first", by="channel", period=parse_period("2026-Q3"))
    top = max(expected["credits"], key=lambda r: r["value"])  # type: ignore[index]
    assert f"<td>{top['channel']}</td>" in html
    assert "Marketing-sourced" in html
    assert "Sales-sourced" in html
    assert "Per campaign, with cost and ROI" in html


def test_per_campaign_the_page_shows_cost_and_roi_from_the_campaigns_table(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(
        login("viewer")
        .get(reverse("attribution:home"), {"period": "2026-Q3", "by": "campaign"})
        .content.decode()
    )
    assert "Campaign cost and return" in html
    report = _report(workspace, model="linear", by="campaign", period=parse_period("2026-Q3"))
    returns = report["campaign_returns"]
    assert returns, "the demo's campaigns carry a cost"
    best = max(returns, key=lambda r: r["value"])  # type: ignore[arg-type,index]
    assert best["name"] in html
    assert best["roi"] == pytest.approx((best["value"] - best["cost"]) / best["cost"])


def test_a_campaign_cost_counts_only_the_share_of_its_days_in_the_period(
    workspace: Path,
) -> None:
    # The demo's quarter campaigns run a whole quarter: inside it their full cost counts,
    # outside it none; the all-time report counts every cost in full.
    quarter = _report(workspace, model="linear", by="campaign", period=parse_period("2026-Q3"))
    whole = _report(workspace, model="linear", by="campaign")
    in_quarter = {r["campaign"]: r["cost"] for r in quarter["campaign_returns"]}  # type: ignore[union-attr,index]
    full = {r["campaign"]: r["cost"] for r in whole["campaign_returns"]}  # type: ignore[union-attr,index]
    assert set(in_quarter) < set(full)
    for campaign, cost in in_quarter.items():
        assert 0 < cost <= full[campaign] + 1e-9


def test_a_period_credits_only_its_own_conversions(workspace: Path) -> None:
    q3 = _report(workspace, model="linear", period=parse_period("2026-Q3"))
    q2 = _report(workspace, model="linear", period=parse_period("2026-Q2"))
    whole = _report(workspace, model="linear")
    assert q3["source"]["period"]["label"] == "2026-Q3"  # type: ignore[index]
    assert 0 < q3["totals"]["conversions"] < whole["totals"]["conversions"]  # type: ignore[index]
    assert (
        q3["totals"]["conversions"] + q2["totals"]["conversions"]  # type: ignore[index]
        <= whole["totals"]["conversions"]  # type: ignore[index]
    )
    credited = sum(r["value"] for r in q3["credits"])  # type: ignore[union-attr]
    assert credited == pytest.approx(q3["totals"]["value"])  # type: ignore[index]


def test_an_unknown_model_is_a_400_in_words(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("viewer").get(reverse("attribution:home"), {"model": "magic"})
    assert response.status_code == 400
    assert "model" in unescape(response.content.decode())


def test_without_touches_the_page_says_what_to_import(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(login("viewer").get(reverse("attribution:home")).content.decode())
    assert "The warehouse has no 'touches' table yet." in html
    assert "coparent import touches FILE" in html
    assert "0%" not in html.split("<main", 1)[1]  # a missing input reads "no data", never 0%
