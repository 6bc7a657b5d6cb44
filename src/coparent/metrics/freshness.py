"""How far the data reach: "the data's first and last dates", one rule for every report.

The scorecard, the diagnosis, the wins engine, the pairing agendas and the
digest all read "now" as the end of the data's last day, so a warehouse that
stopped being refreshed shows its last complete picture instead of empty
current weeks. The same dated columns give the data's first day, and
`check_period` turns a period the data cannot answer for (before the first
day, after the last, or a baseline before the first) into one clear error
instead of a report of zeros.

Examples
--------
>>> from coparent.metrics.periods import parse_period
>>> data = DataRange(datetime(2024, 10, 1, 7), datetime(2026, 8, 15, 18))
>>> data.complete(parse_period("2026-Q2")), data.complete(parse_period("2026-Q3"))
(True, False)
>>> check_period(parse_period("2030-Q1"), data)
Traceback (most recent call last):
...
coparent.errors.PeriodOutOfRange: 2030-Q1 starts after the data end (2026-08-15)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ibis
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import PeriodOutOfRange, PeriodProblem
from coparent.metrics.periods import Period, latest_complete, period_containing

__all__ = [
    "FACT_TIMESTAMPS",
    "NOTE_PARTIAL_START",
    "NOTE_TO_DATE",
    "DataRange",
    "check_period",
    "coverage_notes",
    "data_last_at",
    "data_last_at_in",
    "data_range",
    "data_range_in",
    "default_period",
]

FACT_TIMESTAMPS: dict[str, tuple[str, ...]] = {
    "opportunities": ("created_at", "closed_at"),
    "leads": ("created_at", "mql_at", "first_contacted_at", "accepted_at", "rejected_at"),
    "activities": ("occurred_at",),
}
"""The columns whose earliest and latest values are "the data's first and last dates"."""


@dataclass(frozen=True)
class DataRange:
    """The earliest and the latest fact timestamp: the days any report can speak about."""

    first_at: datetime
    last_at: datetime

    @property
    def first(self) -> date:
        return self.first_at.date()

    @property
    def last(self) -> date:
        return self.last_at.date()

    def covers(self, period: Period) -> bool:
        """The period shares at least one day with the data."""
        return period.start <= self.last and period.end > self.first

    def complete(self, period: Period, *, as_of: date | None = None) -> bool:
        """The data (or ``as_of``, when given) reach the period's last day."""
        return (as_of or self.last) >= period.end - timedelta(days=1)

    def periods(self, like: Period) -> tuple[Period, Period]:
        """The first and the last period of ``like``'s kind (and fiscal year) with data."""
        fy = like.fiscal_year_start_month
        return (
            period_containing(self.first, like.kind, fiscal_year_start_month=fy),
            period_containing(self.last, like.kind, fiscal_year_start_month=fy),
        )


def _bounds(tables: Mapping[str, ir.Table]) -> tuple[datetime, datetime] | None:
    parts = []
    for name, cols in FACT_TIMESTAMPS.items():
        t = tables.get(name)
        present = [c for c in cols if t is not None and c in t.columns]
        if t is None or not present:
            continue
        lows = [t[c].min() for c in present]
        highs = [t[c].max() for c in present]
        low = ibis.least(*lows) if len(lows) > 1 else lows[0]
        high = ibis.greatest(*highs) if len(highs) > 1 else highs[0]
        parts.append(t.aggregate(first_at=low.cast("timestamp"), last_at=high.cast("timestamp")))
    if not parts:
        return None
    both = ibis.union(*parts)
    row = both.aggregate(first_at=both.first_at.min(), last_at=both.last_at.max())
    values = row.to_pyarrow().to_pylist()[0]
    first, last = values["first_at"], values["last_at"]
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return None
    return first, last


def data_range(tables: Mapping[str, ir.Table]) -> DataRange | None:
    """The first and last fact timestamps among ``tables``: one query.

    None when no table with a dated column is given (or all dates are null).
    """
    bounds = _bounds(tables)
    return DataRange(*bounds) if bounds is not None else None


def data_range_in(con: BaseBackend) -> DataRange | None:
    """`data_range` over whichever fact tables the warehouse holds."""
    present = set(con.list_tables())
    return data_range({name: con.table(name) for name in FACT_TIMESTAMPS if name in present})


def data_last_at(tables: Mapping[str, ir.Table]) -> datetime | None:
    """The latest fact timestamp among ``tables`` (see `data_range`)."""
    found = data_range(tables)
    return found.last_at if found is not None else None


def data_last_at_in(con: BaseBackend) -> datetime | None:
    """`data_last_at` over whichever fact tables the warehouse holds."""
    found = data_range_in(con)
    return found.last_at if found is not None else None


NOTE_TO_DATE = "{label} is not over: its figures are to date, as of {as_of}"
NOTE_PARTIAL_START = "{label} starts before the data ({first}): its figures cover {first} on"


def _months_between(a: Period, b: Period) -> int:
    return (b.start.year - a.start.year) * 12 + b.start.month - a.start.month


def check_period(
    period: Period, data: DataRange | None, *, baseline_of: Period | None = None, relation: str = ""
) -> None:
    """Raise `PeriodOutOfRange` unless ``period`` shares a day with the data.

    ``baseline_of`` names the period a baseline serves (``relation`` says how,
    e.g. "the period before"), so the message and the hint speak of the
    comparison. Without dated data there is nothing to check against (the
    reports say what to import instead).
    """
    if data is None or data.covers(period):
        return
    reason: PeriodProblem = "before_data" if period.end <= data.first else "after_data"
    first, last = data.periods(period)
    cover = f"the data cover {data.first} to {data.last}"
    if baseline_of is None:
        what = period.label
        span = first.label if first == last else f"from {first.label} to {last.label}"
        hint = f"{cover}: pick a {period.kind} {span}"
    else:
        served = f"{relation} {baseline_of.label}" if relation else baseline_of.label
        what = f"the baseline {period.label} ({served})"
        # the first period whose baseline has data is as far after the first period with data
        steps = _months_between(period, baseline_of) // _months_between(first, first.shift(1))
        hint = f"{cover}: pick {first.shift(steps).label} or later, or another baseline"
    raise PeriodOutOfRange(
        period=period.label, reason=reason, what=what, first=data.first, last=data.last, hint=hint
    )


def coverage_notes(
    period: Period, data: DataRange | None, *, as_of: date | None = None
) -> list[str]:
    """What a report of ``period`` must say about the data's reach: a late start, or to date.

    The period is to date when ``as_of`` (default: the data's last date) is
    before its last day, the same rule as `DataRange.complete`.
    """
    notes = []
    if data is not None and period.start < data.first:
        notes.append(NOTE_PARTIAL_START.format(label=period.label, first=data.first))
    day = as_of or (data.last if data is not None else None)
    if day is not None and day < period.end - timedelta(days=1):
        notes.append(NOTE_TO_DATE.format(label=period.label, as_of=day))
    return notes


def default_period(
    data: DataRange | None, *, as_of: date | None = None, fiscal_year_start_month: int = 1
) -> Period | None:
    """The reports' default: the latest complete quarter as of ``as_of``, else the data's last date.

    When that quarter has no data (all the data fall in the current quarter: a
    company in its first weeks), the quarter the day falls in instead, which
    `coverage_notes` then calls not over. None with no day at all (no dated
    facts): the caller asks for a period.
    """
    day = as_of or (data.last if data is not None else None)
    if day is None:
        return None
    fy = fiscal_year_start_month
    chosen = latest_complete("quarter", as_of=day, fiscal_year_start_month=fy)
    if data is not None and not data.covers(chosen):
        return period_containing(day, "quarter", fiscal_year_start_month=fy)
    return chosen
