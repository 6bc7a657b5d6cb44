"""The wins engine's fact queries give the same rows on DuckDB and on PySpark (the demo company)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.wins import facts
from tests.metrics._tables import demo, demo_con, spark_demo_tables

pytestmark = pytest.mark.spark

NAMES = ("leads", "opportunities", "activities", "campaigns", "people", "orders")
UNTIL = datetime(2026, 10, 1)
SINCE = datetime(2026, 4, 1)
Tables = dict[str, ir.Table]


@pytest.fixture(scope="module")
def spark_tables(
    spark_con: BaseBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tables]:
    folder = tmp_path_factory.mktemp("wins-parity")
    with spark_demo_tables(spark_con, folder, NAMES, prefix="wins") as tables:
        yield tables


@pytest.fixture(scope="module")
def duck_tables() -> Tables:
    con = demo_con()
    return {name: con.table(name) for name in NAMES}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in row.items()}


def _same(duck: Tables, spark: Tables, build: Callable[[Tables], ir.Table]) -> int:
    want = sorted((_plain(r) for r in build(duck).to_pyarrow().to_pylist()), key=repr)
    have = sorted((_plain(r) for r in build(spark).to_pyarrow().to_pylist()), key=repr)
    assert have == want
    return len(want)


def test_won_deals_and_monthly_revenue(duck_tables: Tables, spark_tables: Tables) -> None:
    def deals(t: Tables) -> ir.Table:
        return facts.won_deals(
            t["opportunities"],
            since=SINCE,
            until=UNTIL,
            leads=t["leads"],
            campaigns=t["campaigns"],
            people=t["people"],
        )

    assert _same(duck_tables, spark_tables, deals) > 0
    assert _same(
        duck_tables, spark_tables, lambda t: facts.monthly_revenue(t["opportunities"], until=UNTIL)
    )


def test_weekly_sla_fast_contacts_and_campaigns(duck_tables: Tables, spark_tables: Tables) -> None:
    def weeks(t: Tables) -> ir.Table:
        return facts.weekly_sla(
            t["leads"],
            from_year=2025,
            until=UNTIL,
            sla_hours=24,
            activities=t["activities"],
            opportunities=t["opportunities"],
        )

    def fast(t: Tables) -> ir.Table:
        return facts.fast_contacts(
            t["leads"],
            since=SINCE,
            until=UNTIL,
            within_minutes=60,
            activities=t["activities"],
            people=t["people"],
        )

    def campaigns(t: Tables) -> ir.Table:
        return facts.campaign_acceptance(
            t["leads"],
            t["campaigns"],
            since=SINCE.date(),
            until=UNTIL,
            opportunities=t["opportunities"],
            people=t["people"],
        )

    assert _same(duck_tables, spark_tables, weeks) > 50
    assert _same(duck_tables, spark_tables, fast) > 0
    assert _same(duck_tables, spark_tables, campaigns) > 0


def test_first_reactivations(duck_tables: Tables, spark_tables: Tables) -> None:
    accounts = sorted({r["account_id"] for r in demo().tables["orders"].to_pylist()})[:200]
    spec = {"wb-1": (date(2025, 6, 30), accounts), "wb-2": (date(2026, 1, 31), accounts[:50])}
    assert (
        _same(
            duck_tables,
            spark_tables,
            lambda t: facts.first_reactivations(t["orders"], lists=spec, until=UNTIL),
        )
        == 2
    )
