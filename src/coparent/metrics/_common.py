"""Small Ibis building blocks shared by the metrics: windows, segments, safe ratios.

Conventions every metric follows (docs/scorecard.md repeats them):

- A reporting window is half-open, [start, end). ``as_of`` is the moment the
  data is read at: events at or after it are treated as not having happened
  yet, and a period that is not over is cut at ``as_of`` (period to date).
- ``by`` names segment columns. Text segments keep their value, with missing
  values as ``(none)``; ``month``, ``quarter`` and ``year`` bucket the
  metric's own date into periods (the first day of each, a date), quarters
  and years following the fiscal year start.
- Counts are never null (0 for nothing) and every ratio is null when its
  denominator is 0, never an error (Spark runs ANSI SQL, where x / 0 fails).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise

import ibis
from ibis.expr import types as ir

from coparent.metrics.periods import Period

__all__ = [
    "NONE_SEGMENT",
    "NO_LEAD_SEGMENT",
    "PERIOD_BUCKETS",
    "By",
    "add_segments",
    "by_columns",
    "check_no_overlap",
    "count_if",
    "fiscal_start",
    "happened_before",
    "hours_between",
    "in_range",
    "in_window",
    "period_bucket",
    "ratio",
    "segment_sources",
    "segment_values",
    "to_canonical",
    "where",
    "window",
]

NONE_SEGMENT = "(none)"
NO_LEAD_SEGMENT = "(no lead)"
PERIOD_BUCKETS = ("month", "quarter", "year")

By = str | Sequence[str] | None

_BUCKET_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def by_columns(by: By) -> list[str]:
    """``by`` as a list of names (a lone string is one segment column)."""
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    if len(set(names)) != len(names):
        raise ValueError(f"by names a column twice: {names}")
    return names


def segment_sources(by: By) -> set[str]:
    """The input columns ``by`` reads (period buckets read the metric's date instead)."""
    return {name for name in by_columns(by) if name not in PERIOD_BUCKETS}


def fiscal_start(period: Period | None, fiscal_year_start_month: int | None) -> int:
    """The fiscal year start month: the explicit one, else the period's, else January."""
    if fiscal_year_start_month is not None:
        return fiscal_year_start_month
    return period.fiscal_year_start_month if period is not None else 1


def window(
    period: Period | None, as_of: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """[start, end) of ``period`` cut at ``as_of``; ``None`` bounds are open."""
    start = period.start_at if period is not None else None
    end = period.end_at if period is not None else None
    if as_of is not None and (end is None or as_of < end):
        end = as_of
    return start, end


def in_window(
    col: ir.TimestampValue, start: datetime | None, end: datetime | None
) -> ir.BooleanValue:
    """``col`` in [start, end), false (never null) when ``col`` is null."""
    cond = col.notnull()
    if start is not None:
        cond &= col >= start
    if end is not None:
        cond &= col < end
    return cond.fill_null(False)


def in_range(
    col: ir.TimestampValue, start: datetime | None, end: datetime | None
) -> ir.BooleanValue:
    """``col`` in [start, end) as bare comparisons: the form for filters.

    Null when ``col`` is null, which a filter drops just as it drops false, so
    it keeps the rows `in_window` keeps. Bare comparisons are what engines push
    into the scan (DuckDB skips row groups by their min/max, Spark pushes them
    to Parquet); wrapped in `in_window`'s null handling they are not.
    """
    if start is None and end is None:
        return col.notnull()
    if start is None:
        return col < end
    if end is None:
        return col >= start
    return (col >= start) & (col < end)


def happened_before(col: ir.TimestampValue, as_of: datetime | None) -> ir.BooleanValue:
    """The event in ``col`` is known and happened before ``as_of`` (any time when None).

    A null ``col`` compares to null, which ``fill_null`` makes false: no separate
    null test (fewer nodes for Ibis to compile, and for the engine to evaluate).
    """
    if as_of is None:
        return col.notnull()
    return (col < as_of).fill_null(False)


def count_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    """How many rows satisfy ``cond`` (null counts as false); 0, never null, when none do.

    Written as a sum of 0/1 rather than ``count(where=...)``: on PySpark Ibis
    compiles the latter to a sum that is null for a group of nulls.
    """
    return cond.fill_null(False).cast("int64").sum().fill_null(0)


def where(cond: ir.BooleanValue, value: ir.Value) -> ir.Value:
    """``value`` where ``cond`` holds, else null: feed it to an aggregate to filter it.

    Used for quantiles instead of ``median(where=...)``, which Ibis compiles
    for PySpark with the percentage itself wrapped in the condition (Spark
    then refuses it as not constant).
    """
    return ibis.cases((cond.fill_null(False), value), else_=ibis.null(value.type()))


def ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """``num / den`` as float64, null when ``den`` is 0 or null."""
    return num.cast("float64") / den.cast("float64").nullif(0.0)


def hours_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Hours from ``earlier`` to ``later`` (whole seconds; null when either is null)."""
    seconds = later.epoch_seconds() - earlier.epoch_seconds()
    return seconds.cast("float64") / 3600.0


def period_bucket(
    at: ir.TimestampValue, kind: str, *, fiscal_year_start_month: int = 1
) -> ir.DateValue:
    """First day of the month, quarter or year (fiscal) containing ``at``.

    Built from month arithmetic rather than ``truncate`` so that fiscal
    quarters and years work, and the same SQL runs on every backend.
    """
    months = _BUCKET_MONTHS[kind]
    index = at.year().cast("int64") * 12 + at.month().cast("int64") - 1
    offset = (fiscal_year_start_month - 1) % months
    first = index - (index - offset) % months
    return ibis.date(first // 12, first % 12 + 1, 1)


def segment_values(
    table: ir.Table, by: By, *, at: ir.TimestampValue, fiscal_year_start_month: int
) -> dict[str, ir.Value]:
    """The segment value of each ``by`` name, as expressions on ``table``."""
    values: dict[str, ir.Value] = {}
    for name in by_columns(by):
        if name in PERIOD_BUCKETS:
            values[name] = period_bucket(at, name, fiscal_year_start_month=fiscal_year_start_month)
        else:
            values[name] = table[name].cast("string").fill_null(NONE_SEGMENT)
    return values


def add_segments(
    table: ir.Table, by: By, *, at: ir.TimestampValue, fiscal_year_start_month: int
) -> tuple[ir.Table, list[str]]:
    """``table`` with one segment column per ``by`` name, and those names."""
    values = segment_values(table, by, at=at, fiscal_year_start_month=fiscal_year_start_month)
    return (table.mutate(**values) if values else table), list(values)


def to_canonical(table: ir.Table, columns: Mapping[str, str]) -> ir.Table:
    """Rename the caller's columns to canonical names (``{canonical: actual}``).

    The metrics are written against canonical names; a caller whose table names
    a column differently passes it as ``<role>_col`` and it is renamed here.
    """
    renames = {canonical: actual for canonical, actual in columns.items() if canonical != actual}
    if not renames:
        return table
    clashing = [c for c in renames if c in table.columns and c not in renames.values()]
    if clashing:
        table = table.drop(*clashing)
    return table.rename(**renames)


def check_no_overlap(windows: Mapping[str, tuple[datetime | None, datetime | None]]) -> None:
    """Refuse windows that overlap: each row counts in one period."""
    spans = sorted(
        (start, end, name)
        for name, (start, end) in windows.items()
        if start is not None and end is not None and start < end
    )
    for (_, end0, a), (start1, _, b) in pairwise(spans):
        if start1 < end0:
            raise ValueError(f"periods {a!r} and {b!r} overlap: each row counts in one period")
