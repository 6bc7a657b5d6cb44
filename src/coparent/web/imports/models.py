"""Every import made through the Data page; its count versions the report cache."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRecord(models.Model):
    class Outcome(models.TextChoices):
        LOADED = "loaded", "loaded"
        REJECTED = "rejected", "rejected"
        CHECKED = "checked", "checked, nothing loaded"

    table = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    mode = models.CharField(max_length=16, default="replace")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    rows = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = (
            "-at",
            "-pk",
        )

    def __str__(self) -> str:
        return f"{self.table} from {self.file_name}: {self.outcome}"
