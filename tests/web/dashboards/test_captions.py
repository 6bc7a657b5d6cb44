"""The funnels say what they show: the MQLs of the period and how far they got, not flows."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path

from django.test import Client
from django.urls import reverse
from rich.console import Console

from coparent.commands.reports import print_scorecard
from coparent.services.scorecard import scorecard_report
from coparent.workspace import Workspace

COHORT = "MQLs of 2026-Q3 and how far they got"


def test_the_scorecard_funnel_is_the_mql_cohort_and_its_deals_are_the_periods(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(login("viewer").get(reverse("dashboards:scorecard")).content.decode())
    assert f"<h2>{COHORT}</h2>" in html
    assert "Flow counts" not in html
    assert "each stage counted if they reached it by 30 Sep 2026" in html
    assert "574 MQLs of 2026-Q3 became 22 won deals" in html  # the chart's title
    assert "<h3>Deals closed in 2026-Q3</h3>" in html  # the 54 won deals are not the funnel's


def test_the_funnel_page_says_cohort_and_not_flow_ratios(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(login("viewer").get(reverse("dashboards:funnel")).content.decode())
    assert f"<h2>{COHORT}</h2>" in html
    assert "Flow ratios above" not in html
    assert "how far they had got by the end of 2026-Q3" in html


def test_the_cli_titles_the_funnel_as_the_cohort(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    con = ws.connect(ws.settings())
    try:
        report = scorecard_report(con, settings=ws.settings())
    finally:
        con.disconnect()
    console = Console(width=200, record=True)
    print_scorecard(report, console)
    text = console.export_text()
    assert f"{COHORT} by 2026-09-30 (a cohort, not flows)" in text
    assert "Deals closed in 2026-Q3: won revenue $" in text
