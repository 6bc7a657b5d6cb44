from __future__ import annotations

import datetime as dt
import tomllib

import pyarrow as pa
import pytest

from coparent.ingest.checks import CheckedTable, check_values
from coparent.ingest.issues import Issue, IssueCode, IssueLog
from coparent.ingest.mapping import TableMapping, parse_mapping, plan_columns
from coparent.ingest.readers import read_arrow
from coparent.ingest.table_checks import check_keys, check_order
from coparent.schema import TABLES
from coparent.settings import Settings

D = dt.datetime


def run(
    table: str,
    data: dict[str, list[object]] | pa.Table,
    mapping: str = "",
    *,
    max_examples: int = 20,
    max_chars: int = 32767,
    timezone: str = "UTC",
) -> tuple[CheckedTable, list[Issue]]:
    log = IssueLog(file="f.csv", max_examples=max_examples)
    arrow = data if isinstance(data, pa.Table) else pa.table(data)
    src = read_arrow(arrow, file="f.csv", settings=Settings(), log=log)
    assert src is not None
    tmap = (
        parse_mapping(tomllib.loads(mapping), file="m.toml").table(table)
        if mapping
        else TableMapping(table)
    )
    plans = plan_columns(
        tmap, TABLES[table], header=src.names, duplicates=src.duplicates, log=log, header_row=1
    )
    assert plans is not None, [i.format() for i in log.issues()]
    checked = check_values(
        src, plans, TABLES[table], timezone=timezone, max_field_chars=max_chars, log=log
    )
    check_keys(checked, existing=None, log=log)
    check_order(checked, log=log)
    return checked, log.issues()


def where(issues: list[Issue]) -> list[tuple[str, int | None, str | None]]:
    return [(i.code.name, i.row, i.column) for i in issues]


PEOPLE = {
    "person_id": ["u1", "u2", "u3"],
    "name": ["Ann", "Bob", "Cy"],
    "team": ["Sales", "MARKETING", "both"],
    "active": ["yes", "0", "TRUE"],
}


def test_enumerated_values_match_in_any_case_and_are_stored_in_canonical_case() -> None:
    checked, issues = run("people", PEOPLE)
    assert issues == []
    assert checked.arrays["team"].to_pylist() == ["sales", "marketing", "both"]
    assert checked.arrays["active"].to_pylist() == [True, False, True]


def test_a_value_map_applies_before_the_checks_and_an_empty_target_means_empty() -> None:
    mapping = """[opportunities.columns]
status = { column = "Stage", values = { Signed = "won", Dead = "lost", "-" = "" } }
"""
    data = {
        "opportunity_id": ["a", "b", "c"],
        "stage": ["s", "s", "s"],
        "Stage": ["Signed", "Dead", "-"],
        "created_at": ["2024-01-01"] * 3,
    }
    checked, issues = run("opportunities", data, mapping)
    assert checked.arrays["status"].to_pylist() == ["won", "lost", None]
    assert ("E201", 4, "Stage") in where(issues)


def test_constants_prefixes_and_row_numbers_fill_derived_columns() -> None:
    mapping = """[orders.columns]
order_id = { row_number = true, prefix = "o-" }
account_id = { column = "customer", prefix = "cdnow-" }
amount = { value = 0 }
"""
    data = {"customer": ["7", None], "ordered_at": ["2024-01-01", "2024-01-02"]}
    checked, issues = run("orders", data, mapping)
    assert checked.arrays["order_id"].to_pylist() == ["o-2", "o-3"]
    assert checked.arrays["account_id"].to_pylist() == ["cdnow-7", None]
    assert checked.arrays["amount"].to_pylist() == [0.0, 0.0]
    assert where(issues) == [("E201", 3, "customer")]


def test_a_value_that_cannot_be_read_is_reported_once_not_also_as_missing() -> None:
    data = {"order_id": ["a"], "account_id": ["x"], "ordered_at": ["soon"], "amount": ["1"]}
    _, issues = run("orders", data)
    assert where(issues) == [("E204", 2, "ordered_at")]


def test_expected_values_missing_give_one_warning_per_column_with_the_count() -> None:
    data = {
        "opportunity_id": [f"o{i}" for i in range(8)],
        "stage": ["s"] * 8,
        "status": ["open"] * 8,
        "created_at": ["2024-01-01"] * 8,
        "account_id": [None, "a", None, None, "b", None, None, None],
    }
    _, issues = run("opportunities", data)
    w = [i for i in issues if i.code is IssueCode.W201 and i.column == "account_id"]
    assert len(w) == 1
    assert (w[0].row, w[0].count) == (2, 6)
    assert "rows 2, 4, 5, 7, 8, ..." in w[0].message


def test_text_longer_than_the_setting_and_nul_characters_are_errors() -> None:
    data = {"product_id": ["p1", "p2", "p3"], "name": ["x" * 11, "ok", "a\x00b"]}
    _, issues = run("products", data, max_chars=10)
    assert where(issues) == [("E209", 2, "name"), ("E210", 4, "name")]


def test_formula_like_text_warns_but_signed_numbers_and_plain_text_do_not() -> None:
    data = {
        "product_id": ["p1", "p2", "p3", "p4", "p5"],
        "name": ["=1+2", "+44 20 7946 0958", "-12.5", "@mention", "Widget"],
    }
    checked, issues = run("products", data)
    assert where(issues) == [("W202", 2, "name"), ("W202", 3, "name"), ("W202", 5, "name")]
    assert checked.arrays["name"].to_pylist()[0] == "=1+2"


def test_typed_columns_from_parquet_are_converted_without_a_round_trip_through_text() -> None:
    paris = pa.array([D(2024, 1, 1, 12)], pa.timestamp("ms", tz="Europe/Paris"))
    data = pa.table(
        {"account_id": ["a"], "name": ["A"], "employees": pa.array([12.0]), "created_at": paris}
    )
    checked, issues = run("accounts", data)
    assert issues == []
    assert checked.arrays["created_at"].to_pylist() == [D(2024, 1, 1, 12)]
    assert checked.arrays["employees"].to_pylist() == [12]


def test_naive_parquet_timestamps_are_in_the_source_time_zone() -> None:
    data = pa.table(
        {
            "account_id": ["a"],
            "name": ["A"],
            "created_at": pa.array([D(2024, 7, 1, 12)], pa.timestamp("s")),
        }
    )
    checked, _ = run("accounts", data, timezone="Europe/Paris")
    assert checked.arrays["created_at"].to_pylist() == [D(2024, 7, 1, 10)]


def test_a_fractional_float_in_a_whole_number_column_is_e203() -> None:
    data = pa.table(
        {
            "account_id": ["a"],
            "name": ["A"],
            "employees": pa.array([12.5]),
            "created_at": ["2024-01-01"],
        }
    )
    _, issues = run("accounts", data)
    assert where(issues) == [("E203", 2, "employees")]


@pytest.mark.parametrize("bad", [25, 5000])
def test_thousands_of_bad_values_list_a_few_and_count_all(bad: int) -> None:
    n = bad + 10
    data = {
        "order_id": [f"o{i}" for i in range(n)],
        "account_id": ["a"] * n,
        "ordered_at": ["2024-01-01"] * 10 + ["31/01/2024"] * bad,
        "amount": ["1"] * n,
    }
    _, issues = run("orders", data, max_examples=5)
    listed = [i for i in issues if i.count == 1]
    assert [i.row for i in listed] == [12, 13, 14, 15, 16]
    assert sum(i.count for i in issues) == bad


def test_rare_arrow_types_arrive_as_text_and_nanoseconds_are_cut_to_microseconds() -> None:
    data = pa.table(
        {
            "order_id": pa.array([b"a", b"b"]),
            "account_id": pa.array([[1], None]),
            "ordered_at": pa.array([1_500, 2_000], pa.timestamp("ns")),
            "amount": pa.array([1, 2], pa.int8()),
        }
    )
    checked, issues = run("orders", data)
    assert where(issues) == [("E201", 3, "account_id")]
    assert checked.arrays["order_id"].to_pylist() == ["a", "b"]
    assert checked.arrays["account_id"].to_pylist() == ["[1]", None]
    assert checked.arrays["ordered_at"].cast(pa.int64()).to_pylist() == [1, 2]
