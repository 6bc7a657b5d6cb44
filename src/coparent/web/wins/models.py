"""Kudos: recognition people give each other (the wins engine adds detected wins later)."""

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
