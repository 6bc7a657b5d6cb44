"""Django app configuration: the app layer's own management commands (``coparent_refresh``)."""

from __future__ import annotations

from django.apps import AppConfig


class AppCommonConfig(AppConfig):
    name = "coparent.app.common"
    label = "app_common"
    verbose_name = "app common"
    default_auto_field = "django.db.models.BigAutoField"
