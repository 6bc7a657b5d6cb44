"""One truth: each registered metric has the same value on every surface that shows it.

The demo company's default period is read from the scorecard report (the
truth, by the registry's paths) and from every other surface: the CLI's JSON
and its tables, the API, the Funnel & SLA report and page, the diagnosis, the
digest and the Scorecard page. JSON surfaces must hold the same number; text
surfaces must print the registry's label and `coparent.metrics.display`'s
rendering of that number. Each surface must show at least the metrics listed
for it, so the test cannot pass by finding nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rich.console import Console
from typer.testing import CliRunner

from coparent.app.digest.selectors import digest_get, digest_week
from coparent.cli import app
from coparent.commands.reports import print_scorecard
from coparent.metrics import display
from coparent.metrics.registry import METRICS, lookup, metric
from coparent.notify import render_text
from coparent.services.diagnosis import diagnosis_report
from coparent.services.scorecard import scorecard_report
from coparent.services.web_funnel import funnel_report
from coparent.services.winback import winback_list_load, winback_list_values
from coparent.workspace import Workspace
from tests.web.conftest import WINBACK_LIST

TODAY = date(2026, 11, 25)  # after the demo's data end: the digest covers the week they end in
# the goal and the commitment are not set in the demo: those figures are null there
SCORECARD_SHOWN = {m.name for m in METRICS if m.path and m.group != "Shared goal"} - {
    "delivery_rate"
}
FUNNEL_KEYS = {
    "mqls": "mqls",
    "mqls_accepted": "accepted",
    "mql_to_accepted": "mql_to_accepted",
    "mql_opportunities": "opportunities",
    "accepted_to_opportunity": "accepted_to_opportunity",
    "mql_won": "won",
    "opportunity_to_won": "opportunity_to_won",
}
DIAGNOSIS_FACTORS = {
    "volume": "mqls",
    "win_rate": "win_rate",
    "deal_size": "average_deal",
    "acceptance": "flow_acceptance",
    "conversion": "flow_conversion",
    "pace": "flow_pace",
}
SHOWN_AS_TEXT = {
    "cli": {
        "mqls",
        "acceptance_rate",
        "mql_to_accepted",
        "sales_sla_share",
        "median_hours_to_contact",
        "attempts_per_mql",
    },
    "digest": {"acceptance_rate", "mql_to_accepted", "sales_sla_share", "median_hours_to_contact"},
    "scorecard page": {
        "mqls",
        "acceptance_rate",
        "mql_to_accepted",
        "sales_sla_share",
        "median_hours_to_contact",
        "attempts_per_mql",
        "won_revenue",
        "win_rate",
        "average_deal",
        "sales_cycle_days",
    },
}


@pytest.fixture(scope="module")
def ws(demo_workspace: Path) -> Workspace:
    return Workspace(demo_workspace)


@pytest.fixture(scope="module")
def truth(ws: Workspace) -> dict[str, Any]:
    con = ws.connect(ws.settings())
    try:
        return scorecard_report(con, settings=ws.settings())
    finally:
        con.disconnect()


def _by_path(report: Mapping[str, Any]) -> dict[str, Any]:
    return {m.name: lookup(report, m.path) for m in METRICS if m.path}


def _label(name: str, report: Mapping[str, Any]) -> str:
    return display.label(name, sla_hours=report["settings"]["sales_sla_hours"])


def _printed(text: str, name: str, report: Mapping[str, Any], expected: str) -> str | None:
    """What ``text`` prints right after metric ``name``'s label (":" or table rules between):
    ``expected`` when it starts with it and then the figure ends, else what is there."""
    found = re.search(re.escape(_label(name, report)) + r"[\s│:|]*([^│\n<]+)", text)
    if found is None:
        return None
    shown = found.group(1).strip()
    rest = shown[len(expected) :]
    return expected if shown.startswith(expected) and not re.match(r"[\w.,%]", rest) else shown


def _same_text(surface: str, text: str, truth: Mapping[str, Any]) -> None:
    for name in SHOWN_AS_TEXT[surface]:
        expected = display.value(name, lookup(truth, metric(name).path))
        assert _printed(text, name, truth, expected) == expected, f"{surface}: {name}"


def test_json_surfaces_hold_the_scorecards_numbers(
    workspace: Path, ws: Workspace, truth: dict[str, Any], login: Callable[[str], Client]
) -> None:
    expected = _by_path(truth)
    shown = {k for k, v in expected.items() if v is not None}
    assert shown >= SCORECARD_SHOWN
    cli = CliRunner().invoke(app, ["scorecard", "-w", str(ws.path), "--json"])
    assert cli.exit_code == 0, cli.output
    api = login("viewer").get("/api/scorecard").json()
    for surface, report in (("cli --json", json.loads(cli.output)), ("api", api)):
        assert _by_path(report) == expected, surface


def test_the_funnel_page_report_is_the_scorecards_funnel(
    ws: Workspace, truth: dict[str, Any]
) -> None:
    con = ws.connect(ws.settings())
    try:
        report = funnel_report(con, period=truth["period"]["label"], settings=ws.settings())
    finally:
        con.disconnect()
    assert report["as_of"] == truth["as_of"]
    for name, key in FUNNEL_KEYS.items():
        assert report["overall"][key] == lookup(truth, metric(name).path), name


def test_the_diagnosis_shows_the_registered_figures(ws: Workspace, truth: dict[str, Any]) -> None:
    con = ws.connect(ws.settings())
    try:
        report = diagnosis_report(con, settings=ws.settings())
    finally:
        con.disconnect()
    assert report["period"] == truth["period"]["label"]
    assert report["revenue"]["current"] == truth["revenue"]
    factors = {row["factor"]: row["current"] for row in report["factor_totals"]}
    for factor, name in DIAGNOSIS_FACTORS.items():
        if factor in factors and metric(name).path:  # a flow ratio is its own metric
            assert factors[factor] == pytest.approx(lookup(truth, metric(name).path)), name
    assert {"volume", "win_rate", "deal_size"} <= set(factors)


def test_the_cli_tables_print_the_same_figures(truth: dict[str, Any]) -> None:
    console = Console(width=250, record=True)
    print_scorecard(truth, console)
    _same_text("cli", console.export_text(), truth)


def test_the_digest_prints_the_same_figures_as_of_the_same_day(
    workspace: Path, ws: Workspace, truth: dict[str, Any], login: Callable[[str], Client]
) -> None:
    built = digest_get(ws=ws, week=digest_week(today=TODAY, data_last=date(2026, 9, 30)))
    assert built.as_of.isoformat() == truth["as_of"]  # never past the data's last date
    text = render_text(built)
    _same_text("digest", re.sub(r"\s+", " ", text), truth)
    values = winback_list_values(winback_list_load(ws, WINBACK_LIST)["members"])
    assert f"{display.money(values['value_at_stake'])} at stake in the list" in text
    assert (
        f"{display.money(values['to_contact_value_at_stake'])} of it in the accounts to contact"
        in re.sub(r"\s+", " ", text)
    )


def test_the_scorecard_page_prints_the_same_figures(
    workspace: Path, truth: dict[str, Any], login: Callable[[str], Client]
) -> None:
    html = login("owner").get(reverse("dashboards:scorecard")).content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    pattern = r'<div class="value">(.*?)</div><div class="label">(.*?)</div>'
    # a figure may be a link to the rows behind it: its text is the figure
    kpis = {
        unescape(label): unescape(re.sub(r"<[^>]+>", "", value))
        for value, label in re.findall(pattern, html)
    }
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for name in SHOWN_AS_TEXT["scorecard page"]:
        expected = display.value(name, lookup(truth, metric(name).path))
        shown = kpis.get(_label(name, truth)) or _printed(text, name, truth, expected)
        assert shown == expected, name


def test_winback_create_and_the_digest_name_the_same_two_values(ws: Workspace) -> None:
    members = winback_list_load(ws, WINBACK_LIST)["members"]
    values = winback_list_values(members)
    contacted = [m for m in members if m["group"] == "contacted"]
    assert values["value_at_stake"] == round(sum(m["value_at_stake"] for m in members), 2)
    assert values["to_contact_value_at_stake"] == round(
        sum(m["value_at_stake"] for m in contacted), 2
    )
    assert values["to_contact_value_at_stake"] < values["value_at_stake"]
