"""Numbers and stage names as people read them, for verdicts and the narrative.

Amounts, shares and counts are formatted by `coparent.metrics.display`, the one
place every surface formats numbers, so "$912,973" in a headline is "$912,973"
on the scorecard and in the digest; this module adds what only sentences
about changes need (points, relative changes, a factor's own unit).

Examples
--------
>>> money(-103856.4), money(300870.1, signed=True), percent(0.3784), points(-0.262)
('-$103,856', '+$300,870', '38%', '-26 points')
>>> factor_value("deal_size", 1720.5), factor_value("pace", 0.851)
('$1,720', '85%')
>>> relative(-0.105), relative(0.9), relative(5.96)
('-10%', '+146%', '387.6 times')
"""

from __future__ import annotations

import math

from coparent.diagnosis.bridge import Factor
from coparent.metrics import display

__all__ = [
    "FACTOR_NAMES",
    "count",
    "direction",
    "factor_value",
    "hours",
    "money",
    "percent",
    "points",
    "relative",
]

FACTOR_NAMES: dict[Factor, str] = {
    "volume": "volume",
    "acceptance": "acceptance (MQLs accepted per MQL)",
    "conversion": "conversion (opportunities opened per accepted lead)",
    "pace": "closing pace (deals closed per deal opened)",
    "win_rate": "win rate",
    "deal_size": "average won deal",
}
"""How each factor is named in sentences; flow ratios say what they count."""


def money(x: float, *, signed: bool = False) -> str:
    return display.money(x, signed=signed)


def count(x: float) -> str:
    return display.count(x)


def hours(x: float) -> str:
    return display.hours(x)


def percent(x: float | None, *, signed: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return display.percent(x, signed=signed)


def points(d: float) -> str:
    n = round(d * 100)
    unit = "point" if abs(n) == 1 else "points"
    return f"{n:+d} {unit}"


def relative(estimate: float | None) -> str:
    """A log-ratio change as a signed percentage, or as a multiple from 3 times up."""
    if estimate is None:
        return "n/a"
    if estimate >= math.log(3):
        return f"{math.exp(estimate):,.1f} times"
    return percent(math.expm1(estimate), signed=True)


def factor_value(factor: Factor, value: float | None, *, volume_unit: str = "") -> str:
    """A factor's value in its own unit: a count, a percentage or an amount."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if factor == "volume":
        return count(value) + (f" {volume_unit}" if volume_unit else "")
    if factor == "deal_size":
        return money(value)
    return percent(value)


def direction(
    factor: Factor, up: bool, *, volume_unit: str = "MQLs", period: str = "quarter"
) -> str:
    """A factor's move in plain words: 'fewer MQLs', 'fewer deals closed in the quarter'."""
    words: dict[Factor, tuple[str, str]] = {
        "volume": (f"more {volume_unit}", f"fewer {volume_unit}"),
        "acceptance": ("a higher share of MQLs accepted", "a lower share of MQLs accepted"),
        "conversion": (
            "more accepted leads turning into opportunities",
            "fewer accepted leads turning into opportunities",
        ),
        "pace": (f"more deals closed in the {period}", f"fewer deals closed in the {period}"),
        "win_rate": ("a higher win rate", "a lower win rate"),
        "deal_size": ("larger won deals", "smaller won deals"),
    }
    return words[factor][0 if up else 1]
