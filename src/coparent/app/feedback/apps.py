"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "coparent.app.feedback"
    label = "feedback"
    verbose_name = "feedback"
    default_auto_field = "django.db.models.BigAutoField"
