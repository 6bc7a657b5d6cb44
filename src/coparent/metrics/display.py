"""Numbers for people, in one place: money, shares, durations, counts and "no data".

Every surface that shows a figure to a person (the CLI printers, the web
templates through their filters, the charts' titles, the digest) formats it
here, so a number reads the same everywhere: 69% on the scorecard is 69% in
the digest and in the terminal. `value` formats a registered metric by its
unit (`coparent.metrics.registry`) and says what to import when its inputs
are missing; `label` gives its label. ``None`` (an unknown value) prints as
"no data", never as ``nan``, ``None``, 0% or 100%.

Every formatter returns through `_done`; a test wraps it to find numbers a
page printed without coming here.

Examples
--------
>>> money(912973.0), money(1334310.0, short=True), money(-103856, signed=True)
('$912,973', '$1.3M', '-$103,856')
>>> percent(0.29347826), percent(0.0412), percent(None), percent(0.12, signed=True)
('29%', '4.1%', 'no data', '+12%')
>>> hours(5.63), hours(52.4), hours(0.4)
('5.6 hours', '2.2 days', '24 minutes')
>>> days(2.13), days(1.0), count(12345), count(None), decimal(2.3676)
('2.1 days', '1 day', '12,345', 'no data', '2.4')
>>> value("sales_sla_share", None, no_data={"sales_sla_share": "import activities"})
'no data (import activities)'
>>> label("sales_sla_share", sla_hours=24), value("acceptance_rate", 0.5164)
('Contacted within 24 hours', '52%')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from coparent.metrics.registry import Unit, metric

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
    "one_team",
    "p_value",
    "percent",
    "unit_format",
    "value",
]

CURRENCY = "$"
NO_DATA = "no data"
MISSING = NO_DATA  # the older name
_MINUS = "-"


def _done(text: str) -> str:
    """Every formatted number passes here (the page tests mark it to catch bypasses)."""
    return text


def _bad(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def missing(hint: str = "") -> str:
    """``no data``, or ``no data (import leads with accepted_at)`` when the cause is known."""
    return _done(f"{NO_DATA} ({hint})" if hint else NO_DATA)


def money(
    value: float | int | None,
    *,
    short: bool = False,
    signed: bool = False,
    currency: str = CURRENCY,
) -> str:
    """``$912,973``; ``short`` gives ``$1.3M`` / ``$48k``; ``signed`` adds ``+``."""
    if _bad(value):
        return missing()
    assert value is not None
    amount = abs(float(value))
    if short and amount >= 1_000_000:
        text = f"{amount / 1_000_000:.1f}M"
    elif short and amount >= 10_000:
        text = f"{amount / 1_000:.0f}k"
    else:
        text = f"{amount:,.0f}"
    sign = _MINUS if value < 0 and round(amount) != 0 else ("+" if signed and amount else "")
    return _done(f"{sign}{currency}{text}")


def percent(value: float | None, *, signed: bool = False) -> str:
    """A share as a percentage: one decimal below 10%, none above."""
    if _bad(value):
        return missing()
    assert value is not None
    pct = value * 100
    text = f"{abs(pct):.{1 if abs(pct) < 10 else 0}f}".removesuffix(".0")
    sign = _MINUS if pct < 0 and text != "0" else ("+" if signed and pct > 0 else "")
    return _done(f"{sign}{text}%")


def p_value(value: float | None) -> str:
    """A test's p-value: two significant digits (``0.0086``), powers of ten below 0.0001."""
    if _bad(value):
        return missing()
    assert value is not None
    if value < 1e-4:
        return _done("below 0.0001" if value > 0 else "0")
    return _done(f"{value:.2g}" if value < 0.1 else f"{value:.2f}")


def _unit(value: float, one: str, many: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return _done(f"{text} {one if text == '1' else many}")


def hours(value: float | None) -> str:
    """A duration given in hours: minutes under one hour, days from 48 hours."""
    if _bad(value):
        return missing()
    assert value is not None
    if value < 1:
        return _unit(value * 60, "minute", "minutes", digits=0)
    if value < 48:
        return _unit(value, "hour", "hours")
    return _unit(value / 24, "day", "days")


def days(value: float | None) -> str:
    """A duration given in days, to one decimal."""
    if _bad(value):
        return missing()
    assert value is not None
    return _unit(value, "day", "days")


def count(value: float | int | None) -> str:
    """A whole count with thousands separators."""
    if _bad(value):
        return missing()
    assert value is not None
    return _done(f"{round(value):,}")


def decimal(value: float | int | None, *, digits: int = 1) -> str:
    """A ratio that is not a share (attempts per MQL): ``digits`` decimals, no trailing zero."""
    if _bad(value):
        return missing()
    assert value is not None
    text = f"{float(value):,.{digits}f}"
    return _done(text.rstrip("0").rstrip(".") if "." in text else text)


_BY_UNIT: dict[str, Callable[[float | int | None], str]] = {
    "money": money,
    "percent": percent,
    "count": count,
    "hours": hours,
    "days": days,
    "decimal": decimal,
}


def unit_format(unit: Unit, value: float | int | None) -> str:
    """``value`` in the format of ``unit``."""
    return _BY_UNIT[unit](value)


def value(
    name: str, number: float | int | None, *, no_data: Mapping[str, str] | None = None
) -> str:
    """Registered metric ``name``'s ``number`` for people.

    "no data (import ...)" when the report's ``no_data`` map says its inputs are missing.
    """
    if _bad(number):
        return missing((no_data or {}).get(name, ""))
    return unit_format(metric(name).unit, number)


def label(name: str, *, sla_hours: float | None = None, single_team: bool = False) -> str:
    """Registered metric ``name``'s label, with the SLA in words where it names one.

    ``single_team``: one team holds both roles, so no label names a team (`one_team`).
    """
    text = metric(name).label
    if "{sla}" in text:
        text = text.replace("{sla}", hours(24.0 if sla_hours is None else sla_hours))
    return one_team(text) if single_team else text


# What our own words say of two teams, and how one team that does both jobs says it.
# Longest first: "accepted by Sales" before "by Sales".
_ONE_TEAM: tuple[tuple[str, str], ...] = (
    ("Accepted by Sales", "Accepted"),
    ("accepted by Sales", "accepted"),
    ("Rejected by Sales", "Rejected"),
    ("rejected by Sales", "rejected"),
    ("First contact by Sales", "First contact"),
    ("Marketing's campaign", "the campaign"),
    # Attribution's sourced and influenced revenue: the two kinds of work, not two teams.
    ("Marketing- and Sales-sourced revenue", "Revenue sourced by marketing work and sales work"),
    ("Marketing-sourced", "Sourced by marketing work"),
    ("Sales-sourced", "Sourced by sales work"),
    ("Marketing-influenced", "Influenced by marketing work"),
    ("Sales-influenced", "Influenced by sales work"),
    ("Sales' own", "a sales step"),
    ("Worked by both teams", "Both marketing and sales work"),
    ("most deals need both teams", "most deals need both kinds of work"),
    ("the same rules for both teams", "the same rules for marketing and sales work"),
    ("the Sales team", "the team"),
    ("the Marketing team", "the team"),
    ("Both teams", "The whole team"),
    ("both teams", "the whole team"),
    ("(Sales)", "(sales work)"),
    ("(Marketing)", "(marketing work)"),
)


def one_team(text: str) -> str:
    """``text`` as a company with one team for both roles reads it: no team named apart.

    Our labels and stories name the two teams in a few fixed phrases; each has
    a single-team wording (the two roles, or the team as a whole).

    >>> one_team("Accepted by Sales (of decided MQLs)")
    'Accepted (of decided MQLs)'
    >>> one_team("Won: $1,200 — Dana Reyes (Sales) and Lee Park (Marketing)")
    'Won: $1,200 — Dana Reyes (sales work) and Lee Park (marketing work)'
    """
    for two, one in _ONE_TEAM:
        text = text.replace(two, one)
    return text
