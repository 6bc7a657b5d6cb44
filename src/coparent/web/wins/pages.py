"""Page contexts of the Wins page and the balance panel (views call one, then render)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from coparent.app.teams.access import Actor
from coparent.app.wins.selectors import balance_get, kudos_recent, wins_last_run, wins_recent
from coparent.app.wins.services import wins_settings
from coparent.metrics import display as fmt
from coparent.wins import RULES

__all__ = ["WIN_LABELS", "balance_page", "feed_context", "wins_page"]

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


def feed_context(*, wins: int, kudos: int, team: str | None = None) -> dict[str, Any]:
    """The feed's parts: latest wins and kudos, and the labels of the kinds."""
    return {
        "wins": wins_recent(limit=wins, team=team),
        "kudos": list(kudos_recent(limit=kudos)),
        "win_labels": WIN_LABELS,
    }


def wins_page(*, actor: Actor, team: str | None = None) -> dict[str, Any]:
    """The Wins page: the stored wins (found after each import and by ``coparent refresh``)."""
    run = wins_last_run()
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    return {
        **feed_context(wins=40, kudos=30, team=team),
        "team": team or "",
        "run": run,
        "people": people,
        "may_refresh": actor.may("assign"),
        "may_balance": actor.may("assign"),
    }


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
