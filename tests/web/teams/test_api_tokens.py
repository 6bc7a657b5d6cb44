"""Personal API tokens: shown once, stored as a digest, scoped by the user's role, revocable."""

from __future__ import annotations

import json
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coparent.api.errors import ERROR_KEYS
from coparent.app.teams.models import ApiToken
from coparent.app.teams.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_only_a_digest_of_the_token_is_kept(people: dict[str, Any]) -> None:
    token, raw = api_token_create(username="viewer", name="Power BI")
    assert raw.startswith("cpt_")
    assert len(raw) > 40
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert not any(raw in str(v) for v in stored.values())
    assert raw.startswith(stored["prefix"])


def test_a_token_acts_with_its_users_role_and_needs_no_session(
    workspace: Path, people: dict[str, Any]
) -> None:
    _, raw = api_token_create(username="member_sales", name="script")
    client = Client()
    me = client.get("/api/me", **_bearer(raw))
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"]) == ("member_sales", "member")
    assert client.get("/api/wins/balance", **_bearer(raw)).status_code == 403
    assert "sessionid" not in client.cookies


@pytest.mark.parametrize("case", ["unknown", "revoked", "inactive", "not ours", "empty"])
def test_a_token_that_is_not_valid_is_401_in_the_api_error_shape(
    people: dict[str, Any], case: str
) -> None:
    token, raw = api_token_create(username="viewer", name="x")
    if case == "unknown":
        raw = "cpt_" + "A" * 43
    elif case == "revoked":
        api_token_revoke(token_id=token.pk)
    elif case == "inactive":
        people["viewer"].is_active = False
        people["viewer"].save()
    elif case == "not ours":
        raw = "ghp_" + raw[4:]
    else:
        raw = ""
    response = Client().get("/api/me", **_bearer(raw))
    assert response.status_code == 401
    body = json.loads(response.content)
    assert tuple(body) == ERROR_KEYS
    assert body["status"] == 401


def test_the_last_use_is_kept_with_at_most_one_write_in_five_minutes(
    people: dict[str, Any],
) -> None:
    token, raw = api_token_create(username="viewer", name="x")
    now = timezone.now()
    assert api_token_authenticate(raw, now=now) == people["viewer"]
    token.refresh_from_db()
    assert token.last_used_at == now
    api_token_authenticate(raw, now=now + timedelta(minutes=4))
    token.refresh_from_db()
    assert token.last_used_at == now
    later = now + timedelta(minutes=6)
    api_token_authenticate(raw, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_profile_page_shows_a_new_token_once_and_revokes_only_ones_own(
    people: dict[str, Any], login: Any
) -> None:
    client = login("member_marketing")
    made = unescape(client.post("/accounts/profile/tokens/", {"name": "Looker"}).content.decode())
    raw = made.split('<section class="card" id="new-token"', 1)[1].split("<code>", 1)[1]
    raw = raw.split("</code>", 1)[0]
    assert raw.startswith("cpt_")
    assert Client().get("/api/me", **_bearer(raw)).status_code == 200
    again = client.get("/accounts/profile/").content.decode()
    assert raw not in again
    assert "Looker" in again
    token = ApiToken.objects.get(name="Looker")
    others, _ = api_token_create(username="owner", name="theirs")
    assert client.post(f"/accounts/profile/tokens/{others.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/me", **_bearer(raw)).status_code == 401
