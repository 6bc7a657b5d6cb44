"""The shared building blocks: fiscal buckets, windows, null-safe counts and ratios."""

from __future__ import annotations

from datetime import date, datetime, time

import ibis
from hypothesis import given
from hypothesis import strategies as st

from coparent.metrics._common import (
    add_segments,
    count_if,
    in_range,
    in_window,
    period_bucket,
    ratio,
    to_canonical,
    window,
)
from coparent.metrics.periods import parse_period, period_containing


@given(
    days=st.lists(st.dates(date(1990, 1, 1), date(2100, 12, 31)), min_size=1, max_size=20),
    fiscal=st.integers(1, 12),
)
def test_period_buckets_agree_with_the_python_periods_for_any_date_and_fiscal_start(
    days: list[date], fiscal: int
) -> None:
    # periods.py computes the same thing in plain Python: an independent oracle.
    t = ibis.memtable({"at": [datetime.combine(d, time(13, 30)) for d in days]})
    expr = t.select(
        **{
            k: period_bucket(t.at, k, fiscal_year_start_month=fiscal)
            for k in ("month", "quarter", "year")
        }
    )
    got = expr.to_pyarrow().to_pylist()
    for day, row in zip(days, got, strict=True):
        for kind in ("month", "quarter", "year"):
            expected = period_containing(day, kind, fiscal_year_start_month=fiscal).start  # type: ignore[arg-type]
            assert row[kind] == expected, (day, kind, fiscal)


def test_a_fiscal_year_from_april_puts_march_in_the_previous_fiscal_year() -> None:
    t = ibis.memtable({"at": [datetime(2026, 3, 31, 23), datetime(2026, 4, 1)]})
    out = t.select(
        q=period_bucket(t.at, "quarter", fiscal_year_start_month=4),
        y=period_bucket(t.at, "year", fiscal_year_start_month=4),
    ).to_pyarrow()
    assert out["q"].to_pylist() == [date(2026, 1, 1), date(2026, 4, 1)]
    assert out["y"].to_pylist() == [date(2025, 4, 1), date(2026, 4, 1)]


def test_window_is_the_period_cut_at_as_of() -> None:
    q3 = parse_period("2026-Q3")
    assert window(q3, None) == (datetime(2026, 7, 1), datetime(2026, 10, 1))
    assert window(q3, datetime(2026, 8, 15)) == (datetime(2026, 7, 1), datetime(2026, 8, 15))
    assert window(q3, datetime(2027, 1, 1)) == (datetime(2026, 7, 1), datetime(2026, 10, 1))
    assert window(None, datetime(2026, 8, 15)) == (None, datetime(2026, 8, 15))


def test_in_range_keeps_in_a_filter_the_rows_in_window_keeps() -> None:
    ats = [None, datetime(2026, 6, 30), datetime(2026, 7, 1), datetime(2026, 8, 15)]
    t = ibis.memtable({"i": list(range(len(ats))), "at": ats})
    bounds = [None, datetime(2026, 7, 1), datetime(2026, 8, 15)]
    for start in bounds:
        for end in bounds:
            kept = t.filter(in_range(t.at, start, end)).i.to_pyarrow().to_pylist()
            want = t.filter(in_window(t.at, start, end)).i.to_pyarrow().to_pylist()
            assert sorted(kept) == sorted(want), (start, end)


def test_counts_treat_null_conditions_as_false_and_ratios_are_null_on_zero() -> None:
    t = ibis.memtable({"k": ["a", "a", "b"], "x": [1.0, None, None]})
    agg = t.group_by("k").aggregate(n=count_if(t.x > 0), d=count_if(t.x > 5))
    out = agg.mutate(r=ratio(agg.n, agg.d)).order_by("k").to_pyarrow().to_pylist()
    assert out == [{"k": "a", "n": 1, "d": 0, "r": None}, {"k": "b", "n": 0, "d": 0, "r": None}]


def test_text_segments_keep_values_and_name_missing_ones() -> None:
    t = ibis.memtable({"channel": ["web", None], "at": [datetime(2026, 2, 3)] * 2})
    seg, names = add_segments(t, ["channel", "month"], at=t.at, fiscal_year_start_month=1)
    assert names == ["channel", "month"]
    assert seg.select(*names).to_pyarrow().to_pylist() == [
        {"channel": "web", "month": date(2026, 2, 1)},
        {"channel": "(none)", "month": date(2026, 2, 1)},
    ]


def test_to_canonical_renames_the_callers_columns_and_drops_a_shadowed_one() -> None:
    t = ibis.memtable({"qualified": [1], "mql_at": [2]})
    assert to_canonical(t, {"mql_at": "qualified"}).to_pyarrow().to_pylist() == [{"mql_at": 1}]
    assert to_canonical(t, {"mql_at": "mql_at"}).columns == ("qualified", "mql_at")
