"""Page contexts of the Wins page and the balance panel (views call one, then render)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model

from coparent.app.teams.access import Actor
from coparent.app.wins.selectors import (
    balance_get,
    kudos_recent,
    wins_last_run,
    wins_page_get,
    wins_recent,
)
from coparent.app.wins.services import wins_settings
from coparent.metrics import display as fmt
from coparent.wins import RULES

__all__ = [
    "KIND_CHOICES",
    "WIN_LABELS",
    "balance_page",
    "feed_context",
    "feed_labels",
    "wins_page",
    "wins_query",
]

WIN_LABELS: dict[str, str] = {
    "deal_won": "won",
    "biggest_deal": "biggest deal",
    "record_month": "record month",
    "goal_milestone": "shared goal",
    "sales_sla_streak": "SLA streak",
    "marketing_sla_streak": "SLA streak",
    "fast_contact": "fast contact",
    "campaign_acceptance": "campaign",
    "fast_answer": "fast answer",
    "winback_reactivation": "win-back",
    "offer_verdict": "offer test",
    "first_accepted_mql": "a first",
    "first_joint_win": "a first",
    "first_answered_brief": "a first",
}
if set(WIN_LABELS) != {r.name for r in RULES}:  # pragma: no cover - fails at import
    raise RuntimeError("every rule needs a label on the Wins page")


def feed_labels() -> dict[str, Any]:
    """What a template listing wins needs besides the wins: the labels of the kinds."""
    return {"win_labels": WIN_LABELS}


def feed_context(*, wins: int, kudos: int, team: str | None = None) -> dict[str, Any]:
    """The feed's parts: latest wins and kudos, and the labels of the kinds."""
    return {
        "wins": wins_recent(limit=wins, team=team),
        "kudos": list(kudos_recent(limit=kudos)),
        "win_labels": WIN_LABELS,
    }


KUDOS_SHOWN = 10
KIND_CHOICES: list[str] = sorted(set(WIN_LABELS.values()))
"""The Wins page's "kind" filter: one choice per label (a label may cover several rules)."""


def wins_query(
    *, team: str | None, kind: str | None, mine: bool, page: str | None
) -> dict[str, Any]:
    """The Wins page's filters from its query, unknown values dropped (so a link never fails)."""
    number = int(page) if page and page.isdigit() and int(page) > 0 else 1
    return {
        "team": team if team in ("marketing", "sales") else None,
        "kind": kind if kind in KIND_CHOICES else None,
        "mine": mine,
        "page": number,
    }


def wins_page(
    *,
    actor: Actor,
    team: str | None = None,
    kind: str | None = None,
    mine: bool = False,
    page: int = 1,
) -> dict[str, Any]:
    """The Wins page: the stored wins (found after each import and by ``coparent refresh``),
    newest first, a page at a time, filtered by side, kind and "credits me"; the latest kudos."""
    run = wins_last_run()
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    kinds = [k for k, label in WIN_LABELS.items() if label == kind] if kind else None
    person = actor.person_id if mine and actor.person_id else None
    wins, shown = wins_page_get(page=page, team=team, kinds=kinds, person_id=person)
    filters = {"team": team or "", "kind": kind or "", "mine": "1" if person else ""}
    base = {k: v for k, v in filters.items() if v}
    return {
        "wins": wins,
        "shown": shown,
        "kudos": list(kudos_recent(limit=KUDOS_SHOWN)) if shown.number == 1 else [],
        "win_labels": WIN_LABELS,
        "kind_choices": KIND_CHOICES,
        "filters": filters,
        "filtered": bool(base),
        "previous_url": _page_url(base, shown.number - 1) if shown.has_previous() else "",
        "next_url": _page_url(base, shown.number + 1) if shown.has_next() else "",
        "team": team or "",
        "linked": bool(actor.person_id),
        "run": run,
        "people": people,
        "may_refresh": actor.may("assign"),
        "may_balance": actor.may("assign"),
    }


def _page_url(filters: dict[str, str], number: int) -> str:
    """``?team=sales&page=2``: the filters shown, and the page (left out for the first)."""
    query = {**filters, **({"page": str(number)} if number > 1 else {})}
    return "?" + urlencode(query) if query else "?"


def balance_page(*, actor: Actor) -> dict[str, Any]:
    """The balance panel: both sides' recognition, credited revenue, goals and answers."""
    settings = wins_settings()
    data = balance_get(settings=settings, single_team=actor.single_team)
    window = data["window"]
    sides = [
        {
            "key": s,
            "label": data["sides"][s],
            "recognition": window[s]["recognition"],
            "share": window[s]["share"],
            "share_text": fmt.percent(window[s]["share"]) if window["items"] else fmt.MISSING,
            "revenue": window[s]["revenue"],
            "goals": int(window[s]["goals"]),
            "answered": int(window[s]["answered"]),
        }
        for s in ("marketing", "sales")
    ]
    return {
        "data": data,
        "sides": sides,
        "weeks": data["weeks"],
        "warning": data["warning"],
        "max_share": settings.wins_balance_max_share,
        "min_items": settings.wins_balance_min_items,
    }
