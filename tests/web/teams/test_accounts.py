"""Sign in (fields username and password), throttling of failed sign-ins, CSRF, invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coparent.app.teams.models import LoginFailure
from coparent.app.teams.selectors import login_wait_seconds
from coparent.app.teams.services import invitation_create
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_form_is_at_accounts_login_with_username_and_password(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_with_no_owner_the_login_page_says_how_to_create_one(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "data-no-owner" in html
    assert "coparent user create NAME --role owner" in html


def test_once_an_owner_exists_the_login_page_points_to_invitations(
    client: Client, people: dict[str, Any]
) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "data-no-owner" not in html
    assert "The owner invites people from Setup." in html


def test_signing_in_leads_to_the_scorecard(client: Client, people: dict[str, Any]) -> None:
    response = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_failed_sign_ins_are_throttled_per_username_and_address(
    client: Client, people: dict[str, Any], settings: Any
) -> None:
    settings.COPARENT_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "viewer", "password": "wrong"})
        assert response.status_code == 200
    blocked = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.content.decode()
    # another username from the same address is not blocked
    other = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert other.status_code == 302


def test_the_wait_ends_with_the_window_and_a_success_clears_the_count(
    people: dict[str, Any], settings: Any, client: Client
) -> None:
    settings.COPARENT_LOGIN_MAX_FAILURES = 2
    settings.COPARENT_LOGIN_WINDOW_SECONDS = 600
    now = timezone.now()
    for minutes in (9, 8):
        LoginFailure.objects.create(
            username="viewer", ip="127.0.0.1", at=now - timedelta(minutes=minutes)
        )
    assert 0 < login_wait_seconds(username="viewer", ip="127.0.0.1", now=now) <= 60
    assert (
        login_wait_seconds(username="viewer", ip="127.0.0.1", now=now + timedelta(minutes=2)) == 0
    )
    LoginFailure.objects.all().delete()
    client.post("/accounts/login/", {"username": "viewer", "password": "wrong"})
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert not LoginFailure.objects.exists()


def test_csrf_is_enforced_on_posts(people: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 403
    client.force_login(people["owner"])
    response = client.post(reverse("setup:company"), {"name": "x"})
    assert response.status_code == 403


def test_an_invitation_link_creates_the_account_and_signs_in(
    client: Client, people: dict[str, Any]
) -> None:
    inv = invitation_create(
        invited_by=people["owner"], email="new@example.com", role="member", team="sales"
    )
    url = reverse("invite", args=[inv.token])
    assert "You are invited as" in client.get(url).content.decode()
    response = client.post(url, {"username": "newbie", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(url).status_code == 404  # used once


def test_the_owner_invites_from_setup_and_sees_the_link(
    client: Client, people: dict[str, Any]
) -> None:
    client.force_login(people["owner"])
    response = client.post(
        reverse("setup:invite"), {"email": "x@example.com", "role": "viewer"}, follow=True
    )
    assert "/accounts/invite/" in response.content.decode()


def test_password_change(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["viewer"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert response.status_code == 302
    people["viewer"].refresh_from_db()
    assert people["viewer"].check_password("another-long-phrase")
