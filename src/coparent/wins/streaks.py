"""Rules over weeks: SLA streaks for both sides, and fast first contacts.

A week is an ISO week (Monday to Sunday) of MQLs. It is judged once it is
over and none of its MQLs is still pending (younger than the Sales SLA at
the moment the facts are read), so a streak never counts a week that could
still change. Weeks follow each other by the calendar: a week with no MQLs
ends a streak.

- Sales is on target in a week when at least ``sales_sla_target`` of its
  judged MQLs were contacted within the SLA.
- Marketing is on target when the week's MQLs reach the weekly share of the
  monthly commitment (``commitment x 12 / 52``, when a commitment is set)
  and their acceptance rate, accepted / (accepted + rejected), is at least
  ``acceptance_target`` (when that is above 0). With neither set, Marketing's
  weeks are not judged.

A streak is celebrated when it reaches ``streak_weeks`` weeks and again at
every multiple; its key is the side, the streak's first week and its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from coparent.metrics import display as fmt
from coparent.wins import stories
from coparent.wins.inputs import AppData, FactRows
from coparent.wins.model import Credit, Side, Win, win_key
from coparent.wins.rules import WinsConfig

__all__ = [
    "fast_contact_wins",
    "marketing_on_target",
    "marketing_sla_streak_wins",
    "sales_on_target",
    "sales_sla_streak_wins",
    "week_label",
]

Row = dict[str, Any]
_WEEK = timedelta(days=7)


def week_label(monday: date) -> str:
    """The ISO week, as an id.

    >>> week_label(date(2026, 7, 6))
    '2026-W28'
    """
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _judged_weeks(rows: FactRows) -> list[Row]:
    """Weeks that are over and have no pending MQL, oldest first."""
    end = rows.until.date()
    out = [
        w
        for w in rows.weeks
        if _day(w["week"]) + _WEEK <= end and not int(w.get("pending") or 0) and w["mqls"]
    ]
    return sorted(out, key=lambda w: _day(w["week"]))


def sales_on_target(week: Row, config: WinsConfig) -> bool:
    judged = int(week["met"]) + int(week["missed"])
    return judged > 0 and int(week["met"]) / judged >= config.sales_sla_target


def _weekly_commitment(config: WinsConfig) -> float:
    return config.mql_commitment_per_month * 12 / 52


def marketing_on_target(week: Row, config: WinsConfig) -> bool:
    if config.mql_commitment_per_month and int(week["mqls"]) < _weekly_commitment(config):
        return False
    if config.acceptance_target > 0:
        decided = int(week["accepted"]) + int(week["rejected"])
        return decided > 0 and int(week["accepted"]) / decided >= config.acceptance_target
    return bool(config.mql_commitment_per_month)


def _streaks(
    weeks: list[Row], on_target: Callable[[Row], bool], every: int
) -> list[tuple[list[Row], int]]:
    """(the run so far, its length) each time a run of on-target weeks reaches a multiple."""
    out: list[tuple[list[Row], int]] = []
    run: list[Row] = []
    for w in weeks:
        if run and _day(w["week"]) != _day(run[-1]["week"]) + _WEEK:
            run = []
        if not on_target(w):
            run = []
            continue
        run.append(w)
        if len(run) % every == 0:
            out.append((list(run), len(run)))
    return out


def _streak_win(kind: str, side: Side, run: list[Row], length: int, story: str) -> Win:
    first, last = _day(run[0]["week"]), _day(run[-1]["week"])
    return Win(
        kind=kind,
        key=win_key(kind, side, first.isoformat(), length),
        date=last + timedelta(days=6),
        story=story,
        teams=(side,),
        evidence=tuple(week_label(_day(w["week"])) for w in run),
    )


def sales_sla_streak_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Sales: ``streak_weeks`` weeks in a row with the SLA share on target."""
    out = []
    weeks = _judged_weeks(rows)
    for run, length in _streaks(weeks, lambda w: sales_on_target(w, config), config.streak_weeks):
        met = sum(int(w["met"]) for w in run)
        judged = met + sum(int(w["missed"]) for w in run)
        story = (
            f"{length} weeks in a row on target: Sales contacted {fmt.percent(met / judged)} "
            f"of {fmt.count(judged)} MQLs within {fmt.hours(config.sales_sla_hours)}, "
            f"weeks of {stories.day(_day(run[0]['week']))} to "
            f"{stories.day(_day(run[-1]['week']))}."
        )
        out.append(_streak_win("sales_sla_streak", "sales", run, length, story))
    return out


def marketing_sla_streak_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Marketing: ``streak_weeks`` weeks in a row with delivery and acceptance on target."""
    if not config.mql_commitment_per_month and config.acceptance_target <= 0:
        return []
    out = []
    weeks = _judged_weeks(rows)
    on = lambda w: marketing_on_target(w, config)  # noqa: E731 - a one-line predicate
    for run, length in _streaks(weeks, on, config.streak_weeks):
        mqls = sum(int(w["mqls"]) for w in run)
        accepted = sum(int(w["accepted"]) for w in run)
        decided = accepted + sum(int(w["rejected"]) for w in run)
        parts = [f"{fmt.count(mqls)} MQLs delivered"]
        if config.mql_commitment_per_month:
            parts[0] += f" (commitment {fmt.count(_weekly_commitment(config) * length)})"
        if decided:
            parts.append(f"{fmt.percent(accepted / decided)} of those decided accepted by Sales")
        story = (
            f"{length} weeks in a row on target for Marketing: {stories.join(parts)}, "
            f"weeks of {stories.day(_day(run[0]['week']))} to "
            f"{stories.day(_day(run[-1]['week']))}."
        )
        out.append(_streak_win("marketing_sla_streak", "marketing", run, length, story))
    return out


def _within(minutes: int) -> str:
    return "within the hour" if minutes == 60 else f"within {minutes} minutes"


def fast_contact_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """MQLs contacted within ``fast_contact_minutes``: one win per ISO week, crediting each person.

    ``rows.fast_contacts`` holds one row per person and week; a week's win
    names everyone who made a fast contact in it, most contacts first.
    """
    weeks: dict[date, list[Row]] = defaultdict(list)
    for g in rows.fast_contacts:
        weeks[_day(g["week"])].append(g)
    out = []
    for week, found in weeks.items():
        groups = sorted(found, key=lambda g: (-int(g["contacts"]), str(g["owner_id"])))
        credits = tuple(
            Credit(g.get("owner_name") or g["owner_id"], "sales", g["owner_id"]) for g in groups
        )
        n = sum(int(g["contacts"]) for g in groups)
        what = "a new MQL" if n == 1 else f"{n} new MQLs"
        who = stories.join(
            [f"{c.name} ({int(g['contacts'])})" for c, g in zip(credits, groups, strict=True)]
        )
        story = (
            f"Sales contacted {what} {_within(config.fast_contact_minutes)} in the week of "
            f"{stories.day(week)}: {who}."
        )
        leads = sorted(str(x) for g in groups for x in (g.get("lead_ids") or []))
        out.append(
            Win(
                kind="fast_contact",
                key=win_key("fast_contact", "sales", week_label(week)),
                date=max(_day(g["last_at"]) for g in groups),
                story=story,
                teams=("sales",),
                credited=credits,
                evidence=tuple(leads),
            )
        )
    return out
