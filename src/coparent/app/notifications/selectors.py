"""Reads of the notifications: who is told for a side, preferences, the nav count, the queue."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Concat

from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.notifications.models import (
    Frequency,
    Kind,
    Notification,
    NotificationPreference,
    Status,
)
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Company, Role

__all__ = [
    "NOTIFIED_ROLES",
    "notification_preference_get",
    "notifications_status",
    "people_for_side",
    "person_for_owner_id",
    "waiting_count",
]

NOTIFIED_ROLES = (Role.CHAMPION, Role.MEMBER)
"""Who is told what waits for their side: champions and members, not the owner or viewers."""


def _acting(single_team: bool, side: str) -> Q:
    q = Q(membership__role__in=NOTIFIED_ROLES, is_active=True)
    if single_team:
        return q
    return q & Q(membership__team__in=[side, "both"])


def people_for_side(*, side: str) -> list[Any]:
    """Active champions and members who act for ``side`` (everyone of them in single-team mode).

    The owner, who may act for both sides, is not told of each item (the
    digest and the nav count are theirs); viewers change nothing, so nothing
    waits for them.
    """
    company = Company.objects.order_by("pk").first()
    single = bool(company and company.single_team)
    users = get_user_model().objects.filter(_acting(single, side)).order_by("pk")
    return list(users)


def person_for_owner_id(*, owner_id: str, side: str) -> Any | None:
    """The active user linked to warehouse person ``owner_id`` who acts for ``side``, if any."""
    if not owner_id:
        return None
    company = Company.objects.order_by("pk").first()
    single = bool(company and company.single_team)
    return (
        get_user_model()
        .objects.filter(_acting(single, side), membership__person_id=owner_id)
        .order_by("pk")
        .first()
    )


def notification_preference_get(*, user: Any) -> NotificationPreference:
    """The user's preferences, or the defaults (unsaved) when they never set any."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user, frequency=Frequency.IMMEDIATE)


def waiting_count(*, actor: Actor) -> int:
    """What waits for the signed-in person: items for their sides, MQLs announced to them.

    Two counting queries on the app database, no warehouse, no write: the
    open feedback items waiting for a side the person acts for, and the MQLs
    that were announced to them (`Kind.MQL_REVIEW`) and nobody has reviewed.
    """
    if not actor.authenticated or actor.user is None or actor.role == Role.VIEWER:
        return 0
    sides = sorted(actor.sides)
    items = 0
    if sides:
        items = FeedbackItem.objects.filter(
            waiting_for__in=sides, answered_at__isnull=True, closed_at__isnull=True
        ).count()
    reviewed = LeadReview.objects.annotate(
        ref=Concat(Value("lead:"), "lead_id", output_field=CharField())
    ).values("ref")
    mqls = (
        Notification.objects.filter(recipient=actor.user, kind=Kind.MQL_REVIEW)
        .exclude(item_ref__in=reviewed)
        .values("item_ref")
        .distinct()
        .count()
    )
    return items + mqls


def notifications_status() -> dict[str, Any]:
    """The queue at a glance: rows per status, and the latest failures with their errors."""
    counts = dict.fromkeys(Status.values, 0)
    for row in Notification.objects.values("status").annotate(n=Count("pk")):
        counts[str(row["status"])] = int(row["n"])
    failed = [
        {
            "id": n.pk,
            "kind": n.kind,
            "channel": n.channel,
            "recipient": n.recipient.get_username() if n.recipient else "",
            "attempts": n.attempts,
            "error": n.last_error,
            "at": n.finished_at.isoformat() if n.finished_at else None,
        }
        for n in Notification.objects.filter(status=Status.FAILED)
        .select_related("recipient")
        .order_by("-finished_at", "-pk")[:10]
    ]
    return {"counts": counts, "failed": failed}
