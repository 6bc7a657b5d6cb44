"""The attribution report: the demo company end to end, a path file, missing data."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import ibis
import pytest
from ibis.backends import BaseBackend

from coparent.demo import DemoCompany, generate
from coparent.errors import MissingDataError
from coparent.models.attribution import MODELS, PathFileRejected, TouchTimesRequired
from coparent.services.attribution import attribution_paths_report, attribution_report
from coparent.settings import Settings
from tests.conftest import SHARED_DATA, needs_shared

TABLES = ("touches", "activities", "leads", "opportunities")
DATA_CSV = SHARED_DATA / "channel-attribution-paths" / "Data.csv"


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate("small")


@pytest.fixture(scope="module")
def con(company: DemoCompany) -> BaseBackend:
    con = ibis.duckdb.connect()
    for name in TABLES:
        con.create_table(name, company.tables[name])
    return con


@pytest.fixture(scope="module")
def report(con: BaseBackend) -> dict[str, Any]:
    return attribution_report(con, settings=Settings())


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_the_demo_report_is_plain_json_with_the_documented_keys(report: dict[str, Any]) -> None:
    assert set(report) == {
        "model", "models", "by", "source", "options", "totals", "credits", "markov",
        "sourcing", "campaign_returns", "notes", "warnings",
    }  # fmt: skip
    assert report["campaign_returns"] is None  # by channel: no cost to set against
    assert _plain(report)
    assert json.loads(json.dumps(report)) == report
    assert report["model"] == "all"
    assert report["models"] == list(MODELS)
    assert {"model", "channel", "conversions", "value"} <= set(report["credits"][0])
    markov_rows = [r for r in report["credits"] if r["model"] == "markov"]
    assert all("removal_effect" in r for r in markov_rows)


def test_every_model_credits_exactly_the_conversions_and_value_of_the_demo(
    report: dict[str, Any],
) -> None:
    totals = report["totals"]
    assert totals["conversions"] > 1000
    assert totals["journeys"] == 6000
    for name in MODELS:
        rows = [r for r in report["credits"] if r["model"] == name]
        assert {r["channel"] for r in rows} >= {"webinar", "outbound", "sales_call"}
        assert sum(r["conversions"] for r in rows) == pytest.approx(totals["conversions"])
        assert sum(r["value"] for r in rows) == pytest.approx(totals["value"])


def test_deals_without_a_lead_are_counted_as_unlinked(
    report: dict[str, Any], company: DemoCompany
) -> None:
    opportunities = company.tables["opportunities"]
    assert report["totals"]["unlinked_conversions"] == opportunities["lead_id"].null_count
    assert report["totals"]["unattributed_conversions"] == 0  # every demo lead has a touch


def _marketing_sourced_share(company: DemoCompany) -> float:
    """The generator's marketing-sourced share of won revenue, counted from its own rows.

    Independent of coparent's engine code: plain Python over the generated tables, with the
    documented rule (first step before the win; outbound touches and activities are Sales';
    a tie at the first instant counts for Sales).
    """
    tables = {name: company.tables[name].to_pylist() for name in TABLES}
    opportunity_lead = {o["opportunity_id"]: o["lead_id"] for o in tables["opportunities"]}
    for lead in tables["leads"]:
        if lead["opportunity_id"] and opportunity_lead.get(lead["opportunity_id"]) is None:
            opportunity_lead[lead["opportunity_id"]] = lead["lead_id"]
    steps: dict[str, list[tuple[Any, bool]]] = defaultdict(list)
    for t in tables["touches"]:
        steps[t["lead_id"]].append((t["occurred_at"], t["channel"] != "outbound"))
    for a in tables["activities"]:
        lead = a["lead_id"] or opportunity_lead.get(a["opportunity_id"])
        steps[lead].append((a["occurred_at"], False))
    marketing = total = 0.0
    for deal in tables["opportunities"]:
        if deal["status"] != "won" or deal["closed_at"] is None:
            continue
        total += deal["amount"]
        before = [s for s in steps.get(opportunity_lead[deal["opportunity_id"]], [])
                  if s[0] <= deal["closed_at"]]  # fmt: skip
        if before and min(before)[1]:  # (time, False) sorts before (time, True): Sales wins ties
            marketing += deal["amount"]
    return marketing / total


def test_marketing_sourced_share_equals_the_generators_own_count(
    report: dict[str, Any], company: DemoCompany
) -> None:
    rows = {r["group"]: r for r in report["sourcing"]["rows"]}
    expected = _marketing_sourced_share(company)
    assert 0.3 < expected < 0.9
    assert rows["marketing_sourced"]["revenue_share"] == pytest.approx(expected, rel=1e-12)
    sourced = ("marketing_sourced", "sales_sourced", "no_touch_recorded")
    assert sum(rows[g]["revenue"] for g in sourced) == pytest.approx(report["sourcing"]["revenue"])


def test_campaign_credits_name_the_campaign_and_its_channel(con: BaseBackend) -> None:
    report = attribution_report(con, settings=Settings(), model="linear", by="campaign")
    rows = report["credits"]
    assert {"campaign", "channel", "conversions", "value"} <= set(rows[0])
    campaigns = {r["campaign"]: r["channel"] for r in rows}
    assert campaigns["organic (no campaign)"] == "organic"
    assert sum(r["conversions"] for r in rows) == pytest.approx(report["totals"]["conversions"])


def test_won_conversions_and_account_journeys_run_too(con: BaseBackend) -> None:
    won = attribution_report(con, settings=Settings(), model="markov", conversion="won", order=2)
    assert won["markov"]["order"] == 2
    assert won["markov"]["states"] > 9
    accounts = attribution_report(con, settings=Settings(), model="first", journey="account")
    assert accounts["source"] == {
        "kind": "warehouse",
        "journey": "account",
        "conversion": "opportunity",
        "period": None,  # all time
    }
    assert accounts["totals"]["journeys"] < won["totals"]["journeys"]


def test_a_warehouse_without_touches_says_what_to_import() -> None:
    con = ibis.duckdb.connect()
    with pytest.raises(MissingDataError, match="touches"):
        attribution_report(con, settings=Settings())


@needs_shared(DATA_CSV, "ChannelAttribution example paths")
def test_a_path_file_runs_every_model_but_time_decay_and_says_why() -> None:
    report = attribution_paths_report(DATA_CSV, settings=Settings())
    assert report["models"] == ["first", "last", "linear", "position", "markov"]
    assert any("time-decay" in note for note in report["notes"])
    assert report["totals"]["conversions"] == 19785
    assert report["sourcing"] is None
    alpha = next(r for r in report["credits"] if r["model"] == "markov" and r["channel"] == "alpha")
    assert alpha["removal_effect"] == pytest.approx(0.5584, abs=1e-4)
    with pytest.raises(TouchTimesRequired, match="time of every touch"):
        attribution_paths_report(DATA_CSV, settings=Settings(), model="time-decay")


def test_a_bad_path_file_is_rejected_with_its_issues(tmp_path: Path) -> None:
    bad = tmp_path / "paths.csv"
    bad.write_text("path;total_conversions;total_conversion_value;total_null\n;1;2;3\n")
    with pytest.raises(PathFileRejected) as caught:
        attribution_paths_report(bad, settings=Settings())
    assert [i.code.value for i in caught.value.issues] == ["attribution.E201"]


def test_path_models_give_the_same_bits_on_every_run(con: BaseBackend) -> None:
    # The engine returns unique paths in any order (parallel grouping); the
    # service orders them, so float sums over paths are identical run to run.
    runs = [
        attribution_report(con, settings=Settings(), model=name)["credits"]
        for name in ("linear", "position", "markov")
        for _ in range(3)
    ]
    for first in range(0, len(runs), 3):
        assert runs[first] == runs[first + 1] == runs[first + 2]


def test_campaign_roi_is_credited_value_against_the_periods_share_of_the_cost() -> None:
    # Hand-computed for 2026-Q3: C1 costs 900 over 1-30 Sep, all inside Q3: 900 in full.
    # C2 costs 600 from 15 Jun to 14 Jul (30 days): 14 of its days fall in Q3 (1-14 Jul),
    # 600 x 14/30 = 280. C3 has no cost.
    from datetime import date as _date

    import pyarrow as pa

    from coparent import warehouse
    from coparent.metrics.periods import parse_period
    from coparent.services.attribution import campaign_returns

    con = warehouse.connect("duckdb://")
    warehouse.write_table(
        con,
        "campaigns",
        pa.table(
            {
                "campaign_id": ["C1", "C2", "C3"],
                "name": ["Autumn webinar", "Summer search", "Free guide"],
                "channel": ["webinar", "paid_search", "organic"],
                "started_on": [_date(2026, 9, 1), _date(2026, 6, 15), _date(2026, 7, 1)],
                "ended_on": [_date(2026, 9, 30), _date(2026, 7, 14), None],
                "cost": [900.0, 600.0, None],
            }
        ),
    )
    credits = [
        {
            "model": "linear",
            "campaign": "C1",
            "channel": "webinar",
            "conversions": 3.0,
            "value": 2700.0,
        },
        {
            "model": "linear",
            "campaign": "C3",
            "channel": "organic",
            "conversions": 1.0,
            "value": 50.0,
        },
    ]
    rows = {
        r["campaign"]: r
        for r in campaign_returns(con, credits, period=parse_period("2026-Q3")) or []
    }
    assert set(rows) == {"C1", "C2"}  # C3 has no cost: no ROI to show
    assert rows["C1"]["cost"] == pytest.approx(900.0)
    assert rows["C1"]["roi"] == pytest.approx((2700.0 - 900.0) / 900.0)  # +200%
    assert rows["C2"]["cost"] == pytest.approx(280.0)
    assert rows["C2"]["value"] == 0.0
    assert rows["C2"]["roi"] == -1.0  # spent in the period, credited nothing
    whole = {r["campaign"]: r for r in campaign_returns(con, credits) or []}
    assert whole["C2"]["cost"] == pytest.approx(600.0)
    no_cost = warehouse.connect("duckdb://")
    assert campaign_returns(no_cost, credits) is None
