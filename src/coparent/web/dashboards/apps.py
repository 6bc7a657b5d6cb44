"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "coparent.web.dashboards"
    label = "dashboards"
    verbose_name = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"
