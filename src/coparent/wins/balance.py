"""The balance panel: recognition, credited revenue, goals set and feedback answered, per side
and per week, and a warning when one side gets more than its share of the recognition.

Plain data in, plain data out. A side is a team (``marketing``, ``sales``),
or in single-team mode the role of the work (marketing work, sales work):
the inputs already name the side of the work, so the computation is the
same and only the words change.

- **Recognition**: each win and each kudos is one unit, split equally among
  the sides it credits (a joint deal gives half to each), so the shares of
  the two sides add up to 1.
- **Credited revenue**: the amount of each won deal, counted in full for
  every side it credits (a joint deal is both teams' revenue).
- **Goals set**: the team sub-goals set with a shared goal, by the day set.
- **Feedback answered**: items each side answered.

The warning looks at the last ``weeks`` weeks: when one side's share of the
recognition is **more than** ``max_share`` (exactly ``max_share`` is fine)
and there were at least ``min_items`` wins and kudos. Shares are compared
as exact fractions, so 13 of 20 against 0.65 is no warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from coparent.wins.model import SIDES

__all__ = ["BalanceItem", "balance_report", "recognition_shares", "week_start"]

_MEASURES = ("recognition", "revenue", "goals", "answered")


@dataclass(frozen=True)
class BalanceItem:
    """One thing that counts for a side: a win or kudos, a goal, an answer.

    ``measure`` is one of ``recognition``, ``goals``, ``answered``; a
    recognition item with an ``amount`` (a won deal) adds credited revenue.
    """

    measure: str
    day: date
    sides: tuple[str, ...]
    amount: float | None = None


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week.

    >>> week_start(date(2026, 7, 9))
    datetime.date(2026, 7, 6)
    """
    return day - timedelta(days=day.weekday())


def recognition_shares(items: Iterable[BalanceItem]) -> dict[str, Fraction]:
    """Each side's share of the recognition units (0 for both when there is none).

    >>> from datetime import date
    >>> d = date(2026, 7, 6)
    >>> shares = recognition_shares([BalanceItem("recognition", d, ("sales",)),
    ...                              BalanceItem("recognition", d, ("marketing", "sales"))])
    >>> {k: str(v) for k, v in shares.items()}
    {'marketing': '1/4', 'sales': '3/4'}
    """
    units = _units(items)
    total = sum(units.values(), Fraction(0))
    if total == 0:
        return dict.fromkeys(SIDES, Fraction(0))
    return {s: units[s] / total for s in SIDES}


def _units(items: Iterable[BalanceItem]) -> dict[str, Fraction]:
    units: dict[str, Fraction] = dict.fromkeys(SIDES, Fraction(0))
    for item in items:
        sides = [s for s in dict.fromkeys(item.sides) if s in units]
        if item.measure != "recognition" or not sides:
            continue
        for s in sides:
            units[s] += Fraction(1, len(sides))
    return units


def _empty_week() -> dict[str, dict[str, float]]:
    return {s: dict.fromkeys(_MEASURES, 0.0) for s in SIDES}


def balance_report(
    items: Sequence[BalanceItem],
    *,
    end: date,
    weeks: int,
    history_weeks: int = 12,
    max_share: float = 0.65,
    min_items: int = 5,
    single_team: bool = False,
) -> dict[str, Any]:
    """The panel's numbers: per week, over the last ``weeks`` weeks, and the warning.

    ``end`` is the last day counted; weeks are ISO weeks, the last one the
    week of ``end`` (to date). Output: ``sides`` (key → label), ``weeks``
    (oldest first: ``week`` ISO date and per side ``recognition``,
    ``revenue``, ``goals``, ``answered``), ``window`` (``from``, ``to``,
    ``items`` and per side the same measures plus ``share`` of the
    recognition, a float) and ``warning`` (None, or ``side``, ``label``,
    ``share``, ``max_share`` and ``message``).
    """
    if weeks < 1 or history_weeks < 1:
        raise ValueError("weeks and history_weeks must be at least 1")
    last_monday = week_start(end)
    shown = max(weeks, history_weeks)
    first_monday = last_monday - timedelta(weeks=shown - 1)
    window_from = last_monday - timedelta(weeks=weeks - 1)
    series = {first_monday + timedelta(weeks=i): _empty_week() for i in range(shown)}
    totals = _empty_week()
    in_window: list[BalanceItem] = []
    for item in items:
        if not first_monday <= item.day <= end:
            continue
        sides = [s for s in dict.fromkeys(item.sides) if s in SIDES]
        if not sides:
            continue
        targets = [series[week_start(item.day)]]
        if item.day >= window_from:
            targets.append(totals)
            in_window.append(item)
        for bucket in targets:
            for s in sides:
                if item.measure == "recognition":
                    bucket[s]["recognition"] += 1 / len(sides)
                    if item.amount is not None:
                        bucket[s]["revenue"] += item.amount
                else:
                    bucket[s][item.measure] += 1
    shares = recognition_shares(in_window)
    labels = (
        {"marketing": "Marketing work", "sales": "Sales work"}
        if single_team
        else {"marketing": "Marketing", "sales": "Sales"}
    )
    count = sum(1 for i in in_window if i.measure == "recognition")
    limit = Fraction(str(max_share))
    warning = None
    top = max(SIDES, key=lambda s: shares[s])
    if count >= min_items and shares[top] > limit:
        other = next(s for s in SIDES if s != top)
        warning = {
            "side": top,
            "label": labels[top],
            "share": float(shares[top]),
            "max_share": max_share,
            "message": (
                f"{labels[top]} received {float(shares[top]):.0%} of the recognition in the "
                f"last {weeks} week{'s' if weeks != 1 else ''} (more than {max_share:.0%}). "
                f"Look for what {labels[other]} did well and say so."
            ),
        }
    return {
        "single_team": single_team,
        "sides": labels,
        "weeks": [{"week": monday.isoformat(), **series[monday]} for monday in sorted(series)],
        "window": {
            "from": window_from.isoformat(),
            "to": end.isoformat(),
            "weeks": weeks,
            "items": count,
            **{s: {**totals[s], "share": float(shares[s])} for s in SIDES},
        },
        "warning": warning,
    }
