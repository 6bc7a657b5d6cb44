"""The demo's clock: two years of eight calendar quarters, and the float-days-to-timestamp edge."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from coparent.demo._calendar import Calendar


def test_two_years_to_a_quarter_end_are_eight_calendar_quarters():
    cal = Calendar.two_years_to(date(2026, 9, 30))
    assert cal.start == date(2024, 10, 1)
    assert cal.days == 730
    assert cal.quarter_labels == (
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
    )  # fmt: skip
    assert cal.quarter_starts[-1] == cal.days
    assert cal.quarter_of(np.array([0.0, 91.9, 92.0, 729.99])).tolist() == [0, 0, 1, 7]


def test_an_end_that_is_not_a_quarter_end_is_refused():
    with pytest.raises(ValueError, match="last day of a quarter"):
        Calendar.two_years_to(date(2026, 8, 31))


def test_times_become_whole_seconds_and_nothing_spills_past_the_last_day():
    cal = Calendar.two_years_to(date(2026, 9, 30))
    t = np.array([0.0, 0.5, np.nextafter(float(cal.days), 0.0), float(cal.days), np.nan])
    us, present = cal.to_us(t)
    assert present.tolist() == [True, True, True, False, False]
    stamps = us[present].astype("datetime64[us]").astype(str).tolist()
    assert stamps == [
        "2024-10-01T00:00:00.000000",
        "2024-10-01T12:00:00.000000",
        "2026-09-30T23:59:59.000000",
    ]
