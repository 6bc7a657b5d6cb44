"""Page contexts of the feedback loop (one call per view)."""

from __future__ import annotations

from typing import Any

from coparent.app.common.facts import Facts, cached_facts
from coparent.app.feedback.models import Topic
from coparent.app.feedback.selectors import (
    feedback_balance,
    feedback_for_lead,
    feedback_item_get,
    feedback_queue,
    feedback_recent,
    lead_review_get,
    reviewed_lead_ids,
)
from coparent.app.teams.access import Actor
from coparent.services.web_facts import lead_facts, lead_queue
from coparent.web.feedback.forms import REJECTION_REASONS

__all__ = ["feedback_page", "item_page", "lead_page"]

QUEUE_SHOWN = 15


def _queue(limit: int) -> Facts[list[dict[str, Any]]]:
    return cached_facts(
        "lead-queue", lambda con: lead_queue(con, limit=limit), params={"limit": limit}
    )


def feedback_page(*, actor: Actor) -> dict[str, Any]:
    """Both queues side by side, MQLs to review, the forms each side may use."""
    sides = [
        {
            "key": side,
            "label": actor.side_labels[side],
            "items": list(feedback_queue(side=side)),
            "may_answer": actor.may_act_for(side),
        }
        for side in ("marketing", "sales")
    ]
    queue = _queue(200)
    reviewed = reviewed_lead_ids()
    leads = [r for r in queue.value or [] if r["lead_id"] not in reviewed][:QUEUE_SHOWN]
    return {
        "sides": sides,
        "leads": leads,
        "leads_facts": queue,
        "may_review": actor.may_act_for("sales"),
        "may_insight": actor.may_act_for("sales"),
        "may_brief": actor.may_act_for("marketing"),
        "topics": Topic.choices,
        "reasons": REJECTION_REASONS,
        "recent": list(feedback_recent(limit=10)),
        "balance": feedback_balance() if actor.single_team else None,
    }


def item_page(*, actor: Actor, item_id: int) -> dict[str, Any]:
    item = feedback_item_get(item_id=item_id)
    lead = None
    if item.lead_id:
        lead = cached_facts(
            "lead", lambda con: lead_facts(con, lead_id=item.lead_id), params={"id": item.lead_id}
        )
    return {
        "item": item,
        "lead": lead,
        "may_answer": actor.may_act_for(item.waiting_for) and item.status == "open",
        "may_close": actor.may_act_for(item.side) and item.status != "closed",
    }


def lead_page(*, actor: Actor, lead_id: str) -> dict[str, Any]:
    facts = cached_facts(
        "lead", lambda con: lead_facts(con, lead_id=lead_id), params={"id": lead_id}
    )
    review = lead_review_get(lead_id=lead_id)
    return {
        "lead_id": lead_id,
        "facts": facts,
        "lead": facts.value,
        "review": review,
        "items": list(feedback_for_lead(lead_id=lead_id)),
        "may_review": review is None and actor.may_act_for("sales"),
        "reasons": REJECTION_REASONS,
    }
