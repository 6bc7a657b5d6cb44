"""The digest page's context: this week's digest as the email shows it, and its deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coparent.app.common.facts import core_settings, workspace
from coparent.app.digest.selectors import (
    digest_data_last,
    digest_deliveries,
    digest_get,
    digest_week,
)
from coparent.app.digest.services import digest_channels
from coparent.errors import CoparentError
from coparent.notify import parse_week, render_html
from coparent.settings import Settings

__all__ = ["digest_page", "today"]


def today(settings: Settings) -> date:
    """Today in the workspace's time zone (weeks start on Monday there)."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(UTC).astimezone(zone).date()


def digest_page(*, week: str | None) -> dict[str, Any]:
    ws = workspace()
    settings = core_settings(ws)
    chosen = digest_week(
        week=parse_week(week) if week else None,
        today=today(settings),
        data_last=digest_data_last(ws),
    )
    digest = digest_get(ws=ws, week=chosen)
    try:
        channels, not_configured = digest_channels(settings), ""
    except CoparentError as exc:
        channels, not_configured = [], f"{exc.message} ({exc.hint})"
    deliveries = list(digest_deliveries(week=chosen.week))
    return {
        "digest": digest,
        "html": render_html(digest),
        "week": chosen.week,
        "this_week": digest_week(today=today(settings)).week,
        "channels": channels,
        "not_configured": not_configured,
        "deliveries": deliveries,
        "sent": sorted({d.channel for d in deliveries if d.status in ("sent", "sending")}),
    }
