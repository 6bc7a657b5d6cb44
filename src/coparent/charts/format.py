"""Moved to `coparent.metrics.display`, the one module that formats numbers for people.

Kept as an alias so ``from coparent.charts.format import money`` still works;
new code imports `coparent.metrics.display` (the diagnosis, a layer beside the
charts, can import it too).
"""

from __future__ import annotations

from coparent.metrics.display import (
    CURRENCY,
    MISSING,
    NO_DATA,
    count,
    days,
    decimal,
    hours,
    label,
    missing,
    money,
    percent,
    unit_format,
    value,
)

__all__ = [
    "CURRENCY",
    "MISSING",
    "NO_DATA",
    "count",
    "days",
    "decimal",
    "hours",
    "label",
    "missing",
    "money",
    "percent",
    "unit_format",
    "value",
]
