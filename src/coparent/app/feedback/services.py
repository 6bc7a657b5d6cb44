"""Writes of the feedback loop: review an MQL, post an insight or a brief, answer, close.

Every item waits for the side that did not write it, with a due date set by
the SLA terms (``answer_within_days``, default 2). Side checks that depend on
the item (who may answer it) are made here and raise `PermissionDenied`.
Once a write has committed, the people the item now waits for are notified
(`coparent.app.notifications`: queued here, sent by ``coparent notify run``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem, Kind, LeadReview, Topic, Verdict
from coparent.app.goals.selectors import sla_terms_current
from coparent.app.teams.access import Actor

__all__ = [
    "ANSWER_DAYS_DEFAULT",
    "feedback_item_answer",
    "feedback_item_close",
    "feedback_item_create",
    "lead_review_create",
]

ANSWER_DAYS_DEFAULT = 2
_AUTHOR_SIDE = {Kind.FIELD_INSIGHT: "sales", Kind.CAMPAIGN_BRIEF: "marketing"}


def _other(side: str) -> str:
    return "marketing" if side == "sales" else "sales"


def _notify(*, item_id: int, answered: bool = False) -> None:
    """Tell the side the item now waits for, once the transaction has committed."""
    from coparent.app.notifications.services import (
        notify_answer,
        notify_feedback_item,
        on_commit_notify,
    )

    if answered:
        on_commit_notify(lambda: notify_answer(item_id=item_id))
    else:
        on_commit_notify(lambda: notify_feedback_item(item_id=item_id))


def _due(now: datetime) -> datetime:
    terms = sla_terms_current()
    days = terms.answer_within_days if terms is not None else ANSWER_DAYS_DEFAULT
    return now + timedelta(days=days)


@transaction.atomic
def lead_review_create(
    *,
    actor: Actor,
    lead_id: str,
    verdict: str,
    reason: str = "",
    note: str = "",
    product_id: str = "",
    now: datetime | None = None,
) -> LeadReview:
    """Sales accepts or rejects an MQL; a rejection waits for Marketing's answer."""
    if not actor.may_act_for("sales"):
        raise PermissionDenied("reviewing MQLs is Sales' part")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "accept or reject"})
    reason = reason.strip()
    if verdict == Verdict.REJECTED and not reason:
        raise ValidationError({"reason": "say why the lead is rejected"})
    now = now or timezone.now()
    item = None
    if verdict == Verdict.REJECTED:
        item = FeedbackItem.objects.create(
            kind=Kind.LEAD_REJECTION,
            side="sales",
            waiting_for="marketing",
            title=f"Lead {lead_id} rejected: {reason}"[:200],
            body=note,
            lead_id=lead_id,
            product_id=product_id,
            author=actor.user,
            created_at=now,
            due_at=_due(now),
        )
    try:
        with transaction.atomic():
            review = LeadReview.objects.create(
                lead_id=lead_id,
                verdict=verdict,
                reason=reason,
                note=note,
                product_id=product_id,
                reviewer=actor.user,
                reviewed_at=now,
                item=item,
            )
    except IntegrityError:
        raise ValidationError(f"lead {lead_id} was already reviewed") from None
    if item is not None:
        _notify(item_id=item.pk)
    return review


@transaction.atomic
def feedback_item_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    body: str = "",
    topic: str = "",
    product_id: str = "",
    campaign_id: str = "",
    now: datetime | None = None,
) -> FeedbackItem:
    """Sales posts a field insight; Marketing posts a campaign brief."""
    if kind not in _AUTHOR_SIDE:
        raise ValidationError({"kind": "post a field insight or a campaign brief"})
    side = _AUTHOR_SIDE[Kind(kind)]
    if not actor.may_act_for(side):
        raise PermissionDenied(f"{Kind(kind).label}s are posted by {side}")
    if not title.strip():
        raise ValidationError({"title": "give the item a title"})
    if topic and topic not in Topic.values:
        raise ValidationError({"topic": f"unknown topic {topic!r}"})
    now = now or timezone.now()
    item = FeedbackItem.objects.create(
        kind=kind,
        side=side,
        waiting_for=_other(side),
        topic=topic if kind == Kind.FIELD_INSIGHT else "",
        title=title.strip()[:200],
        body=body.strip(),
        product_id=product_id.strip(),
        campaign_id=campaign_id.strip(),
        author=actor.user,
        created_at=now,
        due_at=_due(now),
    )
    _notify(item_id=item.pk)
    return item


@transaction.atomic
def feedback_item_answer(
    *, actor: Actor, item_id: int, answer: str, close: bool = False, now: datetime | None = None
) -> FeedbackItem:
    """The side the item waits for answers it (and may close it at once)."""
    item = FeedbackItem.objects.select_for_update().get(pk=item_id)
    if not actor.may_act_for(item.waiting_for):
        raise PermissionDenied(f"this item waits for {item.get_waiting_for_display()}")
    if item.answered_at is not None or item.closed_at is not None:
        raise ValidationError("this item was already answered")
    if not answer.strip():
        raise ValidationError({"answer": "write an answer"})
    now = now or timezone.now()
    item.answer = answer.strip()
    item.answered_by = actor.user
    item.answered_at = now
    if close:
        item.closed_at = now
    item.save()
    if not close:
        _notify(item_id=item.pk, answered=True)
    return item


@transaction.atomic
def feedback_item_close(*, actor: Actor, item_id: int, now: datetime | None = None) -> FeedbackItem:
    """The author's side (or the owner) closes an item."""
    item = FeedbackItem.objects.select_for_update().get(pk=item_id)
    if not actor.may_act_for(item.side):
        raise PermissionDenied(f"this item is closed by {item.get_side_display()}")
    if item.closed_at is None:
        item.closed_at = now or timezone.now()
        item.save(update_fields=["closed_at"])
    return item
