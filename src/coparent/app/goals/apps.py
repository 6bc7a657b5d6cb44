"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "coparent.app.goals"
    label = "goals"
    verbose_name = "goals"
    default_auto_field = "django.db.models.BigAutoField"
