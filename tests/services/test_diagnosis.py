"""`diagnosis_report`: periods, comparisons, missing tables, settings, and a JSON-ready shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.demo import DemoCompany, generate
from coparent.errors import MissingDataError
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings
from tests.diagnosis._approx import differences

FIELDS = {
    "period",
    "baseline",
    "against",
    "segment_by",
    "bridge_starts_at",
    "factors",
    "confidence",
    "revenue",
    "headline",
    "findings",
    "effects",
    "factor_totals",
    "segments",
    "verdicts",
    "narrative",
    "notes",
    "unclassified_reasons",
    "speed_to_lead",
    "what_it_would_take",
    "goal",
    "period_complete",
}


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate("small", seed=0)


def _con(company: DemoCompany, *, skip: tuple[str, ...] = ()) -> BaseBackend:
    con = warehouse.connect("duckdb://")
    for name, table in company.tables.items():
        if name not in skip:
            warehouse.write_table(con, name, table)
    return con


@pytest.fixture(scope="module")
def con(company: DemoCompany) -> Iterator[BaseBackend]:
    backend = _con(company)
    yield backend
    backend.disconnect()


def test_the_report_has_every_documented_field_and_is_strict_json(con: BaseBackend) -> None:
    report = diagnosis_report(con, settings=Settings())
    assert set(report) == FIELDS
    json.dumps(report, allow_nan=False)
    effect = report["effects"][0]  # type: ignore[index]
    assert set(effect) == {"segment", "factor", "category", "amount", "significant"}
    mix = next(e for e in report["effects"] if e["factor"] == "mix")  # type: ignore[attr-defined]
    assert set(mix) == {"segment", "factor", "of", "category", "amount", "significant"}
    finding = report["findings"][0]  # type: ignore[index]
    assert set(finding) == {"kind", "factor", "segment", "amount", "significant", "text"}
    verdict = report["verdicts"][0]  # type: ignore[index]
    assert set(verdict) == {"segment", "name", "signal", "evidence", "went_well"}


def test_the_default_period_is_the_latest_complete_quarter_of_the_data(
    con: BaseBackend,
) -> None:
    report = diagnosis_report(con, settings=Settings())
    assert (report["period"], report["baseline"]) == ("2026-Q3", "2026-Q2")
    earlier = diagnosis_report(con, settings=Settings(), as_of=date(2026, 8, 15))
    assert (earlier["period"], earlier["baseline"]) == ("2026-Q2", "2026-Q1")


def test_against_last_year_compares_with_the_same_quarter_a_year_before(
    con: BaseBackend,
) -> None:
    report = diagnosis_report(con, period="2026-Q3", against="last-year", settings=Settings())
    assert report["baseline"] == "2025-Q3"
    # Insight Cloud launched in between: it appears, so its own bridge puts its whole
    # revenue on volume, and in the company's bridge it moves the rates by mix only
    cloud = next(s for s in report["segments"] if s["segment"] == "insight-cloud")  # type: ignore[attr-defined]
    own = {f["factor"]: f["amount"] for f in cloud["factors"]}
    assert own["volume"] == pytest.approx(cloud["revenue"]["change"], rel=1e-9)
    rows = [e for e in report["effects"] if e["segment"] == "insight-cloud"]  # type: ignore[attr-defined]
    assert {e["factor"] for e in rows if e["amount"] != 0} <= {"volume", "mix"}


def test_a_fiscal_year_setting_labels_the_periods(con: BaseBackend) -> None:
    report = diagnosis_report(con, settings=Settings(fiscal_year_start_month=4))
    assert (report["period"], report["baseline"]) == ("FY2027-Q2", "FY2027-Q1")


def test_by_channel_segments_are_channels_with_deals_without_a_lead_apart(
    con: BaseBackend,
) -> None:
    report = diagnosis_report(con, by="channel", settings=Settings())
    segments = {s["segment"] for s in report["segments"]}  # type: ignore[attr-defined]
    assert {"webinar", "paid_search", "(no lead)"} <= segments
    assert report["segment_by"] == "channel"


def test_against_the_goal_splits_actual_against_the_goal_vector(con: BaseBackend) -> None:
    settings = Settings(goal_won_revenue=1_200_000.0, marketing_mql_commitment=250)
    report = diagnosis_report(con, against="goal", settings=settings)
    assert report["baseline"] == "goal"
    assert report["goal"] == {
        "revenue": 1_200_000.0,
        "mqls": 750.0,
        "rates_from": "2026-Q2",
        "source": "settings_file",  # a caller that does not say where its settings came from
    }
    revenue = report["revenue"]
    assert revenue["baseline"] == pytest.approx(1_200_000.0)  # type: ignore[index]
    total = sum(e["amount"] for e in report["effects"])  # type: ignore[attr-defined]
    assert total == pytest.approx(revenue["current"] - 1_200_000.0, abs=1e-6)  # type: ignore[index]
    volume = next(f for f in report["factor_totals"] if f["factor"] == "volume")  # type: ignore[attr-defined]
    assert volume["baseline"] == pytest.approx(750.0)
    wiwt = {r["factor"]: r for r in report["what_it_would_take"]}  # type: ignore[attr-defined]
    ratio = 1_200_000.0 / revenue["current"]  # type: ignore[index]
    assert wiwt["volume"]["needed"] == pytest.approx(volume["current"] * ratio)
    assert "What it would take to meet the goal" in report["narrative"]  # type: ignore[operator]


def test_a_monthly_goal_is_a_third_of_the_quarterly_one(con: BaseBackend) -> None:
    settings = Settings(goal_won_revenue=300_000.0)
    report = diagnosis_report(con, period="2026-09", against="goal", settings=settings)
    assert report["goal"]["revenue"] == pytest.approx(100_000.0)  # type: ignore[index]
    assert any("MQL commitment" in n for n in report["notes"])  # type: ignore[attr-defined]


def test_against_the_goal_without_a_goal_says_which_setting_to_set(con: BaseBackend) -> None:
    with pytest.raises(MissingDataError) as info:
        diagnosis_report(con, against="goal", settings=Settings())
    assert "goal_won_revenue" in info.value.hint


def test_without_opportunities_there_is_nothing_to_diagnose(company: DemoCompany) -> None:
    con = _con(company, skip=("opportunities",))
    with pytest.raises(MissingDataError) as info:
        diagnosis_report(con, settings=Settings())
    assert "opportunities" in str(info.value)
    assert "coparent import opportunities" in info.value.hint


def test_without_leads_the_bridge_starts_at_opportunities_and_says_so(
    company: DemoCompany,
) -> None:
    con = _con(company, skip=("leads",))
    report = diagnosis_report(con, settings=Settings())
    assert report["bridge_starts_at"] == "opportunities"
    assert report["factors"] == ["volume", "pace", "win_rate", "deal_size"]
    assert report["speed_to_lead"] is None
    notes: list[str] = report["notes"]  # type: ignore[assignment]
    (note,) = notes
    assert "No leads table" in note
    assert "coparent import leads" in note
    assert "opportunities opened" in report["narrative"]  # type: ignore[operator]


def test_leads_without_contact_times_turn_speed_to_lead_off_with_a_note(
    company: DemoCompany,
) -> None:
    con = _con(company, skip=("leads",))
    leads = company.tables["leads"]
    column = leads.schema.get_field_index("first_contacted_at")
    empty = pa.nulls(leads.num_rows, pa.timestamp("us"))
    warehouse.write_table(con, "leads", leads.set_column(column, "first_contacted_at", empty))
    report = diagnosis_report(con, settings=Settings())
    assert report["speed_to_lead"] is None
    assert any("first-contact time" in n for n in report["notes"])  # type: ignore[attr-defined]


def test_loss_reason_overrides_from_settings_take_reasons_off_the_unclassified_list(
    con: BaseBackend,
) -> None:
    plain = diagnosis_report(con, settings=Settings())
    assert "Other" in {r["reason"] for r in plain["unclassified_reasons"]}  # type: ignore[attr-defined]
    custom = diagnosis_report(con, settings=Settings(loss_reason_categories={"other": "market"}))
    assert "Other" not in {r["reason"] for r in custom["unclassified_reasons"]}  # type: ignore[attr-defined]


def test_a_late_contact_sla_setting_changes_who_counts_as_late(con: BaseBackend) -> None:
    strict = diagnosis_report(con, settings=Settings(sales_sla_hours=2.0))
    loose = diagnosis_report(con, settings=Settings(sales_sla_hours=72.0))
    late = {r["speed_to_lead"]["all"]["late"] for r in (strict, loose)}  # type: ignore[index]
    assert min(late) < max(late)


def test_a_bad_period_is_a_usage_error(con: BaseBackend) -> None:
    with pytest.raises(ValueError, match="not a period"):
        diagnosis_report(con, period="Q3 2026", settings=Settings())


def test_the_report_runs_a_handful_of_queries_whatever_the_data_size(
    con: BaseBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    backend = type(con)
    original = backend.to_pyarrow

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args else None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(backend, "to_pyarrow", counting)
    diagnosis_report(con, settings=Settings())
    assert len(calls) <= 7


def test_results_ignore_the_order_of_rows(company: DemoCompany) -> None:
    shuffled = {}
    for name, table in company.tables.items():
        order = pc.sort_indices(table, sort_keys=[(table.column_names[0], "descending")])
        shuffled[name] = table.take(order)
    a = diagnosis_report(_con(company), settings=Settings())
    reordered = DemoCompany(
        shuffled, company.truths, company.start, company.end, company.scale, 0, False
    )
    b = diagnosis_report(_con(reordered), settings=Settings())
    assert differences(a, b) == []


def test_the_goal_keeps_the_baseline_mix_of_reasons(con: BaseBackend) -> None:
    previous = diagnosis_report(con, settings=Settings())
    settings = Settings(goal_won_revenue=2_000_000.0, marketing_mql_commitment=600)
    goal = diagnosis_report(con, against="goal", settings=settings)

    def shares(report: dict[str, Any], mix: str) -> dict[tuple[str, str], float]:
        return {
            (s["segment"], m["category"]): m["baseline_share"]
            for s in report["segments"]
            for m in s[mix]
            if m["baseline_share"] is not None
        }

    assert shares(goal, "rejection_mix") == pytest.approx(shares(previous, "rejection_mix"))
    # losses keep their mix, scaled to the goal's (higher) win rate
    for (segment, category), share in shares(goal, "loss_mix").items():
        before = shares(previous, "loss_mix")[(segment, category)]
        assert share <= before + 1e-12
