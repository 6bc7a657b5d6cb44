"""Periods stay inside the calendar: a year 0 or 10000 is a user error, not a traceback."""

from __future__ import annotations

import pytest

from coparent.errors import PERIOD_OUTSIDE_CALENDAR, CoparentError, PeriodOutOfRange
from coparent.metrics.periods import parse_period


@pytest.mark.parametrize("text", ["0000-Q1", "0000-01", "0000", "9999-Q4", "9999-12", "9999"])
def test_a_period_past_the_calendar_is_out_of_range_not_a_crash(text: str) -> None:
    with pytest.raises(PeriodOutOfRange) as caught:
        parse_period(text)
    assert str(caught.value) == PERIOD_OUTSIDE_CALENDAR.format(what=text)
    assert caught.value.code == "period.out_of_range"
    assert caught.value.status == 422
    assert isinstance(caught.value, CoparentError)
    assert isinstance(caught.value, ValueError)  # callers that read a period catch it


def test_the_neighbours_of_the_first_and_last_periods_are_out_of_range_too() -> None:
    first = parse_period("0001-Q1")
    assert first.label == "0001-Q1"  # zero-padded, so the label parses back
    with pytest.raises(PeriodOutOfRange, match="the period before 0001-Q1"):
        first.previous()
    with pytest.raises(PeriodOutOfRange, match="the same period a year before 0001-Q3"):
        parse_period("0001-Q3").same_last_year()
    with pytest.raises(PeriodOutOfRange, match="1 quarter after 9999-Q3"):
        parse_period("9999-Q3").shift(1)
    assert parse_period("9999-Q3").shift(-4).label == "9998-Q3"


def test_a_wrong_shape_is_still_a_plain_value_error() -> None:
    with pytest.raises(ValueError, match="not a period") as caught:
        parse_period("2026-Q5")
    assert not isinstance(caught.value, CoparentError)


def test_fiscal_labels_are_zero_padded_too() -> None:
    assert parse_period("FY0002-Q1", fiscal_year_start_month=4).label == "FY0002-Q1"
    with pytest.raises(PeriodOutOfRange):
        parse_period("FY0001", fiscal_year_start_month=4)  # would start in year 0
