"""The pages that show facts: the numbers come from the core reports, formatted for people."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coparent.metrics.display import money, percent
from coparent.services.scorecard import scorecard_report
from coparent.workspace import Workspace


@pytest.fixture(scope="module")
def report(demo_workspace: Path) -> dict[str, Any]:
    ws = Workspace(demo_workspace)
    con = ws.connect(ws.settings())
    try:
        return scorecard_report(con, settings=ws.settings())
    finally:
        con.disconnect()


def test_scorecard_shows_the_core_report_numbers_formatted(
    workspace: Path, login: Callable[[str], Client], report: dict[str, Any]
) -> None:
    html = login("viewer").get(reverse("dashboards:scorecard")).content.decode()
    assert f"Scorecard · {report['period']['label']}" in html
    assert money(report["revenue"]) in html
    assert percent(report["win_rate"]) in html
    assert percent(report["sla"]["sales"]["share_within_sla"]) in html
    assert 'id="funnel-chart"' in html
    assert "plotly/plotly.min.js" in html
    assert "cdn.plot.ly" not in html


def test_scorecard_puts_both_teams_side_by_side_with_their_champions(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    html = unescape(login("owner").get(reverse("dashboards:scorecard")).content.decode())
    assert html.index('id="side-marketing"') < html.index('id="side-sales"')
    assert "champion: Champion Sales" in html
    assert "champion: Champion Marketing" in html
    assert "Waiting for Marketing's answer" in html
    assert "Waiting for Sales' answer" in html


def test_a_period_picker_change_swaps_only_the_page_body(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("viewer").get(
        reverse("dashboards:scorecard"), {"period": "2026-Q2"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Scorecard · 2026-Q2" in html


def test_a_period_that_does_not_parse_is_a_400_that_says_how_to_write_one(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("viewer").get(reverse("dashboards:diagnosis"), {"period": "last week"})
    assert response.status_code == 400
    assert "2026-Q3 (quarter)" in response.content.decode()


def test_every_empty_page_says_what_to_import(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    for name in (
        "dashboards:scorecard",
        "dashboards:diagnosis",
        "dashboards:funnel",
        "dashboards:products",
        "feedback:home",
        "wins:home",
        "imports:data",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert 'class="empty"' in text, name
        assert "import" in text.lower(), name


def test_no_workspace_at_all_is_an_empty_state_too(
    settings: Any, tmp_path: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    settings.COPARENT_WORKSPACE = str(tmp_path / "nowhere")
    html = login("owner").get(reverse("dashboards:scorecard")).content.decode()
    assert "there is no workspace at" in html.lower()
    assert "coparent init" in html


def test_diagnosis_shows_the_waterfall_the_verdicts_and_the_narrative(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("dashboards:diagnosis")).content.decode()
    assert 'id="bridge-chart"' in html
    assert "product signal" in html  # Insight Cloud's planted product gap
    assert "within normal variation" in html
    assert 'id="narrative"' in html


def test_the_scorecard_and_the_diagnosis_name_the_same_findings(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    scorecard = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    diagnosis = unescape(client.get(reverse("dashboards:diagnosis")).content.decode())
    for html in (scorecard, diagnosis):
        assert "a product signal in Insight Cloud" in html  # the headline, from findings[]
        assert "Insight Cloud: a product signal, a lower win rate" in html  # the list under it
        assert "Fewer MQLs: " in html


def test_diagnosis_by_channel_and_against_last_year(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = (
        login("viewer")
        .get(reverse("dashboards:diagnosis"), {"by": "channel", "against": "last-year"})
        .content.decode()
    )
    assert "By channel" in html
    assert "webinar" in html


def test_diagnosis_against_a_goal_without_one_says_how_to_set_it(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = (
        login("viewer").get(reverse("dashboards:diagnosis"), {"against": "goal"}).content.decode()
    )
    assert "no revenue goal is set" in html.lower()
    assert "Setup" in html


def test_funnel_page_by_channel_has_the_table_and_the_three_charts(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("dashboards:funnel"), {"by": "channel"}).content.decode()
    for chart in ("funnel-chart", "speed-chart", "compliance-chart"):
        assert f'id="{chart}"' in html
    assert "By channel" in html
    assert "webinar" in html
    assert "Cohort conversion" in html


def test_products_list_links_each_product_page(
    workspace: Path, login: Callable[[str], Client], report: dict[str, Any]
) -> None:
    html = login("viewer").get(reverse("dashboards:products")).content.decode()
    for p in report["products"]:
        assert reverse("dashboards:product", args=[p["product_id"]]) in html


def test_a_product_page_shows_loss_reasons_by_category_and_repeat_purchases(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = (
        login("viewer").get(reverse("dashboards:product", args=["insight-cloud"])).content.decode()
    )
    assert "most lost deals cite product reasons" in html
    assert "Repeat purchases" in html
    assert "Integration not available" in html


def test_an_unknown_product_is_a_404(workspace: Path, login: Callable[[str], Client]) -> None:
    response = login("viewer").get(reverse("dashboards:product", args=["no-such-thing"]))
    assert response.status_code == 404
