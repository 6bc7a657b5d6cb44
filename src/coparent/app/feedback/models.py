"""Two-way communication: every item belongs to one side and waits for the other.

Sales reviews MQLs (accept or reject with a reason: a `LeadReview`; a
rejection opens a `FeedbackItem` waiting for Marketing) and posts field
insights (waiting for Marketing); Marketing posts campaign briefs (waiting
for Sales). The other side answers; the author (or the owner) closes.
Leads, products and campaigns are referred to by their natural ids.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

SIDE_CHOICES = [("marketing", "Marketing"), ("sales", "Sales")]


class Kind(models.TextChoices):
    LEAD_REJECTION = "lead_rejection", "lead rejected"
    FIELD_INSIGHT = "field_insight", "field insight"
    CAMPAIGN_BRIEF = "campaign_brief", "campaign brief"


class Topic(models.TextChoices):
    OBJECTION = "objection", "objection"
    COMPETITOR = "competitor", "competitor mention"
    PRODUCT_GAP = "product_gap", "product gap"
    OTHER = "other", "other"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", "accepted"
    REJECTED = "rejected", "rejected"


class FeedbackItem(models.Model):
    kind = models.CharField(max_length=32, choices=Kind.choices)
    side = models.CharField(max_length=16, choices=SIDE_CHOICES, help_text="The author's side.")
    waiting_for = models.CharField(max_length=16, choices=SIDE_CHOICES)
    topic = models.CharField(max_length=32, choices=Topic.choices, blank=True, default="")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    lead_id = models.CharField(max_length=200, blank=True, default="", db_index=True)
    product_id = models.CharField(max_length=200, blank=True, default="", db_index=True)
    campaign_id = models.CharField(max_length=200, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answer = models.TextField(blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = (
            "due_at",
            "pk",
        )
        indexes = (models.Index(fields=["waiting_for", "answered_at", "closed_at"]),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def status(self) -> str:
        if self.closed_at is not None:
            return "closed"
        return "answered" if self.answered_at is not None else "open"


class LeadReview(models.Model):
    """Sales' verdict on one MQL, with a reason; shown with the lead's facts."""

    lead_id = models.CharField(max_length=200, unique=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.CharField(max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    product_id = models.CharField(max_length=200, blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    item = models.OneToOneField(
        FeedbackItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="review"
    )

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.verdict}"
