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


class ImportJob(models.Model):
    """An upload checked and imported outside the request, by a worker process.

    The page that started it polls its status; the worker writes the outcome
    (tables and rows, which preset read each file and why, every located
    problem) as JSON in ``result``, and an `ImportRecord` like every import.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting to start"
        RUNNING = "running", "checking and importing"
        LOADED = "loaded", "loaded"
        CHECKED = "checked", "checked, nothing loaded"
        REJECTED = "rejected", "rejected, nothing loaded"
        FAILED = "failed", "failed, nothing loaded"

    FINISHED = (Status.LOADED, Status.CHECKED, Status.REJECTED, Status.FAILED)

    files = models.JSONField(default=list)
    """The uploaded files' own names, as the user knows them."""
    table = models.CharField(max_length=64, blank=True, default="")
    """The canonical table of a one-table import; empty for a whole CRM export."""
    mapping = models.CharField(max_length=1024, blank=True, default="")
    mode = models.CharField(max_length=16, default="replace")
    check_only = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"import job {self.pk} ({', '.join(self.files)}): {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED
