"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "coparent.app.imports"
    label = "imports"
    verbose_name = "imports"
    default_auto_field = "django.db.models.BigAutoField"
