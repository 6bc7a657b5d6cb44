"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coparent.app.notifications"
    label = "notifications"
    verbose_name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
