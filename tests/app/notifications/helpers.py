"""Shared by the notification tests: settings pointing at local servers, actors, items."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from coparent.app.feedback.models import FeedbackItem
from coparent.app.teams.access import Actor
from coparent.settings import Settings

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def notify_settings(*, smtp_port: int | None = None, webhook: str = "", **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1" if smtp_port else "",
        "smtp_port": smtp_port or 587,
        "smtp_use_tls": False,
        "slack_webhook_url": webhook,
        "digest_from": "digest@acme.example",
        "notify_from": "notify@acme.example",
        "notify_app_url": "https://coparent.acme.example",
        "digest_timeout_seconds": 5.0,
        "notify_retry_attempts": 3,
        "notify_retry_base_seconds": 60.0,
    }
    return replace(Settings(), **{**values, **extra})


def actor(people: dict[str, Any], name: str) -> Actor:
    role, _, team = name.partition("_")
    return Actor(user=people[name], role=role, team=team)


def open_item(
    people: dict[str, Any],
    *,
    title: str = "Prospects ask for SSO",
    created: datetime = NOW,
    due: datetime | None = None,
    waiting_for: str = "marketing",
) -> FeedbackItem:
    side = "sales" if waiting_for == "marketing" else "marketing"
    return FeedbackItem.objects.create(
        kind="field_insight" if side == "sales" else "campaign_brief",
        side=side,
        waiting_for=waiting_for,
        title=title,
        author=people[f"member_{side}"],
        created_at=created,
        due_at=due or created + timedelta(days=2),
    )
