"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "coparent.app.digest"
    label = "digest"
    verbose_name = "weekly digest"
    default_auto_field = "django.db.models.BigAutoField"
