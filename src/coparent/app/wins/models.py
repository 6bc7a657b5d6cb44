"""Recognition: kudos people give each other, and the wins the engine finds in the data.

A `Win` is stored under its natural key (the kind and the evidence that
identifies the event, see `coparent.wins.model`), unique in the table: the
engine runs again and again, and each run updates the wins it finds instead of
adding them twice. Wins are never deleted by a run: once celebrated, a win
stays. A `WinsRun` records each run and the inputs it saw, so the Wins page
runs the engine only when the facts, the settings or the app's decisions
have changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kudos(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kudos_received",
    )
    to_team = models.CharField(
        max_length=16,
        blank=True,
        default="",
        choices=[("marketing", "Marketing"), ("sales", "Sales"), ("both", "both teams")],
    )
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "kudos"
        ordering = (
            "-created_at",
            "-pk",
        )

    def __str__(self) -> str:
        return self.message


class Win(models.Model):
    """A win found by the engine: kind, day, story, sides and people credited, evidence."""

    key = models.CharField(max_length=500, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    happened_on = models.DateField(db_index=True)
    story = models.TextField()
    teams = models.JSONField(default=list, help_text="Sides credited: marketing, sales.")
    credited = models.JSONField(default=list, help_text="People: name, team, person_id.")
    evidence = models.JSONField(default=list, help_text="Natural ids of the facts behind it.")
    amount = models.FloatField(null=True, blank=True, help_text="Revenue credited (deals).")
    found_at = models.DateTimeField(help_text="When a run first found it.")
    updated_at = models.DateTimeField(help_text="When a run last wrote it.")

    class Meta:
        ordering = ("-happened_on", "-pk")

    def __str__(self) -> str:
        return self.story


class WinsRun(models.Model):
    """One run of the engine: what it saw (``signature``), what it found, notes on missing data."""

    signature = models.CharField(max_length=64, db_index=True)
    ran_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0)
    found = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list)

    class Meta:
        ordering = ("-ran_at", "-pk")

    def __str__(self) -> str:
        return f"wins run at {self.ran_at}: {self.found} found, {self.added} new"
