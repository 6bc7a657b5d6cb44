"""Rules over won deals: every won deal, biggest deal of the quarter, record month,
shared-goal milestones, and (early days) the first joint win.

Each rule is a function of the fact rows, the app data and the config that
returns wins; docs/wins.md states each rule in words. A deal credits its
owner for the Sales work and, when its lead came from a campaign, the
campaign's owner for the Marketing work (both teams even when the campaign
has no owner on record: the lead still came from Marketing's campaign).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from coparent.metrics.periods import Period, period_containing
from coparent.wins import stories
from coparent.wins.inputs import AppData, FactRows
from coparent.wins.model import Credit, Side, Win, teams_of, unique_credits, win_key
from coparent.wins.rules import GOAL_MILESTONES, WinsConfig

__all__ = [
    "biggest_deal_wins",
    "deal_credits",
    "deal_won_wins",
    "first_joint_win_wins",
    "goal_milestone_wins",
    "record_month_wins",
]

Row = dict[str, Any]


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def deal_credits(row: Row) -> tuple[tuple[Credit, ...], tuple[Side, ...]]:
    """Who a won deal credits, and the sides: Sales always, Marketing for a campaign's lead."""
    credits: list[Credit] = []
    extra: list[str] = ["sales"]
    if row.get("owner_id"):
        credits.append(Credit(row.get("owner_name") or row["owner_id"], "sales", row["owner_id"]))
    if row.get("campaign_id"):
        extra.append("marketing")
        owner = row.get("campaign_owner_id")
        if owner:
            credits.append(Credit(row.get("campaign_owner_name") or owner, "marketing", owner))
    unique = unique_credits(credits)
    return unique, teams_of(unique, extra)


def _what(row: Row) -> str:
    """``$48,000 with Acme (Insight Pro)``."""
    text = stories.money(row.get("amount"))
    account = row.get("account_name") or row.get("account_id")
    if account:
        text += f" with {account}"
    product = row.get("product_name") or row.get("product_id")
    if product:
        text += f" ({product})"
    return text


def _who(row: Row, credits: Sequence[Credit]) -> str:
    """The people behind a deal, and the campaign when there is one."""
    sellers = [c for c in credits if c.team == "sales"]
    marketers = [c for c in credits if c.team == "marketing"]
    who = stories.people(sellers) if sellers else "the Sales team"
    campaign = row.get("campaign_name") or row.get("campaign_id")
    if marketers:
        who += f" and {stories.people(marketers)}, whose campaign “{campaign}” brought the lead"
    elif campaign:
        who += f", with Marketing's campaign “{campaign}”"
    return who


def _deal_win(kind: str, row: Row, story: str) -> Win:
    credits, teams = deal_credits(row)
    return Win(
        kind=kind,
        key=win_key(kind, row["opportunity_id"]),
        date=_day(row["closed_at"]),
        story=story,
        teams=teams,
        credited=credits,
        evidence=tuple(
            str(x) for x in (row["opportunity_id"], row.get("lead_id"), row.get("campaign_id")) if x
        ),
        amount=float(row.get("amount") or 0.0),
    )


def deal_won_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Every won deal."""
    out = []
    for row in rows.won_deals:
        credits, _ = deal_credits(row)
        out.append(_deal_win("deal_won", row, f"Won: {_what(row)} — {_who(row, credits)}."))
    return out


def _ordered(deals: Iterable[Row]) -> list[Row]:
    return sorted(deals, key=lambda r: (r["closed_at"], str(r["opportunity_id"])))


def _complete_from(rows: FactRows, start: date) -> bool:
    """The fetched deals include everything from ``start`` on."""
    return rows.deals_from is None or rows.deals_from <= datetime.combine(
        start, datetime.min.time()
    )


def biggest_deal_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """A deal bigger than every earlier deal of its quarter; the quarter's biggest once it is over.

    The first deal of a quarter has nothing to beat, so it only wins if it
    stays the biggest to the quarter's end. Ties do not beat a record; among
    equal biggest deals the earliest is the quarter's biggest.
    """
    quarters: dict[Period, list[Row]] = defaultdict(list)
    fy = config.fiscal_year_start_month
    for row in rows.won_deals:
        q = period_containing(_day(row["closed_at"]), "quarter", fiscal_year_start_month=fy)
        quarters[q].append(row)
    out = []
    for q, deals in quarters.items():
        if not _complete_from(rows, q.start):
            continue
        ordered = _ordered(deals)
        over = q.end_at <= rows.until
        biggest = max(ordered, key=lambda r: float(r.get("amount") or 0.0))  # first of equals
        best: float | None = None
        for row in ordered:
            amount = float(row.get("amount") or 0.0)
            credits, _ = deal_credits(row)
            who = _who(row, credits)
            if over and row is biggest:
                story = f"Biggest deal of {q.label}: {_what(row)} — {who}."
                out.append(_deal_win("biggest_deal", row, story))
            elif best is not None and amount > best:
                story = (
                    f"New biggest deal of {q.label} so far: {_what(row)}, above the "
                    f"{stories.money(best)} before it — {who}."
                )
                out.append(_deal_win("biggest_deal", row, story))
            best = amount if best is None else max(best, amount)
    return out


def record_month_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """A month whose won revenue passes every earlier month's, dated the day it did.

    Counts only once ``record_month_min_months`` earlier months had won
    revenue. The win is dated by the deal that took the month past the old
    record; a month still running says "so far".
    """
    months = sorted(rows.monthly_revenue, key=lambda r: r["month"])
    by_month: dict[date, list[Row]] = defaultdict(list)
    for row in rows.won_deals:
        d = _day(row["closed_at"])
        by_month[date(d.year, d.month, 1)].append(row)
    out = []
    earlier: list[Row] = []
    for m in months:
        start = _day(m["month"])
        revenue = float(m["revenue"] or 0.0)
        previous = [e for e in earlier if float(e["revenue"] or 0.0) > 0]
        earlier.append(m)
        if len(previous) < config.record_month_min_months:
            continue
        best = max(previous, key=lambda e: float(e["revenue"] or 0.0))
        best_revenue = float(best["revenue"])
        if revenue <= best_revenue or not _complete_from(rows, start):
            continue
        deals = _ordered(by_month.get(start, []))
        total, crossing = 0.0, None
        for row in deals:
            total += float(row.get("amount") or 0.0)
            if total > best_revenue:
                crossing = row
                break
        if crossing is None:  # the month's deals were not all fetched
            continue
        teams: set[str] = set()
        for row in deals:
            teams |= set(deal_credits(row)[1])
        sides = teams_of((), teams)
        by = "both teams" if len(sides) == 2 else stories.TEAM_NAMES[sides[0]]
        running = Period("month", start).end_at > rows.until
        story = (
            f"Record month: {stories.money(revenue)} won in {stories.month(start)}"
            f"{' so far' if running else ''}, above the best month before it "
            f"({stories.money(best_revenue)} in {stories.month(_day(best['month']))}) — "
            f"{int(m['deals'])} deals won by {by}."
        )
        out.append(
            Win(
                kind="record_month",
                key=win_key("record_month", f"{start:%Y-%m}"),
                date=_day(crossing["closed_at"]),
                story=story,
                teams=sides,
                evidence=(f"{start:%Y-%m}", str(crossing["opportunity_id"])),
                amount=None,
            )
        )
    return out


def _milestone_words(share: float) -> str:
    return {0.25: "A quarter of the way", 0.5: "Halfway there", 0.75: "Three quarters there"}.get(
        share, f"{share:.0%} of the way"
    )


def goal_milestone_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """The shared goal of a period reaching 25%, 50%, 75% and 100%, dated the day it did."""
    out = []
    for goal in app.goals:
        if goal.target <= 0 or not _complete_from(rows, goal.start):
            continue
        deals = [
            r for r in _ordered(rows.won_deals) if goal.start <= _day(r["closed_at"]) < goal.end
        ]
        total, index = 0.0, 0
        crossings: list[tuple[float, Row, float]] = []
        for row in deals:
            total += float(row.get("amount") or 0.0)
            while index < len(GOAL_MILESTONES) and total >= GOAL_MILESTONES[index] * goal.target:
                crossings.append((GOAL_MILESTONES[index], row, total))
                index += 1
        for share, row, reached in crossings:
            on = stories.day(_day(row["closed_at"]))
            target = stories.money(goal.target)
            if share >= 1.0:
                story = (
                    f"Goal reached! Sales and Marketing have won {stories.money(reached)} "
                    f"against the {target} goal for {goal.period}, on {on}."
                )
            else:
                story = (
                    f"{_milestone_words(share)}: both teams have won {stories.money(reached)} "
                    f"of the {target} goal for {goal.period} ({share:.0%}) by {on}."
                )
            out.append(
                Win(
                    kind="goal_milestone",
                    key=win_key("goal_milestone", goal.period, round(share * 100)),
                    date=_day(row["closed_at"]),
                    story=story,
                    teams=("marketing", "sales"),
                    evidence=(goal.period, str(row["opportunity_id"])),
                )
            )
    return out


def first_joint_win_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Early days: the first won deal after setup that credits both teams."""
    window = config.early_days(app.setup_on)
    if window is None or not _complete_from(rows, window[0]):
        return []
    start, end = window
    for row in _ordered(rows.won_deals):
        d = _day(row["closed_at"])
        if start <= d < end and len(deal_credits(row)[1]) == 2:
            credits, _ = deal_credits(row)
            story = (
                f"First joint win since setup: {_what(row)} — {_who(row, credits)}. "
                "The first of many, together."
            )
            return [_deal_win("first_joint_win", row, story)]
    return []
