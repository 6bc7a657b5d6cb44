"""No data is not zero: a factor with no information is left out with a note, never credited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from coparent import warehouse
from coparent.demo import DemoCompany
from coparent.diagnosis.report import ReportInputs, build_report
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings

Report = dict[str, Any]


def _with(company: DemoCompany, table: str, column: str, values: pa.Array) -> Any:
    """A warehouse with the demo's tables, one column replaced."""
    con = warehouse.connect("duckdb://")
    tables = dict(company.tables)
    t = tables[table]
    tables[table] = t.set_column(t.schema.get_field_index(column), column, values)
    for name, t in tables.items():
        warehouse.write_table(con, name, t)
    return con


def _reconciles(report: Report) -> None:
    revenue = report["revenue"]
    tol = 1e-9 * max(revenue["baseline"], revenue["current"], 1.0)
    effects = report["effects"]
    assert abs(sum(e["amount"] for e in effects) - revenue["change"]) <= tol
    for total in report["factor_totals"]:
        rows = [e["amount"] for e in effects if total["factor"] in (e["factor"], e.get("of"))]
        assert abs(sum(rows) - total["amount"]) <= tol


def _mentions(report: Report, factor: str) -> bool:
    return (
        factor in report["factors"]
        or any(factor in (e["factor"], e.get("of")) for e in report["effects"])
        or any(f["factor"] == factor for f in report["findings"])
        or any(f["factor"] == factor for s in report["segments"] for f in s["factors"])
    )


@pytest.mark.parametrize("by", ["product", "channel"])
def test_without_acceptance_data_acceptance_is_left_out_and_the_bridge_stays_exact(
    demo: Callable[[int], DemoCompany], by: str
) -> None:
    company = demo(0)
    leads = company.tables["leads"]
    con = _with(company, "leads", "accepted_at", pa.nulls(leads.num_rows, pa.timestamp("us")))
    report = diagnosis_report(con, period="2026-Q3", by=by, settings=Settings())  # type: ignore[arg-type]
    assert report["factors"] == ["volume", "conversion", "pace", "win_rate", "deal_size"]
    assert not _mentions(report, "acceptance")
    (note,) = [n for n in report["notes"] if "accepted leads" in n]
    assert "left out of the bridge" in note
    assert "conversion counts opportunities opened per MQL" in note
    conversion = next(t for t in report["factor_totals"] if t["factor"] == "conversion")
    assert conversion["baseline"] == pytest.approx(
        sum(s["counts"]["baseline"]["opportunities"] for s in report["segments"])
        / sum(s["counts"]["baseline"]["mqls"] for s in report["segments"])
    )
    _reconciles(report)


def test_a_constant_amount_per_deal_leaves_deal_size_out(
    demo: Callable[[int], DemoCompany],
) -> None:
    company = demo(0)
    opps = company.tables["opportunities"]
    con = _with(company, "opportunities", "amount", pa.array([1.0] * opps.num_rows))
    for against, settings in (
        ("previous", Settings()),
        ("goal", Settings(goal_won_revenue=80.0, marketing_mql_commitment=250)),
    ):
        report = diagnosis_report(con, period="2026-Q3", against=against, settings=settings)  # type: ignore[arg-type]
        assert "deal_size" not in report["factors"]
        assert not _mentions(report, "deal_size")
        assert any("same amount (1) in both periods" in n for n in report["notes"])
        assert "won deal" not in report["headline"]
        _reconciles(report)


def test_with_no_amounts_changes_are_judged_on_their_own_intervals(
    demo: Callable[[int], DemoCompany],
) -> None:
    company = demo(0)
    opps = company.tables["opportunities"]
    con = _with(company, "opportunities", "amount", pa.nulls(opps.num_rows, pa.float64()))
    report = diagnosis_report(con, period="2026-Q3", settings=Settings())
    assert report["revenue"]["change"] == 0
    assert "deal_size" not in report["factors"]
    assert any("No won deal has an amount" in n for n in report["notes"])
    volume = next(t for t in report["factor_totals"] if t["factor"] == "volume")
    assert volume["amount"] == 0
    assert volume["significant"]  # 693 to 574 MQLs, whatever revenue did
    assert report["headline"] == (
        "There is no won revenue in 2026-Q2 or 2026-Q3 to split; outside normal variation: "
        "fewer MQLs (693 to 574)."
    )
    _reconciles(report)


def _flows(mqls: tuple[int, int], *, amount: float) -> ReportInputs:
    rows, deals = [], []
    for period, n in zip(("baseline", "current"), mqls, strict=True):
        won, lost = n // 20, n // 10
        rows.append(
            {"period": period, "segment": "a", "mqls": n, "accepted": n // 2}
            | {"opportunities": n // 5, "closed": won + lost, "won": won, "revenue": won * amount}
        )
        deals.append(
            {"period": period, "segment": "a", "status": "won", "loss_reason": None, "deals": won}
            | {"amount": won * amount, "positive_amounts": 0}
            | {"log_amount": 0.0, "log_amount_squares": 0.0}
        )
    return ReportInputs(
        period="2026-Q3",
        baseline="2026-Q2",
        against="previous",
        segment_by="product",
        period_kind="quarter",
        flows=pa.Table.from_pylist(rows),
        deals=pa.Table.from_pylist(deals),
    )


def test_more_mqls_with_no_amounts_are_not_called_normal_variation() -> None:
    report = build_report(_flows((2002, 5998), amount=0.0))
    volume = next(t for t in report["factor_totals"] if t["factor"] == "volume")
    assert volume["change"]["low"] > 0
    assert volume["significant"]
    assert "more MQLs (2,002 to 5,998)" in str(report["headline"])
    findings: list[dict[str, Any]] = report["findings"]  # type: ignore[assignment]
    assert next(f for f in findings if f["factor"] == "volume")["significant"]
