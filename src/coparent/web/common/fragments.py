"""Cache a rendered page part until the facts or the app's decisions change.

`app_stamp` is one small query over the app tables a page shows (feedback,
kudos, wins, goals, SLA terms, people, company, imports); with the data version
and the settings it keys `cached_fragment`. A minute bucket in the key keeps
relative times ("3 hours ago") fresh.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from coparent.app.common.memo import memo

__all__ = ["app_stamp", "cached_fragment"]

# (app label, model, columns whose MAX (and the row COUNT) change when people decide)
_WATCHED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("feedback", "FeedbackItem", ("id", "answered_at", "closed_at")),
    ("feedback", "LeadReview", ("id",)),
    ("wins", "Kudos", ("id",)),
    ("wins", "Win", ("id", "updated_at")),
    ("goals", "Goal", ("updated_at",)),
    ("goals", "SubGoal", ("id",)),
    ("goals", "SlaTerms", ("id",)),
    ("teams", "Membership", ("updated_at",)),
    ("teams", "Company", ("updated_at",)),
    ("imports", "ImportRecord", ("id",)),
)


def _sql() -> str:
    parts = []
    for label, name, columns in _WATCHED:
        table = connection.ops.quote_name(apps.get_model(label, name)._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts += [f"(SELECT MAX({connection.ops.quote_name(c)}) FROM {table})" for c in columns]
    return "SELECT " + ", ".join(parts)


def app_stamp() -> str:
    """Changes whenever a decision a page shows is added, answered, changed or removed."""

    def read() -> str:
        with connection.cursor() as cursor:
            cursor.execute(_sql())
            row = cursor.fetchone()
        return json.dumps(list(row or ()), default=str)

    return memo("app_stamp", read)


def cached_fragment(parts: list[Any], build: Callable[[], str], *, minutes: int = 1) -> str:
    """``build()`` once per ``parts`` (plus the app stamp and the minute), then from the cache."""
    bucket = int(time.time() // (60 * minutes))
    blob = json.dumps([parts, app_stamp(), bucket], sort_keys=True, default=str)
    key = "coparent:fragment:" + hashlib.sha256(blob.encode()).hexdigest()
    hit = cache.get(key)
    if isinstance(hit, str):
        return hit
    html = build()
    cache.set(key, html, min(django_settings.COPARENT_REPORT_CACHE_SECONDS, 60 * minutes + 5))
    return html
