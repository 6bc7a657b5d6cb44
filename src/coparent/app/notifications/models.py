"""The notification queue (an outbox) and each person's preferences.

A `Notification` is one thing to tell one recipient on one channel: the
services enqueue it after the transaction that made something wait has
committed, and ``coparent notify run`` drains the queue. Its ``key`` (kind,
item, recipient, channel) is unique, so nothing is queued twice however many
times an import, a reminder scan or a server worker sees the same event.

A run claims rows with a conditional update (``status`` from ``queued`` to
``sending`` with the run's ``claim`` token; on PostgreSQL the candidates are
first locked with ``SELECT ... FOR UPDATE SKIP LOCKED``), so two runs at
once never send the same row. A row ends ``sent``, ``skipped`` (preference
off, channel not configured, the item no longer waits: ``reason`` says
which) or ``failed`` (after ``notify_retry_attempts`` runs, or at once when
another attempt cannot help); a failure that another attempt may fix goes
back to ``queued`` with a later ``next_attempt_at``. ``log`` keeps every
attempt, as the digest's deliveries do.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    SLACK = "slack", "Slack"


class Kind(models.TextChoices):
    MQL_REVIEW = "mql_review", "MQL to review"
    FEEDBACK = "feedback", "item waiting for an answer"
    BRIEF = "brief", "campaign brief"
    ANSWER = "answer", "answer to your item"
    DUE_SOON = "due_soon", "reminder before the due date"
    OVERDUE = "overdue", "overdue"
    KUDOS = "kudos", "kudos"
    BIG_WIN = "big_win", "big win"


class Status(models.TextChoices):
    QUEUED = "queued", "queued"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    SKIPPED = "skipped", "skipped"
    FAILED = "failed", "failed"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "as it happens"
    DAILY = "daily", "in a daily summary"


class Notification(models.Model):
    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: a post to a channel (kudos, big wins).",
    )
    side = models.CharField(
        max_length=16, blank=True, default="", help_text="The side the item waits for."
    )
    item_ref = models.CharField(
        max_length=220, help_text="What it is about: feedback:12, lead:L123, win:7, kudos:3."
    )
    heading = models.CharField(max_length=120)
    text = models.CharField(max_length=500)
    detail = models.CharField(max_length=500, blank=True, default="")
    path = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=300, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    log = models.JSONField(default=list, help_text="One entry per attempt.")
    claim = models.CharField(max_length=40, blank=True, default="", db_index=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        indexes = (
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "kind"]),
        )

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} to {self.recipient_id or 'channel'}: {self.status}"


class NotificationPreference(models.Model):
    """How one person wants to be told; without a row: email, as it happens, no Slack."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(default=True)
    slack = models.BooleanField(default=False)
    slack_member_id = models.CharField(max_length=24, blank=True, default="")
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification preferences of {self.user}"
