"""The permission matrix: every URL, method and role → allowed, 403, 405 or sign in first.

The table below is the specification. The first test walks Django's URL
resolver, so a new URL without an entry here fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coparent.services.web_facts import lead_queue
from coparent.workspace import Workspace
from tests.web.conftest import WINBACK_LIST

OK, LOGIN, DENIED, NO_METHOD, UNAUTHORIZED, NOT_FOUND = "ok", "login", "403", "405", "401", "404"
ROLE_ORDER = (
    "anonymous",
    "owner",
    "champion_sales",
    "champion_marketing",
    "member_sales",
    "member_marketing",
    "viewer",
)


def row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(ROLE_ORDER)
    return dict(zip(ROLE_ORDER, outcomes, strict=True))


#                      anon      owner   champ S  champ M  member S member M viewer
EVERYONE = row(LOGIN, OK, OK, OK, OK, OK, OK)
NOT_VIEWER = row(LOGIN, OK, OK, OK, OK, OK, DENIED)
OWNER = row(LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
OWNER_CHAMPIONS = row(LOGIN, OK, OK, OK, DENIED, DENIED, DENIED)
SALES = row(LOGIN, OK, OK, DENIED, OK, DENIED, DENIED)
MARKETING = row(LOGIN, OK, DENIED, OK, DENIED, OK, DENIED)
GET_ONLY = row(LOGIN, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
POST_ONLY = row(LOGIN, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
OPEN = row(OK, OK, OK, OK, OK, OK, OK)
NOBODY = row(NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
API = row(UNAUTHORIZED, OK, OK, OK, OK, OK, OK)
# ninja's own root URL has no operation: it answers 404 to everyone
API_ROOT = row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
API_NO_METHOD = row(NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
API_OWNER_CHAMPIONS = row(UNAUTHORIZED, OK, OK, OK, DENIED, DENIED, DENIED)

MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("dashboards:scorecard", "GET"): EVERYONE,
    ("dashboards:scorecard", "POST"): GET_ONLY,
    ("dashboards:me", "GET"): EVERYONE,
    ("dashboards:me", "POST"): GET_ONLY,
    ("dashboards:diagnosis", "GET"): EVERYONE,
    ("dashboards:diagnosis", "POST"): GET_ONLY,
    ("dashboards:funnel", "GET"): EVERYONE,
    ("dashboards:funnel", "POST"): GET_ONLY,
    ("dashboards:products", "GET"): EVERYONE,
    ("dashboards:products", "POST"): GET_ONLY,
    ("dashboards:product", "GET"): EVERYONE,
    ("dashboards:product", "POST"): GET_ONLY,
    # the rows behind a number: seen by all who see the number; files are not for viewers
    ("lists:rows", "GET"): EVERYONE,
    ("lists:rows", "POST"): GET_ONLY,
    ("lists:export", "GET"): NOT_VIEWER,
    ("lists:export", "POST"): GET_ONLY,
    ("feedback:home", "GET"): EVERYONE,
    ("feedback:home", "POST"): GET_ONLY,
    ("feedback:insight_create", "GET"): POST_ONLY,
    ("feedback:insight_create", "POST"): SALES,
    ("feedback:brief_create", "GET"): POST_ONLY,
    ("feedback:brief_create", "POST"): MARKETING,
    ("feedback:lead", "GET"): EVERYONE,
    ("feedback:lead", "POST"): GET_ONLY,
    ("feedback:lead_review", "GET"): POST_ONLY,
    ("feedback:lead_review", "POST"): SALES,
    ("feedback:item", "GET"): EVERYONE,
    ("feedback:item", "POST"): GET_ONLY,
    # the item waits for Marketing, so Marketing (and the owner) answer it
    ("feedback:answer", "GET"): POST_ONLY,
    ("feedback:answer", "POST"): MARKETING,
    # the item is Sales' own, so Sales (and the owner) close it
    ("feedback:close", "GET"): POST_ONLY,
    ("feedback:close", "POST"): SALES,
    ("wins:home", "GET"): EVERYONE,
    ("wins:home", "POST"): GET_ONLY,
    ("wins:kudos", "GET"): POST_ONLY,
    ("wins:kudos", "POST"): NOT_VIEWER,
    ("wins:refresh", "GET"): POST_ONLY,
    ("wins:refresh", "POST"): OWNER_CHAMPIONS,
    ("wins:balance", "GET"): OWNER_CHAMPIONS,
    ("wins:balance", "POST"): GET_ONLY,
    ("starters:home", "GET"): EVERYONE,
    ("starters:home", "POST"): GET_ONLY,
    ("starters:winback_create", "GET"): POST_ONLY,
    ("starters:winback_create", "POST"): OWNER_CHAMPIONS,
    ("starters:assign", "GET"): POST_ONLY,
    ("starters:assign", "POST"): OWNER_CHAMPIONS,
    ("starters:contacted", "GET"): POST_ONLY,
    ("starters:contacted", "POST"): SALES,
    ("attribution:home", "GET"): EVERYONE,
    ("attribution:home", "POST"): GET_ONLY,
    ("pairs:home", "GET"): EVERYONE,
    ("pairs:home", "POST"): GET_ONLY,
    ("pairs:start", "GET"): POST_ONLY,
    ("pairs:start", "POST"): OWNER_CHAMPIONS,
    ("digest:home", "GET"): OWNER_CHAMPIONS,
    ("digest:home", "POST"): GET_ONLY,
    ("digest:send", "GET"): POST_ONLY,
    ("digest:send", "POST"): OWNER_CHAMPIONS,
    ("imports:data", "GET"): EVERYONE,
    ("imports:data", "POST"): OWNER_CHAMPIONS,
    ("imports:job", "GET"): OWNER_CHAMPIONS,
    ("imports:job", "POST"): GET_ONLY,
    ("setup:home", "GET"): OWNER,
    ("setup:home", "POST"): GET_ONLY,
    ("setup:company", "GET"): POST_ONLY,
    ("setup:company", "POST"): OWNER,
    ("setup:invite", "GET"): POST_ONLY,
    ("setup:invite", "POST"): OWNER,
    ("setup:member", "GET"): POST_ONLY,
    ("setup:member", "POST"): OWNER,
    ("setup:champion", "GET"): POST_ONLY,
    ("setup:champion", "POST"): OWNER,
    ("setup:people_link", "GET"): POST_ONLY,
    ("setup:people_link", "POST"): OWNER,
    ("setup:goal", "GET"): POST_ONLY,
    ("setup:goal", "POST"): OWNER,
    ("setup:goal_delete", "GET"): POST_ONLY,
    ("setup:goal_delete", "POST"): OWNER,
    ("setup:sla", "GET"): POST_ONLY,
    ("setup:sla", "POST"): OWNER,
    ("login", "GET"): OPEN,
    ("login", "POST"): OPEN,
    ("logout", "GET"): NOBODY,
    ("logout", "POST"): OPEN,
    ("password_change", "GET"): EVERYONE,
    ("password_change", "POST"): EVERYONE,
    ("password_change_done", "GET"): EVERYONE,
    ("password_change_done", "POST"): GET_ONLY,
    ("invite", "GET"): OPEN,
    ("invite", "POST"): OPEN,
    ("profile", "GET"): EVERYONE,
    ("profile", "POST"): GET_ONLY,
    ("notification_preferences", "GET"): POST_ONLY,
    ("notification_preferences", "POST"): EVERYONE,
    ("token_create", "GET"): POST_ONLY,
    ("token_create", "POST"): EVERYONE,
    ("token_revoke", "GET"): POST_ONLY,
    # the token is the owner's: nobody else can revoke it, or learn that it exists
    ("token_revoke", "POST"): row(LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("api:api-root", "GET"): API_ROOT,
    ("api:api-root", "POST"): API_ROOT,
    ("api:openapi-json", "GET"): EVERYONE,
    ("api:openapi-json", "POST"): EVERYONE,
    ("api:openapi-view", "GET"): EVERYONE,
    ("api:openapi-view", "POST"): EVERYONE,
    ("api:me", "GET"): API,
    ("api:me", "POST"): API_NO_METHOD,
    ("api:scorecard", "GET"): API,
    ("api:scorecard", "POST"): API_NO_METHOD,
    ("api:rows", "GET"): API,
    ("api:rows", "POST"): API_NO_METHOD,
    ("api:diagnosis", "GET"): API,
    ("api:diagnosis", "POST"): API_NO_METHOD,
    ("api:feedback", "GET"): API,
    ("api:feedback", "POST"): API_NO_METHOD,
    ("api:goals", "GET"): API,
    ("api:goals", "POST"): API_NO_METHOD,
    ("api:wins", "GET"): API,
    ("api:wins", "POST"): API_NO_METHOD,
    ("api:wins_balance", "GET"): API_OWNER_CHAMPIONS,
    ("api:wins_balance", "POST"): API_NO_METHOD,
}


def _url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            yield from _url_names(p.url_patterns, ns or namespace)
        elif p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_and_method_has_an_entry_in_the_matrix() -> None:
    names = set(_url_names(get_resolver().url_patterns))
    wanted = {(n, m) for n in names for m in ("GET", "POST")}
    assert wanted - set(MATRIX) == set(), "add these to MATRIX"
    assert set(MATRIX) - wanted == set(), "these are in MATRIX but not URLs any more"


@pytest.fixture
def objects(
    people: dict[str, Any], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """What the parametrised URLs point at, and valid form data for each POST."""
    from coparent.app.starters import services as starters
    from coparent.services.winback import winback_list_load

    # Freezing a list writes a file into the shared workspace: keep the matrix side-effect free.
    monkeypatch.setattr(
        starters,
        "winback_list_create",
        lambda con, **kw: {"id": WINBACK_LIST, "contacted": 1, "holdout": 1},
    )
    members = winback_list_load(Workspace(workspace), WINBACK_LIST)["members"]
    contacted = next(m["account_id"] for m in members if m["group"] == "contacted")
    from coparent.app.feedback.models import FeedbackItem
    from coparent.app.goals.models import Goal
    from coparent.app.teams.services import invitation_create

    ws = Workspace(workspace)
    con = ws.connect(ws.settings())
    try:
        lead_id = lead_queue(con, limit=1)[0]["lead_id"]
    finally:
        con.disconnect()
    now = timezone.now()
    item = FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for="marketing",
        title="Prospects ask for SSO",
        author=people["member_sales"],
        created_at=now,
        due_at=now + timedelta(days=2),
    )
    goal = Goal.objects.create(period="2026-Q3", won_revenue=500000)
    from coparent.app.imports.models import ImportJob

    job = ImportJob.objects.create(files=["deals.csv"], status="loaded", created_at=now)
    from coparent.app.teams.services import api_token_create

    owners_token, _ = api_token_create(username=people["owner"].username, name="matrix")
    invitation = invitation_create(
        invited_by=people["owner"], email="new@example.com", role="member", team="sales"
    )
    kwargs = {
        "dashboards:product": {"product_id": "insight-cloud"},
        "lists:rows": {"metric": "win_rate"},
        "lists:export": {"metric": "win_rate"},
        "api:rows": {"metric": "win_rate"},
        "feedback:lead": {"lead_id": lead_id},
        "feedback:lead_review": {"lead_id": lead_id},
        "feedback:item": {"item_id": item.pk},
        "feedback:answer": {"item_id": item.pk},
        "feedback:close": {"item_id": item.pk},
        "setup:member": {"user_id": people["viewer"].pk},
        "setup:goal_delete": {"goal_id": goal.pk},
        "imports:job": {"job_id": job.pk},
        "token_revoke": {"token_id": owners_token.pk},
        "invite": {"token": invitation.token},
        "starters:assign": {"list_id": WINBACK_LIST, "account_id": contacted},
        "starters:contacted": {"list_id": WINBACK_LIST, "account_id": contacted},
    }
    data = {
        "feedback:lead_review": {"verdict": "rejected", "reason": "No budget"},
        "feedback:insight_create": {"title": "Asked for SSO", "topic": "product_gap"},
        "feedback:brief_create": {"title": "Webinar on KPI trees"},
        "feedback:answer": {"answer": "Thanks, we will add it to the FAQ"},
        "wins:kudos": {"message": "Great teamwork", "to_team": "both"},
        "starters:assign": {"assignee": str(people["member_sales"].pk)},
        "starters:winback_create": {"top": "40", "holdout": "10", "max_p_alive": "50"},
        "notification_preferences": {"email": "on", "frequency": "daily"},
        "setup:company": {"name": "Brightlane"},
        "setup:invite": {"email": "x@example.com", "role": "viewer"},
        "setup:member": {"role": "viewer"},
        "setup:champion": {"team": "sales", "user": people["member_sales"].pk},
        "setup:goal": {"period": "2026-Q2", "won_revenue": "400000"},
        "setup:sla": {
            "mql_commitment_per_month": "200",
            "first_contact_hours": "12",
            "answer_within_days": "2",
        },
    }
    return {"kwargs": kwargs, "data": data}


def _outcome(response: Any, name: str) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith("/accounts/login/?next="):
        return LOGIN
    if status == 401:
        return UNAUTHORIZED
    if status == 403:
        return DENIED
    if status == 405:
        return NO_METHOD
    if status == 404:
        return NOT_FOUND
    if status in (200, 201, 204, 301, 302, 303, 400, 422):
        return OK
    return f"unexpected {status} for {name}"


@pytest.mark.parametrize(("name", "method"), sorted(MATRIX), ids=lambda v: str(v))
def test_the_matrix_holds_for_every_role(
    name: str,
    method: str,
    objects: dict[str, Any],
    login: Callable[[str], Client],
) -> None:
    url = reverse(name, kwargs=objects["kwargs"].get(name))
    expected = MATRIX[(name, method)]
    seen = {}
    for role in ROLE_ORDER:
        with transaction.atomic():
            client = login(role)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, objects["data"].get(name, {}))
            seen[role] = _outcome(response, name)
            transaction.set_rollback(True)
    wrong = {
        r: f"expected {expected[r]}, got {seen[r]}" for r in ROLE_ORDER if seen[r] != expected[r]
    }
    assert not wrong, f"{method} {url}: {wrong}"


# /api/docs and /api/openapi.json are pages for people in a browser (session only).
TOKEN_WALK = sorted(
    (name, method)
    for name, method in MATRIX
    if name.startswith("api:") and name not in ("api:openapi-view", "api:openapi-json")
)


@pytest.mark.parametrize(("name", "method"), TOKEN_WALK, ids=lambda v: str(v))
def test_the_api_matrix_holds_with_tokens_instead_of_sessions(
    name: str, method: str, objects: dict[str, Any], people: dict[str, Any]
) -> None:
    """The same outcome for every role when its API token, not its session, signs the call."""
    from coparent.app.teams.services import api_token_create

    url = reverse(name, kwargs=objects["kwargs"].get(name))
    expected = MATRIX[(name, method)]
    seen = {}
    for role in ROLE_ORDER:
        with transaction.atomic():
            headers = {}
            if role != "anonymous":
                _, raw = api_token_create(username=people[role].username, name="walk")
                headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
            client = Client()
            call = client.get if method == "GET" else client.post
            response = call(url, **headers)
            assert "sessionid" not in response.cookies
            seen[role] = _outcome(response, name)
            transaction.set_rollback(True)
    wrong = {
        r: f"expected {expected[r]}, got {seen[r]}" for r in ROLE_ORDER if seen[r] != expected[r]
    }
    assert not wrong, f"{method} {url} with tokens: {wrong}"
