"""Words for wins: names, days and amounts, said the same way in every story.

Stories celebrate: they name the stage, the number and the people credited,
and never compare a person with another or mention what went wrong.

>>> people([Credit("Dana Reyes", "sales"), Credit("Lee Park", "marketing")])
'Dana Reyes (Sales) and Lee Park (Marketing)'
>>> day(date(2026, 8, 4)), month(date(2026, 3, 1))
('4 Aug 2026', 'March 2026')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from coparent.metrics import display as fmt
from coparent.wins.model import Credit

__all__ = ["TEAM_NAMES", "day", "join", "money", "month", "people"]

TEAM_NAMES = {"marketing": "Marketing", "sales": "Sales"}


def join(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    >>> join(["a"]), join(["a", "b"]), join(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    items = [p for p in parts if p]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def people(credits: Sequence[Credit]) -> str:
    """Each credited person with their side of the work."""
    return join([f"{c.name} ({TEAM_NAMES[c.team]})" for c in credits])


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def month(d: date) -> str:
    return f"{d:%B %Y}"


def money(value: float | None) -> str:
    return fmt.money(value)
