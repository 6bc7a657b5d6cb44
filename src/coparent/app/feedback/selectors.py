"""Reads of the feedback loop: queues per side, counts, response times, balance."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem, LeadReview

__all__ = [
    "feedback_balance",
    "feedback_counts",
    "feedback_for_lead",
    "feedback_for_product",
    "feedback_item_get",
    "feedback_queue",
    "feedback_recent",
    "feedback_response_times",
    "lead_review_get",
    "reviewed_lead_ids",
]

SIDES = ("marketing", "sales")


def _open() -> Q:
    return Q(answered_at__isnull=True, closed_at__isnull=True)


def feedback_queue(*, side: str) -> QuerySet[FeedbackItem]:
    """Items waiting for ``side``'s answer, the most urgent first."""
    return (
        FeedbackItem.objects.filter(_open(), waiting_for=side)
        .select_related("author")
        .order_by("due_at", "pk")
    )


def feedback_recent(*, limit: int = 20) -> QuerySet[FeedbackItem]:
    """Answered items, the latest first."""
    return (
        FeedbackItem.objects.filter(answered_at__isnull=False)
        .select_related("author", "answered_by")
        .order_by("-answered_at", "-pk")[:limit]
    )


def feedback_item_get(*, item_id: int) -> FeedbackItem:
    return FeedbackItem.objects.select_related("author", "answered_by").get(pk=item_id)


def feedback_counts(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Per side: items waiting for its answer, and how many of them are overdue."""
    now = now or timezone.now()
    out = {s: {"waiting": 0, "overdue": 0} for s in SIDES}
    for side, due_at in FeedbackItem.objects.filter(_open()).values_list("waiting_for", "due_at"):
        out[side]["waiting"] += 1
        out[side]["overdue"] += int(due_at < now)
    return out


def feedback_response_times(
    *, days: int = 90, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Per answering side over the last ``days``: answers, median hours, share on time."""
    now = now or timezone.now()
    rows = FeedbackItem.objects.filter(answered_at__gte=now - timedelta(days=days)).values_list(
        "waiting_for", "created_at", "answered_at", "due_at"
    )
    waits: dict[str, list[float]] = {s: [] for s in SIDES}
    on_time: dict[str, int] = dict.fromkeys(SIDES, 0)
    for side, created, answered, due in rows:
        if created is None or answered is None:
            continue
        waits[side].append((answered - created).total_seconds() / 3600)
        on_time[side] += int(answered <= due)
    return {
        s: {
            "answered": len(waits[s]),
            "median_hours": statistics.median(waits[s]) if waits[s] else None,
            "on_time_share": on_time[s] / len(waits[s]) if waits[s] else None,
        }
        for s in SIDES
    }


def feedback_balance(*, days: int = 30, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Per side (role, in single-team mode) over ``days``: items posted and items answered."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    out = {s: {"posted": 0, "answered": 0} for s in SIDES}
    for side in FeedbackItem.objects.filter(created_at__gte=since).values_list("side", flat=True):
        out[side]["posted"] += 1
    for side in FeedbackItem.objects.filter(answered_at__gte=since).values_list(
        "waiting_for", flat=True
    ):
        out[side]["answered"] += 1
    return out


def reviewed_lead_ids() -> set[str]:
    return set(LeadReview.objects.values_list("lead_id", flat=True))


def lead_review_get(*, lead_id: str) -> LeadReview | None:
    return LeadReview.objects.select_related("reviewer", "item").filter(lead_id=lead_id).first()


def feedback_for_lead(*, lead_id: str) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(lead_id=lead_id).order_by("-created_at")


def feedback_for_product(*, product_id: str, limit: int = 20) -> QuerySet[FeedbackItem]:
    return (
        FeedbackItem.objects.filter(product_id=product_id)
        .select_related("author")
        .order_by("-created_at")[:limit]
    )
