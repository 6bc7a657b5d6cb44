"""The data's first and last dates, and the one check that a period is within them."""

from __future__ import annotations

from datetime import date, datetime

import ibis
import pyarrow as pa
import pytest

from coparent.errors import PERIOD_AFTER_DATA, PERIOD_BEFORE_DATA, PeriodOutOfRange
from coparent.metrics.freshness import (
    NOTE_PARTIAL_START,
    NOTE_TO_DATE,
    DataRange,
    check_period,
    coverage_notes,
    data_last_at,
    data_last_at_in,
    data_range_in,
    default_period,
)
from coparent.metrics.periods import parse_period


def test_the_latest_timestamp_of_any_dated_column_wins() -> None:
    con = ibis.duckdb.connect()
    con.create_table(
        "opportunities",
        pa.table(
            {
                "created_at": [datetime(2026, 9, 1), datetime(2026, 9, 2)],
                "closed_at": [None, datetime(2026, 9, 20)],
            }
        ),
    )
    con.create_table(
        "leads",
        pa.table(
            {
                "created_at": [datetime(2026, 9, 3)],
                "first_contacted_at": [datetime(2026, 9, 25, 14, 30)],  # the latest of all
            }
        ),
    )
    assert data_last_at_in(con) == datetime(2026, 9, 25, 14, 30)
    # activities not imported: ignored; only opportunities given: their latest close
    assert data_last_at({"opportunities": con.table("opportunities")}) == datetime(2026, 9, 20)


def test_no_dated_facts_have_no_last_date() -> None:
    con = ibis.duckdb.connect()
    assert data_last_at_in(con) is None
    con.create_table("activities", pa.table({"occurred_at": pa.array([None], pa.timestamp("us"))}))
    assert data_last_at_in(con) is None


def _range_con() -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.create_table(
        "opportunities",
        pa.table(
            {
                "created_at": [datetime(2024, 10, 5), datetime(2026, 8, 2)],
                "closed_at": [None, datetime(2026, 8, 15, 18)],
            }
        ),
    )
    con.create_table(
        "leads",
        pa.table({"created_at": [datetime(2024, 10, 1, 7)], "mql_at": [datetime(2024, 10, 2)]}),
    )
    return con


def test_the_first_date_is_the_earliest_of_the_same_columns_in_one_rule() -> None:
    data = data_range_in(_range_con())
    assert data == DataRange(datetime(2024, 10, 1, 7), datetime(2026, 8, 15, 18))
    assert (data.first, data.last) == (date(2024, 10, 1), date(2026, 8, 15))
    assert data_range_in(ibis.duckdb.connect()) is None


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2030-Q1", PERIOD_AFTER_DATA.format(what="2030-Q1", last="2026-08-15")),
        ("2026-Q4", PERIOD_AFTER_DATA.format(what="2026-Q4", last="2026-08-15")),
        ("2024-Q3", PERIOD_BEFORE_DATA.format(what="2024-Q3", first="2024-10-01")),
        ("0001-Q1", PERIOD_BEFORE_DATA.format(what="0001-Q1", first="2024-10-01")),
    ],
)
def test_a_period_outside_the_data_is_out_of_range_with_the_periods_that_have_data(
    period: str, expected: str
) -> None:
    data = data_range_in(_range_con())
    with pytest.raises(PeriodOutOfRange) as caught:
        check_period(parse_period(period), data)
    assert str(caught.value) == expected
    assert caught.value.hint == (
        "the data cover 2024-10-01 to 2026-08-15: pick a quarter from 2024-Q4 to 2026-Q3"
    )


def test_a_period_sharing_one_day_with_the_data_is_fine() -> None:
    data = data_range_in(_range_con())
    for label in ("2024-Q4", "2024", "2026-Q3", "2026-08", "2024-10"):
        check_period(parse_period(label), data)
    check_period(parse_period("2030-Q1"), None)  # no dated data: nothing to check against


def test_a_baseline_before_the_data_is_named_with_the_first_comparable_period() -> None:
    data = data_range_in(_range_con())
    q4 = parse_period("2024-Q4")
    with pytest.raises(PeriodOutOfRange) as caught:
        check_period(q4.previous(), data, baseline_of=q4, relation="the period before")
    assert str(caught.value) == (
        "the baseline 2024-Q3 (the period before 2024-Q4) ends before the data start (2024-10-01)"
    )
    assert "pick 2025-Q1 or later" in caught.value.hint
    may = parse_period("2025-05")
    with pytest.raises(PeriodOutOfRange) as caught:
        check_period(may.same_last_year(), data, baseline_of=may, relation="a year before")
    assert "the baseline 2024-05 (a year before 2025-05)" in str(caught.value)
    assert "pick 2025-10 or later" in caught.value.hint


def test_a_period_the_data_end_inside_is_incomplete_and_says_so() -> None:
    data = data_range_in(_range_con())
    assert data is not None
    q3, q2 = parse_period("2026-Q3"), parse_period("2026-Q2")
    assert not data.complete(q3)
    assert data.complete(q2)
    assert data.complete(q3, as_of=date(2026, 9, 30))
    assert coverage_notes(q3, data) == [NOTE_TO_DATE.format(label="2026-Q3", as_of="2026-08-15")]
    assert coverage_notes(q2, data) == []
    assert coverage_notes(parse_period("2024"), data) == [
        NOTE_PARTIAL_START.format(label="2024", first="2024-10-01")
    ]


def test_the_default_period_is_the_latest_complete_quarter_as_of_the_last_date() -> None:
    data = data_range_in(_range_con())
    assert default_period(data) == parse_period("2026-Q2")
    assert default_period(data, as_of=date(2025, 1, 1)) == parse_period("2024-Q4")
    assert default_period(None) is None
