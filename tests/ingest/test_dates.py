from __future__ import annotations

import datetime as dt
import zoneinfo

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.ingest._dates import parse_dates, parse_timestamps


def ts(values: list[str | None], *formats: str, tz: str = "UTC") -> list[dt.datetime | None]:
    parsed, bad = parse_timestamps(pa.array(values, pa.string()), formats=formats, timezone=tz)
    assert bad.to_pylist() == [
        v is not None and p is None for v, p in zip(values, parsed.to_pylist(), strict=True)
    ]
    result: list[dt.datetime | None] = parsed.to_pylist()
    return result


D = dt.datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", D(2024, 3, 5)),
        ("2024-03-05 14:22", D(2024, 3, 5, 14, 22)),
        ("2024-03-05T14:22:11", D(2024, 3, 5, 14, 22, 11)),
        ("2024-03-05 14:22:11.5", D(2024, 3, 5, 14, 22, 11, 500000)),
        ("2024-03-05T14:22:11.123456789", D(2024, 3, 5, 14, 22, 11, 123456)),
        ("2024-03-05T14:22:11Z", D(2024, 3, 5, 14, 22, 11)),
        ("2024-03-05T14:22:11z", D(2024, 3, 5, 14, 22, 11)),
        ("2024-03-05T14:22:11.000Z", D(2024, 3, 5, 14, 22, 11)),
        ("2024-03-05T14:22:11+02:00", D(2024, 3, 5, 12, 22, 11)),
        ("2024-03-05 14:22-0530", D(2024, 3, 5, 19, 52)),
        ("2024-03-05T01:00:00+02", D(2024, 3, 4, 23, 0)),
    ],
)
def test_iso_8601_timestamps_are_read_and_stored_as_utc(text: str, expected: D) -> None:
    assert ts([text]) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024",
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-01-05 24:00",
        "2024-01-05 23:59:60",
        "2024-1-5",
        "20240105",
        "yesterday",
        "2024-03-05 14",
        "2024-03-05T14:22:11+25:00",
        "2024-03-05T14:22:11+02:99",
        "0000-01-01",
        "2024-03-05Z",
        "2024-03-05 14:22 UTC",
        "2024/03/05",
    ],
)
def test_impossible_or_unexpected_timestamps_are_flagged(text: str) -> None:
    assert ts([text, "2024-01-01"]) == [None, D(2024, 1, 1)]


def test_a_leap_day_is_a_real_date() -> None:
    assert ts(["2024-02-29", "2000-02-29"]) == [D(2024, 2, 29), D(2000, 2, 29)]


def test_naive_times_are_read_in_the_source_time_zone() -> None:
    assert ts(
        ["2024-01-15 09:00", "2024-07-15 09:00", "2024-07-15 09:00+00:00"], tz="Europe/Paris"
    ) == [D(2024, 1, 15, 8), D(2024, 7, 15, 7), D(2024, 7, 15, 9)]


def test_a_time_in_the_spring_dst_gap_moves_forward_and_a_repeated_one_takes_the_first() -> None:
    assert ts(["2024-03-31 02:30", "2024-10-27 02:30"], tz="Europe/Paris") == [
        D(2024, 3, 31, 1, 0),
        D(2024, 10, 27, 0, 30),
    ]


def test_nulls_stay_null_and_are_not_flagged() -> None:
    assert ts([None, "2024-01-01"]) == [None, D(2024, 1, 1)]
    assert ts([None, None]) == [None, None]


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("%Y", "1996", D(1996, 1, 1)),
        ("%Y%m%d", "19970101", D(1997, 1, 1)),
        ("%d/%m/%Y", "05/03/2024", D(2024, 3, 5)),
        ("%d/%m/%Y", "5/3/2024", D(2024, 3, 5)),
        ("%d.%m.%Y", "29.02.2024", D(2024, 2, 29)),
        ("%m/%d/%Y %I:%M %p", "3/5/2024 2:22 PM", D(2024, 3, 5, 14, 22)),
        ("%d %b %Y", "1 mar 2024", D(2024, 3, 1)),
        ("%Y-%m-%d %H:%M:%S%z", "2024-03-05 14:22:11+0200", D(2024, 3, 5, 12, 22, 11)),
        ("%Y-%m-%d %H:%M:%S%z", "2024-03-05 14:22:11Z", D(2024, 3, 5, 14, 22, 11)),
    ],
)
def test_custom_formats_read_what_they_describe(fmt: str, text: str, expected: D) -> None:
    assert ts([text], fmt) == [expected]


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("%d/%m/%Y", "31/02/2024"),
        ("%d/%m/%Y", "29/02/2023"),
        ("%d/%m/%Y", "2024-02-01"),
        ("%Y%m%d", "1997010"),
        ("%Y%m%d", "19971301"),
        ("%Y-%m-%d %H:%M:%S", "2024-01-01 10:00:60"),
        ("%Y-%m-%d %H:%M:%S%z", "2024-02-30 10:00:00+0200"),
        ("%Y", "0"),
    ],
)
def test_custom_formats_refuse_dates_that_strptime_would_roll_over(fmt: str, text: str) -> None:
    assert ts([text, None], fmt) == [None, None]


def test_a_list_of_formats_is_tried_in_order() -> None:
    assert ts(["05/03/2024", "2024-03-06", "x"], "%d/%m/%Y", "%Y-%m-%d") == [
        D(2024, 3, 5),
        D(2024, 3, 6),
        None,
    ]


def test_custom_formats_read_in_the_source_time_zone() -> None:
    assert ts(["05/07/2024 09:00"], "%d/%m/%Y %H:%M", tz="America/New_York") == [D(2024, 7, 5, 13)]


def test_date_columns_take_iso_dates_and_tolerate_a_midnight_time() -> None:
    values = pa.array(["2024-03-05", "2024-03-05 00:00:00", "2024-03-05 10:00", "2024-02-30", None])
    parsed, bad = parse_dates(values, formats=())
    assert parsed.to_pylist() == [dt.date(2024, 3, 5)] * 2 + [None] * 3
    assert bad.to_pylist() == [False, False, True, True, False]


def test_date_columns_take_a_format() -> None:
    parsed, bad = parse_dates(pa.array(["05/03/2024", "31/04/2024"]), formats=("%d/%m/%Y",))
    assert parsed.to_pylist() == [dt.date(2024, 3, 5), None]
    assert bad.to_pylist() == [False, True]


_MOMENTS = st.datetimes(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@given(
    moment=_MOMENTS,
    sep=st.sampled_from([" ", "T"]),
    timespec=st.sampled_from(["minutes", "seconds", "microseconds"]),
)
def test_any_iso_timestamp_reads_back_exactly(moment: D, sep: str, timespec: str) -> None:
    text = moment.isoformat(sep=sep, timespec=timespec)
    expected = moment.replace(
        second=moment.second if timespec != "minutes" else 0,
        microsecond=moment.microsecond if timespec == "microseconds" else 0,
    )
    assert ts([text]) == [expected]


@given(moment=_MOMENTS, offset_minutes=st.integers(-14 * 60, 14 * 60))
def test_any_offset_converts_to_the_same_utc_instant_as_python(
    moment: D, offset_minutes: int
) -> None:
    aware = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    expected = aware.astimezone(dt.UTC).replace(tzinfo=None)
    assert ts([aware.isoformat()]) == [expected]


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_any_real_day_month_year_date_reads_with_its_format(day: dt.date) -> None:
    assert ts([day.strftime("%d/%m/%Y")], "%d/%m/%Y") == [D(day.year, day.month, day.day)]


@given(year=st.integers(1900, 2200), month=st.integers(1, 12), day=st.integers(29, 31))
def test_day_overflow_is_flagged_exactly_when_python_refuses_the_date(
    year: int, month: int, day: int
) -> None:
    try:
        expected: D | None = D(year, month, day)
    except ValueError:
        expected = None
    assert ts([f"{day:02d}/{month:02d}/{year}"], "%d/%m/%Y") == [expected]
    assert ts([f"{year}-{month:02d}-{day:02d}"]) == [expected]


@given(
    text=st.text(max_size=30)
    | st.from_regex(
        r"\A\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?\Z"
    )
)
def test_whatever_is_accepted_python_also_reads_as_the_same_instant(text: str) -> None:
    (value,) = ts([text], tz="UTC")
    if value is None:
        return
    python = dt.datetime.fromisoformat(text.replace("z", "Z"))
    if python.tzinfo is not None:
        python = python.astimezone(dt.UTC).replace(tzinfo=None)
    assert value == python


def test_every_zone_name_python_knows_is_usable_for_naive_times() -> None:
    sample = sorted(zoneinfo.available_timezones())[::40]
    for zone in sample:
        ts(["2024-06-01 12:00"], tz=zone)


_DATE_LAYOUTS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%y", "%d %b %Y", "%B %d, %Y", "%Y%m%d")
_TIME_LAYOUTS = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %T")


@given(
    date_layout=st.sampled_from(_DATE_LAYOUTS),
    time_layout=st.sampled_from(_TIME_LAYOUTS),
    moment=st.datetimes(min_value=D(2000, 1, 1), max_value=D(2068, 12, 31)),
    day=st.one_of(st.integers(1, 3), st.integers(1, 28)),
    second=st.one_of(st.integers(0, 1), st.integers(0, 59)),
    whole_minute=st.booleans(),
)
def test_every_documented_directive_reads_back_what_python_wrote(
    date_layout: str, time_layout: str, moment: D, day: int, second: int, whole_minute: bool
) -> None:
    """Days 1-3 and seconds 0-1 are the values the roll-over check re-reads (issue 13)."""
    moment = moment.replace(day=day, second=0 if whole_minute else second, microsecond=0)
    fmt = date_layout + time_layout
    expected = moment.replace(
        hour=moment.hour if time_layout else 0,
        minute=moment.minute if time_layout else 0,
        second=moment.second if "%S" in fmt or "%T" in fmt else 0,
    )
    assert ts([moment.strftime(fmt)], fmt) == [expected]


def test_whole_minutes_with_seconds_in_the_format_are_read() -> None:
    """A real file: 142 of 842 rows like these were refused before the fix."""
    fmt = "%Y-%m-%d %H:%M:%S"
    assert ts(["2018-01-18 11:09:00", "2018-01-02 11:09:01"], fmt) == [
        D(2018, 1, 18, 11, 9),
        D(2018, 1, 2, 11, 9, 1),
    ]
