"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class PairsConfig(AppConfig):
    name = "coparent.app.pairs"
    label = "pairs"
    verbose_name = "pairs"
    default_auto_field = "django.db.models.BigAutoField"
