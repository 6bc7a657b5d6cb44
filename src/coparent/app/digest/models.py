"""Every attempt to send the weekly digest, per ISO week and channel.

A row is claimed (``sending``) before anything goes out and becomes ``sent``
or ``failed``. A partial unique constraint lets only one unforced
``sending``/``sent`` row exist per week and channel, so two runs started at
the same moment (a cron job and a person) cannot both send; ``--force``
sends anyway and is marked ``forced``. ``log`` keeps each attempt (time,
outcome, error, the wait that followed).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    SLACK = "slack", "Slack"


class Status(models.TextChoices):
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class DigestDelivery(models.Model):
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W48.")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    forced = models.BooleanField(default=False, help_text="Sent again with --force.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    recipients = models.JSONField(
        default=list, help_text="Email addresses, or where the Slack webhook points (no secret)."
    )
    log = models.JSONField(default=list, help_text="One entry per attempt.")
    started_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "digest deliveries"
        ordering = ("-started_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=["week", "channel"],
                condition=Q(status__in=["sending", "sent"], forced=False),
                name="one_digest_per_week_and_channel",
            ),
        )
        indexes = (models.Index(fields=["week", "channel", "status"]),)

    def __str__(self) -> str:
        return f"digest {self.week} by {self.channel}: {self.status}"
