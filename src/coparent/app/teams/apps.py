"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "coparent.app.teams"
    label = "teams"
    verbose_name = "teams"
    default_auto_field = "django.db.models.BigAutoField"
