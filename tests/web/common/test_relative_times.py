"""Relative times read to the minute: "2 minutes ago", never "1 hour ago" for two minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coparent.web.common.templatetags.coparent import ago, due


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (20, "just now"),
        (120, "2 minutes ago"),
        (59 * 60 + 5, "59 minutes ago"),
        (3 * 3600 + 600, "3 hours ago"),
        (3 * 86400, "3 days ago"),
    ],
)
def test_ago_counts_minutes_under_an_hour_and_hours_under_a_day(
    seconds: int, expected: str
) -> None:
    assert ago(timezone.now() - timedelta(seconds=seconds)) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (25 * 60 + 5, "due in 25 minutes"),
        (-(2 * 60 + 5), "overdue by 2 minutes"),
        (5 * 3600 + 60, "due in 5 hours"),
        (-2 * 86400, "overdue by 2 days"),
    ],
)
def test_due_counts_minutes_under_an_hour(seconds: int, expected: str) -> None:
    assert due(timezone.now() + timedelta(seconds=seconds)) == expected


def test_a_missing_time_reads_as_missing_not_zero() -> None:
    assert ago(None) not in ("0 minutes ago", "just now")
    assert due(None) == ""
