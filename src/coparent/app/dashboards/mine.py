"""What concerns the signed-in person first: the "For you" panel and /me/.

A member or champion sees, before the company's numbers, what waits for
them: the MQLs they own that nobody has reviewed yet (Sales work), the
feedback items waiting for their side (overdue first) and those they posted
that wait for an answer, the win-back calls handed to them and not made yet,
their group of the latest pairing round with its agenda, and the wins and
kudos that credit them. The owner (the CEO) and viewers keep the company's
view: `mine_for` returns None for them.

A person is matched to the facts through `Membership.person_id` (the CRM's
owner id; Setup links users to people by email). Without that link the MQLs,
the pair and the wins found in the data cannot be theirs, and the panel says
so. Only reads: nothing here writes, in the app database or the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from coparent.app.common.facts import Facts, cached_facts, workspace
from coparent.app.feedback.models import FeedbackItem
from coparent.app.feedback.selectors import feedback_queue, reviewed_lead_ids
from coparent.app.pairs.selectors import pair_round_latest, pair_round_payload
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.access import SIDES, Actor
from coparent.app.teams.models import Role
from coparent.app.wins.models import Kudos, Win
from coparent.errors import CoparentError
from coparent.services.web_facts import lead_queue
from coparent.services.winback import winback_list_load

__all__ = ["MINE_ROLES", "Mine", "mine_for"]

MINE_ROLES = frozenset({Role.CHAMPION, Role.MEMBER})
"""Who gets a "For you" panel: the people who act for a side (not the owner, not viewers)."""

_MQL_SCAN = 500  # an owner's undecided MQLs read at most, newest first


@dataclass(frozen=True)
class Mine:
    """One person's own work, each list newest or most urgent first, cut at ``limit``."""

    linked: bool
    """The user is linked to a warehouse person (MQLs, pair and wins need it)."""
    reviews_mqls: bool
    """The person does Sales work, so MQLs they own wait for their review."""
    mqls: list[dict[str, Any]] = field(default_factory=list)
    mqls_total: int = 0
    mqls_missing: str = ""
    waiting: list[FeedbackItem] = field(default_factory=list)
    waiting_total: int = 0
    waiting_overdue: int = 0
    posted: list[FeedbackItem] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    calls_total: int = 0
    pair: dict[str, Any] | None = None
    pair_round: int | None = None
    wins: list[Win] = field(default_factory=list)
    kudos: list[Kudos] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Things that wait for this person to act: MQLs, items, calls."""
        return self.mqls_total + self.waiting_total + self.calls_total


def mine_for(actor: Actor, *, limit: int = 5) -> Mine | None:
    """The actor's own work, or None for the owner, viewers and the signed-out."""
    if actor.role not in MINE_ROLES or actor.user is None:
        return None
    person = actor.person_id
    reviews = actor.may_act_for("sales")
    mqls, total, missing = _my_mqls(person, limit=limit) if reviews and person else ([], 0, "")
    waiting, waiting_total, overdue = _waiting(actor, limit=limit)
    calls, calls_total = _my_calls(actor.user, limit=limit)
    pair, number = _my_pair(person)
    return Mine(
        linked=bool(person),
        reviews_mqls=reviews,
        mqls=mqls,
        mqls_total=total,
        mqls_missing=missing,
        waiting=waiting,
        waiting_total=waiting_total,
        waiting_overdue=overdue,
        posted=list(
            FeedbackItem.objects.filter(
                author=actor.user, answered_at__isnull=True, closed_at__isnull=True
            ).order_by("due_at", "pk")[:limit]
        ),
        calls=calls,
        calls_total=calls_total,
        pair=pair,
        pair_round=number,
        wins=_my_wins(person, limit=limit) if person else [],
        kudos=list(
            Kudos.objects.filter(to_user=actor.user)
            .select_related("author")
            .order_by("-created_at", "-pk")[:limit]
        ),
    )


def _my_mqls(person: str, *, limit: int) -> tuple[list[dict[str, Any]], int, str]:
    """The undecided MQLs the person owns that nobody reviewed in the app, newest first."""
    facts: Facts[list[dict[str, Any]]] = cached_facts(
        "my-mqls",
        lambda con: lead_queue(con, limit=_MQL_SCAN, owner_id=person),
        params={"owner": person, "limit": _MQL_SCAN},
    )
    if not facts.ok or facts.value is None:
        return [], 0, facts.missing
    reviewed = reviewed_lead_ids()
    rows = [r for r in facts.value if r["lead_id"] not in reviewed]
    return rows[:limit], len(rows), ""


def _waiting(actor: Actor, *, limit: int) -> tuple[list[FeedbackItem], int, int]:
    """Open items waiting for the actor's sides, the most urgent first; how many are overdue."""
    sides = [s for s in SIDES if actor.may_act_for(s)]
    if not sides:
        return [], 0, 0
    items = [i for side in sides for i in feedback_queue(side=side)]
    items.sort(key=lambda i: (i.due_at, i.pk))
    now = timezone.now()
    return items[:limit], len(items), sum(1 for i in items if i.due_at < now)


def _my_calls(user: Any, *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Win-back accounts handed to the user and not contacted yet, with their names."""
    rows = list(
        WinbackAssignment.objects.filter(assignee=user, contacted_at__isnull=True).order_by(
            "assigned_at", "list_id", "account_id"
        )
    )
    names: dict[tuple[str, str], dict[str, Any]] = {}
    for list_id in {a.list_id for a in rows[:limit]}:
        try:
            document = winback_list_load(workspace(), list_id)
        except CoparentError:
            continue
        for m in document.get("members", []):
            names[(list_id, str(m.get("account_id")))] = m
    calls = []
    for a in rows[:limit]:
        member = names.get((a.list_id, a.account_id), {})
        calls.append(
            {
                "list_id": a.list_id,
                "account_id": a.account_id,
                "name": member.get("account_name") or a.account_id,
                "reason": member.get("reason") or "",
                "assigned_at": a.assigned_at,
            }
        )
    return calls, len(rows)


def _my_pair(person: str) -> tuple[dict[str, Any] | None, int | None]:
    """The person's group of the latest stored round (never starts one), and its number."""
    latest = pair_round_latest()
    if latest is None:
        return None, None
    if not person:
        return None, latest.number
    for pair in pair_round_payload(latest)["pairs"]:
        if any(m.get("person_id") == person for m in pair["members"]):
            others = [m for m in pair["members"] if m.get("person_id") != person]
            return {**pair, "others": others}, latest.number
    return None, latest.number


def _my_wins(person: str, *, limit: int) -> list[Win]:
    """The latest wins that credit the person (by person id), newest first."""
    # the JSON list is filtered in Python: the same code on SQLite and PostgreSQL
    hits: list[Win] = []
    candidates = Win.objects.order_by("-happened_on", "-pk")
    for w in candidates.iterator(chunk_size=200):
        if any(str(c.get("person_id", "")) == person for c in w.credited or []):
            hits.append(w)
            if len(hits) >= limit:
                break
    return hits
