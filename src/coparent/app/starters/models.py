"""Starter-project work people do on the facts: who calls which win-back account, and when.

The win-back list itself (ranked accounts, reasons, the holdout) is frozen by
`coparent.services.winback` into ``<workspace>/winback/<list_id>.json``; the
app keeps who works which account of which list, by ``list_id`` and
``account_id`` (natural ids).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WinbackAssignment(models.Model):
    list_id = models.CharField(max_length=100)
    account_id = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="winback_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["list_id", "account_id"], name="one_row_per_member"),
        )
        ordering = ("list_id", "account_id")

    def __str__(self) -> str:
        return f"{self.list_id} {self.account_id}"
