"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "coparent.web.common"
    label = "common"
    verbose_name = "common"
    default_auto_field = "django.db.models.BigAutoField"
