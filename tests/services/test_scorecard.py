"""The scorecard report: its JSON shape, its default period, missing tables, real data."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest
from ibis.backends import BaseBackend

from coparent.errors import MissingDataError
from coparent.metrics.deals import deal_summary
from coparent.metrics.periods import parse_period
from coparent.services.imports import import_file
from coparent.services.scorecard import scorecard_report
from coparent.settings import Settings
from tests.conftest import REPO
from tests.metrics._tables import demo, demo_con

MAVEN_MAPPING = REPO / "examples" / "mappings" / "maven-crm.toml"
TOP_KEYS = {
    "period", "as_of", "data_first_at", "data_last_at", "settings", "revenue", "won", "lost",
    "closed", "win_rate", "average_deal", "sales_cycle_days", "pipeline", "funnel", "speed_to_lead",
    "sla", "goal", "products", "channels", "previous", "no_data", "notes", "unlinked_leads",
}  # fmt: skip


def _only_plain_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_plain_json(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def _subset(names: tuple[str, ...]) -> BaseBackend:
    con = ibis.duckdb.connect()
    for name in names:
        con.create_table(name, demo().tables[name])
    return con


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return scorecard_report(demo_con(), settings=Settings())


def test_demo_scorecard_has_every_key_as_plain_json(report: dict[str, Any]) -> None:
    assert set(report) == TOP_KEYS
    assert _only_plain_json(report)
    assert json.loads(json.dumps(report)) == report


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_field_of_the_json_is_documented_in_docs_scorecard() -> None:
    full = scorecard_report(
        demo_con(), settings=Settings(goal_won_revenue=1.0, marketing_mql_commitment=1)
    )
    text = (REPO / "docs" / "scorecard.md").read_text()
    section = text[text.index("## `scorecard --json`") :]
    spans = " ".join(re.findall(r"`([^`]+)`", section))
    missing = sorted(k for k in _keys(full) if not re.search(rf"\b{re.escape(k)}\b", spans))
    assert not missing, f"fields missing from docs/scorecard.md: {missing}"


def test_default_period_is_the_latest_complete_quarter_as_of_the_datas_last_date(
    report: dict[str, Any],
) -> None:
    assert report["period"] == {
        "label": "2026-Q3",
        "kind": "quarter",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "days": 92,
        "complete": True,
        "rule": "latest complete quarter as of the data's last date (2026-09-30)",
    }
    assert report["as_of"] == "2026-09-30"
    assert report["data_last_at"].startswith("2026-09-30T")
    assert report["previous"]["period"]["label"] == "2026-Q2"


def test_demo_scorecard_values_are_sane_and_agree_with_each_other(report: dict[str, Any]) -> None:
    assert report["revenue"] > 0
    assert report["won"] + report["lost"] == report["closed"] > 0
    assert report["win_rate"] == pytest.approx(report["won"] / report["closed"])
    assert [s["stage"] for s in report["funnel"]] == ["mql", "accepted", "opportunity", "won"]
    counts = [s["count"] for s in report["funnel"]]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 0
    assert report["funnel"][0]["conversion"] is None
    sales, marketing = report["sla"]["sales"], report["sla"]["marketing"]
    assert 0 <= sales["share_within_sla"] <= 1
    assert sales["sla_hours"] == 24.0
    assert sales["mqls"] == counts[0] == marketing["mqls_delivered"]
    assert sales["attempts_per_mql"] > 1  # activities are imported in the demo
    assert 0 <= marketing["acceptance_rate"] <= 1
    assert marketing["committed"] is None  # no commitment set
    assert report["goal"] is None
    assert report["speed_to_lead"]["median_hours"] == sales["median_hours"]
    assert sum(b["count"] for b in report["speed_to_lead"]["histogram"]) == sales["mqls"]
    assert report["pipeline"]["open_deals"] > 0
    assert 0 < report["sales_cycle_days"]["median"] < report["sales_cycle_days"]["mean"] < 365
    products = report["products"]
    assert sum(p["revenue"] for p in products) == pytest.approx(report["revenue"])
    assert sum(p["won"] for p in products) == report["won"]
    assert sum(p["open_deals"] for p in products) == report["pipeline"]["open_deals"]
    assert {p["name"] for p in products} >= {"Insight Cloud", "Insight Starter"}
    assert any("goal_won_revenue" in n for n in report["notes"])


def test_the_product_gap_and_the_slow_channel_show_on_the_scorecard(report: dict[str, Any]) -> None:
    facts = demo().truth("product_gap").facts
    cloud = next(p for p in report["products"] if p["product_id"] == facts["product_id"])
    q3, q2 = facts["observed"][facts["quarter"]], facts["observed"][facts["baseline_quarter"]]
    assert (cloud["won"], cloud["lost"]) == (q3["won"], q3["lost"])
    assert (cloud["previous"]["won"], cloud["previous"]["lost"]) == (q2["won"], q2["lost"])
    channels = {c["channel"]: c for c in report["channels"]}
    slow = demo().truth("slow_channel").facts["channel"]
    assert channels[slow]["median_hours"] > 24
    assert min(channels, key=lambda c: channels[c]["share_within_sla"]) == slow


def test_previous_values_are_the_previous_periods_own_figures(report: dict[str, Any]) -> None:
    q2 = scorecard_report(demo_con(), period="2026-Q2", settings=Settings())
    assert q2["period"]["rule"] == "given"
    for key in ("revenue", "won", "lost", "win_rate", "sales_cycle_days", "funnel", "sla"):
        assert report["previous"][key] == q2[key], key


def test_goal_progress_and_marketing_commitment_come_from_the_settings() -> None:
    settings = Settings(goal_won_revenue=600_000.0, marketing_mql_commitment=150)
    q3 = scorecard_report(demo_con(), settings=settings)
    goal = q3["goal"]
    assert (goal["target"], goal["actual"]) == (600_000.0, q3["revenue"])
    assert goal["status"] == ("achieved" if q3["revenue"] >= 600_000 else "missed")
    assert goal["forecast"] == pytest.approx(q3["revenue"])  # the quarter is over
    assert q3["sla"]["marketing"]["committed"] == 450.0
    july = scorecard_report(demo_con(), period="2026-07", settings=settings)
    assert july["goal"]["target"] == pytest.approx(200_000.0)  # a quarter's goal / 3
    assert july["sla"]["marketing"]["committed"] == 150.0


def test_a_report_as_of_mid_quarter_is_to_date_and_says_so() -> None:
    settings = Settings(goal_won_revenue=600_000.0)
    mid = scorecard_report(demo_con(), period="2026-Q3", as_of=date(2026, 8, 15), settings=settings)
    assert mid["period"]["complete"] is False
    assert any("not over" in n for n in mid["notes"])
    to_date = deal_summary(
        demo_con().table("opportunities"),
        period=parse_period("2026-Q3"),
        as_of=datetime(2026, 8, 16),
    )
    assert mid["revenue"] == to_date.to_pyarrow()["revenue"][0].as_py()
    assert mid["goal"]["elapsed_days"] == 46.0  # Jul 1 to the end of Aug 15
    assert mid["goal"]["status"] in ("on track", "at risk", "achieved")
    assert mid["sla"]["sales"]["pending"] >= 0
    default = scorecard_report(demo_con(), as_of=date(2026, 8, 15), settings=settings)
    assert default["period"]["label"] == "2026-Q2"
    assert default["period"]["rule"] == "latest complete quarter as of the as_of date (2026-08-15)"


def test_a_fiscal_year_from_april_names_the_quarter_after_it() -> None:
    got = scorecard_report(demo_con(), settings=Settings(fiscal_year_start_month=4))
    assert (got["period"]["label"], got["period"]["start"]) == ("FY2027-Q2", "2026-07-01")


def test_without_leads_the_lead_parts_are_off_and_the_notes_say_what_to_import() -> None:
    got = scorecard_report(_subset(("products", "opportunities")), settings=Settings())
    assert (got["funnel"], got["speed_to_lead"], got["channels"]) == (None, None, None)
    assert got["sla"] == {"sales": None, "marketing": None}
    assert got["previous"]["sla"] == {"sales": None, "marketing": None}
    assert any(n.startswith("import leads") for n in got["notes"])
    assert got["revenue"] > 0


def test_without_activities_attempts_are_unknown() -> None:
    got = scorecard_report(_subset(("opportunities", "leads")), settings=Settings())
    assert got["sla"]["sales"]["attempts"] is None
    assert got["speed_to_lead"]["source"] == "first_contacted_at"
    assert any("import activities" in n for n in got["notes"])
    assert all(p["name"] is None for p in got["products"])


def test_without_opportunities_the_scorecard_says_to_import_them() -> None:
    with pytest.raises(MissingDataError) as info:
        scorecard_report(_subset(("leads",)), settings=Settings())
    assert "opportunities" in str(info.value)
    assert "coparent import opportunities" in info.value.hint


def test_an_undated_warehouse_needs_a_period_and_a_bad_period_is_refused() -> None:
    con = ibis.duckdb.connect()
    con.create_table("opportunities", demo().tables["opportunities"].slice(0, 0))
    with pytest.raises(MissingDataError, match="no dated facts"):
        scorecard_report(con, settings=Settings())
    empty = scorecard_report(con, period="2026-Q1", settings=Settings())
    assert (empty["revenue"], empty["won"], empty["win_rate"], empty["products"]) == (
        0.0,
        0,
        None,
        [],
    )
    with pytest.raises(ValueError, match="not a period"):
        scorecard_report(con, period="Q3 2026", settings=Settings())


# -- the real CRM data ---------------------------------------------------------


@pytest.fixture
def maven(shared_data: Path) -> BaseBackend:
    folder = shared_data / "crm-sales-opportunities"
    con = ibis.duckdb.connect()
    files = {
        "people": "sales_teams.csv",
        "products": "products.csv",
        "accounts": "accounts.csv",
        "opportunities": "sales_pipeline.csv",
    }
    for table, file in files.items():
        import_file(
            con, table=table, path=folder / file, mapping=MAVEN_MAPPING, settings=Settings()
        )
    return con


def _pandas_outcomes(shared_data: Path, start: str, end: str) -> pd.DataFrame:
    """Won, lost, win rate and revenue per product, straight from the CSV."""
    raw = pd.read_csv(shared_data / "crm-sales-opportunities" / "sales_pipeline.csv")
    raw["product"] = raw["product"].replace({"GTXPro": "GTX Pro"})
    closed = pd.to_datetime(raw["close_date"])
    done = raw[(closed >= start) & (closed < end) & raw["deal_stage"].isin(["Won", "Lost"])]
    won = done["deal_stage"] == "Won"
    out = pd.DataFrame(
        {
            "won": won.groupby(done["product"]).sum(),
            "lost": (~won).groupby(done["product"]).sum(),
            "revenue": done["close_value"].where(won, 0.0).groupby(done["product"]).sum(),
        }
    )
    out["win_rate"] = out["won"] / (out["won"] + out["lost"])
    return out


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [("2017-Q3", "2017-07-01", "2017-10-01"), ("2017", "2017-01-01", "2018-01-01")],
)
def test_maven_crm_products_match_an_independent_pandas_count(
    maven: BaseBackend, shared_data: Path, period: str, start: str, end: str
) -> None:
    got = scorecard_report(maven, period=period, settings=Settings())
    expected = _pandas_outcomes(shared_data, start, end)
    rows = {p["product_id"]: p for p in got["products"]}
    assert set(expected.index) <= set(rows)
    assert "GTXPro" not in rows
    for product, want in expected.iterrows():
        row = rows[product]
        assert (row["won"], row["lost"]) == (int(want["won"]), int(want["lost"])), product
        assert row["revenue"] == pytest.approx(float(want["revenue"])), product
        assert row["win_rate"] == pytest.approx(float(want["win_rate"])), product
    for product in set(rows) - set(expected.index):
        assert (rows[product]["won"], rows[product]["lost"]) == (0, 0)
    assert got["revenue"] == pytest.approx(float(expected["revenue"].sum()))
    assert got["won"] == int(expected["won"].sum())
    assert got["funnel"] is None  # the dataset has no leads


def test_maven_crm_default_period_and_pipeline_without_amounts(maven: BaseBackend) -> None:
    got = scorecard_report(maven, settings=Settings())
    assert got["period"]["label"] == "2017-Q4"
    assert got["data_last_at"] == "2017-12-31T00:00:00"
    # 2,089 open deals have no close_value; 500 of them have no engage_date (open since ever).
    assert got["pipeline"]["open_deals"] == got["pipeline"]["unknown_amount"] == 2089
    assert got["pipeline"]["amount"] == 0.0
    assert any("no amount" in n for n in got["notes"])
