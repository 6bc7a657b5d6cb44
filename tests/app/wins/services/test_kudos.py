"""Kudos go to a person or a team, never to oneself, and always say what for."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from coparent.app.teams.access import Actor
from coparent.app.wins.selectors import kudos_recent
from coparent.app.wins.services import kudos_give

pytestmark = pytest.mark.django_db


def _actor(user: Any) -> Actor:
    return Actor(user=user, role=user.membership.role, team=user.membership.team)


def test_kudos_to_a_person_and_to_both_teams_come_back_newest_first(
    people: dict[str, Any],
) -> None:
    me = _actor(people["member_sales"])
    first = kudos_give(actor=me, message="Great webinar", to_user_id=people["member_marketing"].pk)
    second = kudos_give(actor=me, message="Record month!", to_team="both")
    assert list(kudos_recent()) == [second, first]


def test_kudos_need_a_message_a_recipient_and_someone_else(people: dict[str, Any]) -> None:
    me = _actor(people["member_sales"])
    with pytest.raises(ValidationError):
        kudos_give(actor=me, message=" ", to_team="both")
    with pytest.raises(ValidationError):
        kudos_give(actor=me, message="hi")
    with pytest.raises(ValidationError, match="someone else"):
        kudos_give(actor=me, message="me!", to_user_id=people["member_sales"].pk)
