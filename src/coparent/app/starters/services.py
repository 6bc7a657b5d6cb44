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
from coparent.app.starters.selectors import person_name, winback_callers
from coparent.app.teams.access import Actor
from coparent.services.winback import (
    DEFAULT_MAX_P_ALIVE,
    winback_list_create,
    winback_list_load,
)

__all__ = ["winback_assign", "winback_freeze", "winback_mark_contacted"]


def winback_freeze(
    *,
    actor: Actor,
    top: int = 100,
    holdout_share: float = 0.1,
    max_p_alive: float = DEFAULT_MAX_P_ALIVE,
) -> dict[str, Any]:
    """Rank the lapsing accounts now and freeze a new list with a random holdout.

    Any number of lists may be frozen; earlier ones stay stored and readable.
    """
    if not actor.may("assign"):
        raise PermissionDenied("the owner or a champion freezes win-back lists")
    ws = workspace()
    settings = core_settings(ws)
    with warehouse(ws, settings) as con:
        return winback_list_create(
            con, workspace=ws, top=top, holdout_share=holdout_share, max_p_alive=max_p_alive
        )


def _member(list_id: str, account_id: str) -> dict[str, Any]:
    document = winback_list_load(workspace(), list_id)
    for m in document["members"]:
        if m["account_id"] == account_id:
            member: dict[str, Any] = m
            if member["group"] == "holdout":
                raise ValidationError(
                    f"{member.get('account_name') or account_id} is held out: it stays "
                    "uncontacted so the outcome can be measured against it"
                )
            return member
    raise ValidationError(f"{account_id} is not on the list {list_id}")


@transaction.atomic
def winback_assign(
    *, actor: Actor, list_id: str, account_id: str, assignee_id: int | None
) -> WinbackAssignment:
    """Give a contacted-group account to someone who may call it (or take it back with None).

    Only people who act for Sales can record the call, so only they can be
    handed one (`winback_callers`): never a viewer.
    """
    if not actor.may("assign"):
        raise PermissionDenied("the owner or a champion hands out win-back calls")
    _member(list_id, account_id)
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationError("no such person")
        if assignee not in winback_callers():
            raise ValidationError(
                f"{person_name(assignee)} cannot mark calls contacted (only the owner and the "
                "people who act for Sales can), so the call cannot be theirs"
            )
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
