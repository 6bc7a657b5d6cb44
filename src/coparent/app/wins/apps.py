"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class WinsConfig(AppConfig):
    name = "coparent.app.wins"
    label = "wins"
    verbose_name = "wins"
    default_auto_field = "django.db.models.BigAutoField"
