"""What the rules read: small fact rows the engine aggregated, and app decisions as plain data.

The engine (Ibis, see `coparent.wins.facts`) aggregates the warehouse into
these few rows; the web layer passes what people did in the app (answers,
reviews, goals, win-back work). Nothing here knows Django or Ibis, so the
rules are plain functions over plain data and their tests need neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coparent.wins.model import Side

__all__ = [
    "AppData",
    "FactRows",
    "FeedbackAnswer",
    "GoalTarget",
    "LeadAcceptance",
    "OfferVerdict",
    "WinbackList",
]

Row = dict[str, Any]


@dataclass(frozen=True)
class FeedbackAnswer:
    """A feedback item the other side answered: ``side`` answered, ``author_side`` posted."""

    item_id: str
    kind: str
    title: str
    side: Side
    created_at: datetime
    answered_at: datetime
    answered_by: str = ""
    author: str = ""
    author_side: Side | None = None


@dataclass(frozen=True)
class LeadAcceptance:
    """Sales accepted an MQL in the app (a lead review)."""

    lead_id: str
    reviewed_at: datetime
    reviewer: str = ""


@dataclass(frozen=True)
class GoalTarget:
    """A shared goal: won revenue ``target`` over [start, end)."""

    period: str
    start: date
    end: date
    target: float


@dataclass(frozen=True)
class WinbackList:
    """A frozen win-back list: its as-of day and its members.

    ``members`` are the list's own member dicts (``account_id``, ``group``,
    ``account_name``, ``owner_id``, ``owner_name``).
    """

    list_id: str
    as_of: date
    members: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class OfferVerdict:
    """An offer test's verdict (``ship`` or ``stop``), as of its last assignment day."""

    experiment_id: str
    verdict: str
    decided_on: date
    winner: str | None = None
    control: str = ""
    reason: str = ""


@dataclass(frozen=True)
class AppData:
    """Everything the rules read from the app database (empty by default).

    ``setup_on`` starts early-days mode; ``contacted_by`` maps a win-back
    list id to {account id: the name of who marked it contacted}.
    """

    setup_on: date | None = None
    answers: tuple[FeedbackAnswer, ...] = ()
    acceptances: tuple[LeadAcceptance, ...] = ()
    goals: tuple[GoalTarget, ...] = ()
    contacted_by: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class FactRows:
    """The executed fact queries, as lists of dicts (see `coparent.wins.facts`).

    ``until`` is the moment the facts are read at (events before it count);
    ``since`` the first day wins are reported from (the lookback);
    ``deals_from`` the moment ``won_deals`` starts at (None: all history), so
    a rule that needs every deal of a quarter, month or goal period knows
    whether it has them; ``notes`` say which facts were missing.
    """

    until: datetime
    since: date
    deals_from: datetime | None = None
    won_deals: tuple[Row, ...] = ()
    monthly_revenue: tuple[Row, ...] = ()
    weeks: tuple[Row, ...] = ()
    fast_contacts: tuple[Row, ...] = ()
    campaigns: tuple[Row, ...] = ()
    first_accepted: tuple[Row, ...] = ()
    reactivations: tuple[Row, ...] = ()
    winback_lists: tuple[WinbackList, ...] = ()
    offer_verdicts: tuple[OfferVerdict, ...] = ()
    notes: tuple[str, ...] = ()
