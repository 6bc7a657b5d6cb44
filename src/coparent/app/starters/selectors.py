"""Starter-project reads: who may take a win-back call, and how an account is named."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from coparent.app.common.facts import workspace
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Company, Membership, Role
from coparent.errors import CoparentError
from coparent.services.winback import winback_list_load

__all__ = ["person_name", "winback_account_name", "winback_callers"]


def winback_callers() -> list[Any]:
    """Active users who may mark a win-back account contacted (they act for Sales).

    The same rule as `winback_mark_contacted`: a viewer, or a member of
    Marketing only, could be handed a call they cannot record.
    """
    company = Company.objects.order_by("pk").first() or Company()
    roles = {m.user_id: m for m in Membership.objects.all()}
    callers = []
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    for user in users:
        membership = roles.get(user.pk)
        if membership is not None:
            actor = Actor(user=user, role=membership.role, team=membership.team, company=company)
        else:
            role = Role.OWNER if user.is_superuser else Role.VIEWER
            actor = Actor(user=user, role=role, company=company)
        if actor.may_act_for("sales"):
            callers.append(user)
    return callers


def person_name(user: Any) -> str:
    """A user as people call them: the full name, else the username."""
    return str(user.get_full_name() or user.get_username())


def winback_account_name(*, list_id: str, account_id: str) -> str:
    """The account's name as the frozen list stores it (its id when the list has none)."""
    try:
        document = winback_list_load(workspace(), list_id)
    except CoparentError:
        return account_id
    for member in document["members"]:
        if member["account_id"] == account_id:
            return str(member.get("account_name") or account_id)
    return account_id
