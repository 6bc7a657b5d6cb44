"""People services: invitations, roles and champions, links to warehouse people, demo users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from coparent.app.teams.models import Company, Invitation, Membership
from coparent.app.teams.services import (
    DEMO_PASSWORD,
    champion_set,
    company_update,
    demo_users_create,
    invitation_accept,
    invitation_create,
    membership_update,
    people_link,
)
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


def test_company_is_one_row_updated_in_place() -> None:
    company_update(name=" Brightlane ", single_team=False)
    company_update(name="Brightlane", single_team=True)
    assert list(Company.objects.values_list("name", "single_team")) == [("Brightlane", True)]


def test_an_invitation_creates_the_user_with_its_role_once(people: dict[str, Any]) -> None:
    inv = invitation_create(
        invited_by=people["owner"], email="Ana@Example.com", role="member", team="marketing"
    )
    user = invitation_accept(
        token=inv.token, username="ana", password="a-long-pass-phrase", first_name="Ana"
    )
    assert user.email == "ana@example.com"
    assert (user.membership.role, user.membership.team) == ("member", "marketing")
    with pytest.raises(ValidationError, match="already used"):
        invitation_accept(token=inv.token, username="ana2", password="a-long-pass-phrase")


def test_an_expired_invitation_or_a_weak_password_is_refused(people: dict[str, Any]) -> None:
    inv = invitation_create(invited_by=None, email="b@example.com", role="viewer", team="sales")
    assert inv.team == ""  # viewers belong to no team
    with pytest.raises(ValidationError):
        invitation_accept(token=inv.token, username="bob", password="123")
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="expired"):
        invitation_accept(token=inv.token, username="bob", password="a-long-pass-phrase")


def test_a_champion_needs_a_team_and_each_team_has_one(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="champions Sales or Marketing"):
        invitation_create(invited_by=None, email="c@example.com", role="champion", team="")
    champion_set(team="sales", user_id=people["member_sales"].pk)
    champions = Membership.objects.filter(role="champion", team="sales")
    assert [m.user.username for m in champions] == ["member_sales"]
    assert Membership.objects.get(user=people["champion_sales"]).role == "member"


def test_the_last_owner_stays_an_owner(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="needs an owner"):
        membership_update(user_id=people["owner"].pk, role="viewer", team="")
    membership_update(user_id=people["viewer"].pk, role="owner", team="")
    membership_update(user_id=people["owner"].pk, role="viewer", team="")


def test_people_link_matches_users_to_warehouse_people_by_email(db: None) -> None:
    user = make_user("hw", "member", "marketing", email="Hannah.Weiss@brightlane.io")
    changed = people_link(
        people=[
            {"person_id": "P001", "email": "hannah.weiss@brightlane.io"},
            {"person_id": "P002", "email": None},
        ]
    )
    assert changed == 1
    assert Membership.objects.get(user=user).person_id == "P001"
    assert people_link(people=[{"person_id": "P001", "email": "hannah.weiss@brightlane.io"}]) == 0


def test_demo_users_are_the_six_of_the_spec_and_can_be_created_twice(db: None) -> None:
    people = [
        {
            "person_id": "P1",
            "name": "Hannah Weiss",
            "email": "h@x.io",
            "title": "Head of Marketing",
        },
        {"person_id": "P2", "name": "James Whitfield", "email": "j@x.io", "title": "Head of Sales"},
        {"person_id": "P3", "name": "Elena Novak", "email": "e@x.io", "title": "Account Executive"},
        {
            "person_id": "P4",
            "name": "Diego Alvarez",
            "email": "d@x.io",
            "title": "Demand Generation Manager",
        },
    ]
    demo_users_create(people=people, single_team=False, company_name="X")
    users = demo_users_create(people=people, single_team=False, company_name="X")
    got = {u["username"]: (u["role"], u["team"]) for u in users}
    assert got == {
        "ceo": ("owner", ""),
        "sales-lead": ("champion", "sales"),
        "marketing-lead": ("champion", "marketing"),
        "rep": ("member", "sales"),
        "marketer": ("member", "marketing"),
        "guest": ("viewer", ""),
    }
    lead = get_user_model().objects.get(username="sales-lead")
    assert lead.check_password(DEMO_PASSWORD)
    assert lead.membership.person_id == "P2"
    assert get_user_model().objects.get(username="rep").membership.person_id == "P3"


def test_single_team_demo_members_hold_both_roles(db: None) -> None:
    users = demo_users_create(people=[], single_team=True, company_name="One")
    assert {u["username"]: u["team"] for u in users}["rep"] == "both"
    assert Company.objects.get().single_team
