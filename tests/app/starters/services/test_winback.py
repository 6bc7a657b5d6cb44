"""Starter-project services: the holdout stays untouched; contacting is Sales' part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coparent.app.starters.services import winback_assign, winback_mark_contacted
from coparent.app.teams.access import Actor
from coparent.services.winback import winback_list_load
from coparent.workspace import Workspace
from tests.web.conftest import WINBACK_LIST


def _members(path: Path) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = winback_list_load(Workspace(path), WINBACK_LIST)["members"]
    return members


def _actor(user: Any) -> Actor:
    return Actor(user=user, role=user.membership.role, team=user.membership.team)


@pytest.mark.django_db
def test_held_out_accounts_cannot_be_assigned_or_contacted(
    workspace: Path, people: dict[str, Any]
) -> None:
    held = next(m["account_id"] for m in _members(workspace) if m["group"] == "holdout")
    with pytest.raises(ValidationError, match="held out"):
        winback_assign(
            actor=_actor(people["owner"]), list_id=WINBACK_LIST, account_id=held, assignee_id=None
        )
    with pytest.raises(ValidationError, match="held out"):
        winback_mark_contacted(actor=_actor(people["owner"]), list_id=WINBACK_LIST, account_id=held)
    with pytest.raises(ValidationError, match="not on the list"):
        winback_mark_contacted(
            actor=_actor(people["owner"]), list_id=WINBACK_LIST, account_id="nobody"
        )
    with pytest.raises(PermissionDenied):
        winback_mark_contacted(
            actor=_actor(people["member_marketing"]), list_id=WINBACK_LIST, account_id="x"
        )


@pytest.mark.django_db
def test_a_call_goes_only_to_someone_who_may_record_it(
    workspace: Path, people: dict[str, Any]
) -> None:
    from coparent.app.starters.selectors import winback_callers

    callers = winback_callers()
    assert people["member_sales"] in callers
    assert people["owner"] in callers
    assert people["viewer"] not in callers
    assert people["member_marketing"] not in callers
    account = next(m["account_id"] for m in _members(workspace) if m["group"] == "contacted")
    for who in ("viewer", "member_marketing"):
        with pytest.raises(ValidationError, match="cannot mark calls contacted"):
            winback_assign(
                actor=_actor(people["champion_sales"]),
                list_id=WINBACK_LIST,
                account_id=account,
                assignee_id=people[who].pk,
            )
    with pytest.raises(PermissionDenied):
        winback_assign(
            actor=_actor(people["member_sales"]),
            list_id=WINBACK_LIST,
            account_id=account,
            assignee_id=people["member_sales"].pk,
        )
    row = winback_assign(
        actor=_actor(people["champion_sales"]),
        list_id=WINBACK_LIST,
        account_id=account,
        assignee_id=people["member_sales"].pk,
    )
    assert row.assignee == people["member_sales"]
