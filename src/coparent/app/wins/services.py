"""Wins writes: give kudos; run the wins engine and store what it finds, by natural key.

`wins_refresh` gathers the app data, runs the engine's fact queries (cached
per data version, like every report) and its rules, and upserts the wins by
key: a second run updates the same rows and adds none. It runs after every
import (the post-import hooks, `coparent.app.common.hooks`), from
``coparent refresh`` (cron), when the demo users are created and when an
owner or champion asks (the Wins page's button, a POST); never in a page
view or an API GET. Unless forced it is skipped when nothing it reads
changed since the last run (`WinsRun.signature`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from coparent.app.common.facts import cached_facts, core_settings, data_version, workspace
from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.goals.models import Goal, SlaTerms
from coparent.app.goals.selectors import core_overrides
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Company
from coparent.app.wins.models import Kudos, Win, WinsRun
from coparent.app.wins.selectors import app_data_get
from coparent.errors import CoparentError
from coparent.services.winback import LIST_DIR
from coparent.services.wins import wins_facts
from coparent.settings import Settings
from coparent.wins import AppData, FactRows, detect_wins, wins_config
from coparent.wins import Win as FoundWin
from coparent.workspace import Workspace

__all__ = ["kudos_give", "wins_refresh", "wins_settings", "wins_store"]

_BATCH = 500


@transaction.atomic
def kudos_give(
    *,
    actor: Actor,
    message: str,
    to_user_id: int | None = None,
    to_team: str = "",
    now: datetime | None = None,
) -> Kudos:
    message = message.strip()
    if not message:
        raise ValidationError({"message": "say what you are thanking them for"})
    if to_user_id is None and not to_team:
        raise ValidationError("give kudos to a person or a team")
    to_user = None
    if to_user_id is not None:
        to_user = get_user_model().objects.filter(pk=to_user_id).first()
        if to_user is None:
            raise ValidationError({"to_user": "no such person"})
        if to_user.pk == getattr(actor.user, "pk", None):
            raise ValidationError({"to_user": "kudos go to someone else"})
    if to_team and to_team not in ("marketing", "sales", "both"):
        raise ValidationError({"to_team": "marketing, sales or both"})
    kudos = Kudos.objects.create(
        author=actor.user,
        to_user=to_user,
        to_team=to_team,
        message=message[:500],
        created_at=now or timezone.now(),
    )
    from coparent.app.notifications.services import notify_kudos, on_commit_notify

    # posted to the wins channel (notify_slack_wins_url) by `coparent notify run`
    on_commit_notify(lambda: notify_kudos(kudos_id=kudos.pk, settings=core_settings()))
    return kudos


@transaction.atomic
def wins_store(*, wins: Sequence[FoundWin], now: datetime | None = None) -> int:
    """Upsert ``wins`` by key; returns how many keys were new. Never deletes a win."""
    now = now or timezone.now()
    keys = list(dict.fromkeys(w.key for w in wins))
    existing: set[str] = set()
    for i in range(0, len(keys), _BATCH):
        existing |= set(
            Win.objects.filter(key__in=keys[i : i + _BATCH]).values_list("key", flat=True)
        )
    rows = {
        w.key: Win(
            key=w.key,
            kind=w.kind,
            happened_on=w.date,
            story=w.story,
            teams=list(w.teams),
            credited=[c.to_dict() for c in w.credited],
            evidence=list(w.evidence),
            amount=w.amount,
            found_at=now,
            updated_at=now,
        )
        for w in wins
    }
    Win.objects.bulk_create(
        list(rows.values()),
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=[
            "kind",
            "happened_on",
            "story",
            "teams",
            "credited",
            "evidence",
            "amount",
            "updated_at",
        ],
    )
    return len(set(keys) - existing)


def wins_settings(ws: Workspace | None = None) -> Settings:
    """The workspace settings with the owner's SLA terms (the streak rules read them)."""
    ws = ws or workspace()
    fy = core_settings(ws).fiscal_year_start_month
    return core_settings(ws, app=core_overrides(period=None, fiscal_year_start_month=fy))


def _list_files(ws: Workspace) -> list[tuple[str, int]]:
    folder = ws.path / LIST_DIR
    if not folder.is_dir():
        return []
    return sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("wb-*.json"))


def _app_stamp() -> list[object]:
    """Changes whenever an app decision the rules read changes."""
    parts: list[object] = []
    for model, field in (
        (FeedbackItem, "answered_at"),
        (LeadReview, "reviewed_at"),
        (Goal, "updated_at"),
        (SlaTerms, "id"),
        (WinbackAssignment, "updated_at"),
        (Company, "updated_at"),
    ):
        row = model.objects.aggregate(n=Count("pk"), last=Max(field))
        parts += [row["n"], str(row["last"])]
    parts.append(list(Goal.objects.values_list("period", "won_revenue").order_by("period")))
    return parts


def _signature(ws: Workspace, settings: Settings) -> str:
    blob = json.dumps(
        [data_version(ws, settings), repr(settings), _list_files(ws), _app_stamp()],
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _fact_rows(ws: Workspace, settings: Settings, app: AppData) -> FactRows:
    """The engine's fact rows, computed once per data version, settings and app inputs."""
    params = {
        "setup_on": app.setup_on,
        "goals": [asdict(g) for g in app.goals],
        "acceptances": [asdict(a) for a in app.acceptances],
        "lists": _list_files(ws),
    }
    facts = cached_facts(
        "wins-facts",
        lambda con: wins_facts(con, settings=settings, app=app, workspace=ws),
        params=params,
        settings=settings,
        ws=ws,
    )
    if facts.value is None:
        raise CoparentError(facts.missing or "no facts for the wins engine", hint=facts.hint)
    return facts.value


def wins_refresh(*, force: bool = False, now: datetime | None = None) -> WinsRun | None:
    """Run the engine and store its wins, unless nothing it reads changed since the last run.

    Returns the run, or None when it was skipped (nothing changed, or no
    workspace). Errors a user can fix (a busy or missing warehouse) raise
    `CoparentError`; the post-import hooks report them.
    """
    ws = workspace()
    if not ws.exists():
        return None
    settings = wins_settings(ws)
    config = wins_config(settings)
    signature = _signature(ws, settings)
    if not force and WinsRun.objects.filter(signature=signature).exists():
        return None
    started = time.monotonic()
    app = app_data_get(config=config, settings=settings)
    rows = _fact_rows(ws, settings, app)
    found = detect_wins(rows, app, config)
    added = wins_store(wins=found, now=now)
    return WinsRun.objects.create(
        signature=signature,
        ran_at=now or timezone.now(),
        seconds=round(time.monotonic() - started, 3),
        found=len(found),
        added=added,
        notes=list(rows.notes),
    )
