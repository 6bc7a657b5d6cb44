"""Starter-project writes: freeze a win-back list, assign its accounts, mark them contacted.

Held-out accounts are the control group: the app refuses to assign or mark
them, so the measured outcome stays honest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from coparent.app.common.facts import core_settings, warehouse, workspace
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.access import Actor
from coparent.services.winback import winback_list_create, winback_list_load

__all__ = ["winback_assign", "winback_freeze", "winback_mark_contacted"]


def winback_freeze(*, top: int = 100, holdout_share: float = 0.1) -> dict[str, Any]:
    """Rank the lapsing accounts now and freeze the list with a random holdout."""
    ws = workspace()
    settings = core_settings(ws)
    with warehouse(ws, settings) as con:
        return winback_list_create(con, workspace=ws, top=top, holdout_share=holdout_share)


def _member(list_id: str, account_id: str) -> dict[str, Any]:
    document = winback_list_load(workspace(), list_id)
    for m in document["members"]:
        if m["account_id"] == account_id:
            member: dict[str, Any] = m
            if member["group"] == "holdout":
                raise ValidationError(
                    f"{account_id} is held out: it stays uncontacted so the outcome can be "
                    "measured against it"
                )
            return member
    raise ValidationError(f"{account_id} is not on the list {list_id}")


@transaction.atomic
def winback_assign(
    *, actor: Actor, list_id: str, account_id: str, assignee_id: int | None
) -> WinbackAssignment:
    """Give a contacted-group account to someone (or take it back with None)."""
    _member(list_id, account_id)
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationError("no such person")
    row, _ = WinbackAssignment.objects.select_for_update().get_or_create(
        list_id=list_id, account_id=account_id
    )
    row.assignee = assignee
    row.assigned_by = actor.user
    row.assigned_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def winback_mark_contacted(
    *, actor: Actor, list_id: str, account_id: str, note: str = "", now: datetime | None = None
) -> WinbackAssignment:
    """Record that someone reached out to the account (Sales' part)."""
    if not actor.may_act_for("sales"):
        raise PermissionDenied("reaching out to win-back accounts is Sales' part")
    _member(list_id, account_id)
    row, _ = WinbackAssignment.objects.select_for_update().get_or_create(
        list_id=list_id, account_id=account_id
    )
    row.contacted_at = now or timezone.now()
    row.contacted_by = actor.user
    row.note = note.strip()[:500]
    row.save()
    return row
