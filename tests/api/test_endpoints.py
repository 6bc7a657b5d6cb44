"""The API returns the same reports as the pages, role-checked, with an OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem
from coparent.app.goals.services import goal_set
from coparent.services.scorecard import scorecard_report
from coparent.workspace import Workspace


def test_scorecard_json_is_the_core_report(workspace: Path, login: Callable[[str], Client]) -> None:
    ws = Workspace(workspace)
    con = ws.connect(ws.settings())
    try:
        expected = scorecard_report(con, period="2026-Q2", settings=ws.settings())
    finally:
        con.disconnect()
    body = login("viewer").get("/api/scorecard", {"period": "2026-Q2"}).json()
    assert body["revenue"] == expected["revenue"]
    assert body["period"]["label"] == "2026-Q2"


def test_the_owners_goal_is_in_the_scorecard_json(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    from decimal import Decimal

    goal_set(set_by=people["owner"], period="2026-Q3", won_revenue=Decimal(800000))
    body = login("member_sales").get("/api/scorecard", {"period": "2026-Q3"}).json()
    assert body["goal"]["target"] == 800000.0
    assert body["goal"]["source"] == "app"
    against = login("viewer").get("/api/diagnosis", {"against": "goal"}).json()
    assert (against["goal"]["revenue"], against["goal"]["source"]) == (800000.0, "app")
    goals = login("viewer").get("/api/goals").json()
    assert goals == [{"period": "2026-Q3", "won_revenue": 800000.0, "sub_goals": []}]


def test_diagnosis_json_has_effects_that_add_up(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    body = login("viewer").get("/api/diagnosis").json()
    total = sum(e["amount"] for e in body["effects"])
    assert abs(total - body["revenue"]["change"]) < 1e-6 * max(1.0, abs(total))
    # the ranked findings every surface reads, and the headline built from them
    kinds = {f["kind"] for f in body["findings"]}
    assert {"factor", "verdict"} <= kinds
    assert "a product signal in Insight Cloud" in body["headline"]


def test_feedback_and_me(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    now = timezone.now()
    FeedbackItem.objects.create(
        kind="campaign_brief",
        side="marketing",
        waiting_for="sales",
        title="Webinar",
        created_at=now,
        due_at=now + timedelta(days=2),
    )
    client = login("champion_sales")
    assert [i["title"] for i in client.get("/api/feedback", {"waiting_for": "sales"}).json()] == [
        "Webinar"
    ]
    assert client.get("/api/me").json() == {
        "username": "champion_sales",
        "role": "champion",
        "team": "sales",
        "single_team": False,
    }


def test_openapi_document_lists_every_endpoint(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    doc = login("viewer").get("/api/openapi.json").json()
    assert {"/api/scorecard", "/api/diagnosis", "/api/feedback", "/api/goals", "/api/me"} <= set(
        doc["paths"]
    )
    docs = login("viewer").get("/api/docs").content.decode()
    assert "cdn.jsdelivr.net" not in docs
