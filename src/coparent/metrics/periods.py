"""Reporting periods: months, quarters and years, calendar or fiscal.

A `Period` is a half-open interval of dates [start, end). With a fiscal year
starting in month M > 1, quarters and years follow it and are labelled with
``FY`` and the calendar year the fiscal year *ends* in (the common US
convention): with M = 4, ``FY2026`` runs from 2025-04-01 to 2026-03-31 and
``FY2026-Q1`` is April to June 2025.

Examples
--------
>>> parse_period("2026-Q3")
Period(label='2026-Q3')
>>> parse_period("2026-Q3").previous().label, parse_period("2026-Q3").same_last_year().label
('2026-Q2', '2025-Q3')
>>> latest_complete("quarter", as_of=date(2026, 11, 26)).label
'2026-Q3'
>>> p = parse_period("FY2026-Q1", fiscal_year_start_month=4)
>>> p.start, p.end
(datetime.date(2025, 4, 1), datetime.date(2025, 7, 1))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from coparent.errors import PeriodOutOfRange

__all__ = ["Period", "PeriodKind", "latest_complete", "parse_period", "period_containing"]

PeriodKind = Literal["month", "quarter", "year"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _in_calendar(kind: PeriodKind, first_month: tuple[int, int], fy: int, *, what: str) -> Period:
    """The period starting in (year, month), if it and its end fit in `date`'s years 1-9999."""
    year, month = first_month
    try:
        p = Period(kind, date(year, month, 1), fy)
        p.end  # noqa: B018 - the first day after it must exist too
    except (ValueError, OverflowError):
        raise PeriodOutOfRange(
            period=what, reason="calendar", hint="pick a period with data, e.g. a recent quarter"
        ) from None
    return p


@dataclass(frozen=True)
class Period:
    """[start, end) of one month, quarter or year."""

    kind: PeriodKind
    start: date
    fiscal_year_start_month: int = field(default=1, compare=False)

    @property
    def end(self) -> date:
        """First day after the period."""
        return _add_months(self.start, _MONTHS[self.kind])

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time())

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def fiscal_year(self) -> int:
        """The calendar year the fiscal year containing this period ends in."""
        months_in = (self.start.month - self.fiscal_year_start_month) % 12
        fy_start = _add_months(self.start, -months_in)
        return fy_start.year if self.fiscal_year_start_month == 1 else fy_start.year + 1

    @property
    def label(self) -> str:
        fiscal = self.fiscal_year_start_month != 1
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        prefix = f"FY{self.fiscal_year:04d}" if fiscal else f"{self.start.year:04d}"
        if self.kind == "year":
            return prefix
        quarter = (self.start.month - self.fiscal_year_start_month) % 12 // 3 + 1
        return f"{prefix}-Q{quarter}"

    def shift(self, periods: int) -> Period:
        """The period ``periods`` steps later (earlier when negative).

        Raises `PeriodOutOfRange` past the calendar's years 1 to 9999.
        """
        steps = f"{abs(periods)} {self.kind}{'s' if abs(periods) != 1 else ''}"
        relation = f"{steps} {'after' if periods >= 0 else 'before'}"
        return self._moved(periods * _MONTHS[self.kind], relation)

    def previous(self) -> Period:
        return self._moved(-_MONTHS[self.kind], "the period before")

    def same_last_year(self) -> Period:
        return self._moved(-12, "the same period a year before")

    def _moved(self, months: int, relation: str) -> Period:
        index = self.start.year * 12 + self.start.month - 1 + months
        first_month = (index // 12, index % 12 + 1)
        what = f"{relation} {self.label}"
        return _in_calendar(self.kind, first_month, self.fiscal_year_start_month, what=what)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def __repr__(self) -> str:
        return f"Period(label={self.label!r})"


def period_containing(day: date, kind: PeriodKind, *, fiscal_year_start_month: int = 1) -> Period:
    """The month, quarter or year that contains ``day``."""
    if kind == "month":
        return Period(kind, date(day.year, day.month, 1), fiscal_year_start_month)
    months_in = (day.month - fiscal_year_start_month) % _MONTHS[kind]
    start = _add_months(date(day.year, day.month, 1), -months_in)
    return Period(kind, start, fiscal_year_start_month)


def latest_complete(kind: PeriodKind, *, as_of: date, fiscal_year_start_month: int = 1) -> Period:
    """The last period that ended on or before ``as_of`` (a period ending that day counts)."""
    current = period_containing(as_of, kind, fiscal_year_start_month=fiscal_year_start_month)
    if current.end <= as_of + (date.resolution):
        return current
    return current.previous()


_PATTERNS: tuple[tuple[re.Pattern[str], PeriodKind], ...] = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(?:FY)?(\d{4})-?Q([1-4])$", re.I), "quarter"),
    (re.compile(r"^(?:FY)?(\d{4})$", re.I), "year"),
)


def parse_period(text: str, *, fiscal_year_start_month: int = 1) -> Period:
    """Read ``2026-07``, ``2026-Q3``, ``2026``, ``FY2026`` or ``FY2026-Q1``.

    A wrong shape raises `ValueError` with the accepted forms (the CLI turns it
    into a usage error); a period past the calendar (``0000-Q1``, ``9999-Q4``,
    whose end would be in year 10000) raises `PeriodOutOfRange`, a user error.
    """
    text = text.strip()
    fy = fiscal_year_start_month
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "month":
            month = int(match.group(2))
            if not 1 <= month <= 12:
                break
            return _in_calendar("month", (year, month), fy, what=text)
        # fiscal year `year` starts in month fy of year-1 (or of `year` when fy == 1)
        index = (year if fy == 1 else year - 1) * 12 + fy - 1
        if kind == "quarter":
            index += 3 * (int(match.group(2)) - 1)
        return _in_calendar(kind, (index // 12, index % 12 + 1), fy, what=text)
    raise ValueError(
        f"not a period: {text!r}; use 2026-07 (month), 2026-Q3 (quarter), 2026 (year), "
        "or FY2026 / FY2026-Q1 with a fiscal year"
    )
