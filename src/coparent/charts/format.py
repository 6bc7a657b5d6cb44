"""Numbers for people: money, shares, durations and counts as a reader says them.

Charts' titles and the web pages' template filters both use these, so a
number reads the same everywhere. ``None`` (an unknown value) prints as an
em dash, never as ``nan`` or ``None``.

Examples
--------
>>> money(912973.0), money(1334310.0, short=True), money(-103856, signed=True)
('$912,973', '$1.3M', '-$103,856')
>>> percent(0.29347826), percent(0.0412), percent(None), percent(0.12, signed=True)
('29%', '4.1%', '—', '+12%')
>>> hours(5.63), hours(52.4), hours(0.4)
('5.6 hours', '2.2 days', '24 minutes')
>>> days(2.13), days(1.0), count(12345), count(None)
('2.1 days', '1 day', '12,345', '—')
"""

from __future__ import annotations

import math

__all__ = ["CURRENCY", "MISSING", "count", "days", "hours", "money", "percent"]

CURRENCY = "$"
MISSING = "—"
_MINUS = "-"


def _bad(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def money(
    value: float | int | None,
    *,
    short: bool = False,
    signed: bool = False,
    currency: str = CURRENCY,
) -> str:
    """``$912,973``; ``short`` gives ``$1.3M`` / ``$48k``; ``signed`` adds ``+``."""
    if _bad(value):
        return MISSING
    assert value is not None
    amount = abs(float(value))
    if short and amount >= 1_000_000:
        text = f"{amount / 1_000_000:.1f}M"
    elif short and amount >= 10_000:
        text = f"{amount / 1_000:.0f}k"
    else:
        text = f"{amount:,.0f}"
    sign = _MINUS if value < 0 and round(amount) != 0 else ("+" if signed and amount else "")
    return f"{sign}{currency}{text}"


def percent(value: float | None, *, signed: bool = False) -> str:
    """A share as a percentage: one decimal below 10%, none above."""
    if _bad(value):
        return MISSING
    assert value is not None
    pct = value * 100
    text = f"{abs(pct):.{1 if abs(pct) < 10 else 0}f}".removesuffix(".0")
    sign = _MINUS if pct < 0 and text != "0" else ("+" if signed and pct > 0 else "")
    return f"{sign}{text}%"


def _unit(value: float, one: str, many: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return f"{text} {one if text == '1' else many}"


def hours(value: float | None) -> str:
    """A duration given in hours: minutes under one hour, days from 48 hours."""
    if _bad(value):
        return MISSING
    assert value is not None
    if value < 1:
        return _unit(value * 60, "minute", "minutes", digits=0)
    if value < 48:
        return _unit(value, "hour", "hours")
    return _unit(value / 24, "day", "days")


def days(value: float | None) -> str:
    """A duration given in days, to one decimal."""
    if _bad(value):
        return MISSING
    assert value is not None
    return _unit(value, "day", "days")


def count(value: float | int | None) -> str:
    """A whole count with thousands separators."""
    if _bad(value):
        return MISSING
    assert value is not None
    return f"{round(value):,}"
