"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class StartersConfig(AppConfig):
    name = "coparent.app.starters"
    label = "starters"
    verbose_name = "starters"
    default_auto_field = "django.db.models.BigAutoField"
