"""Running the wins engine from the app: the demo's wins, idempotence, what makes it run again."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from coparent.app.feedback.services import (
    feedback_item_answer,
    feedback_item_create,
    lead_review_create,
)
from coparent.app.teams.access import Actor
from coparent.app.teams.services import company_update
from coparent.app.wins.models import Win, WinsRun
from coparent.app.wins.services import wins_refresh
from coparent.services.web_facts import lead_queue
from coparent.workspace import Workspace

pytestmark = pytest.mark.django_db


def _actor(user: Any) -> Actor:
    return Actor(user=user, role=user.membership.role, team=user.membership.team)


def test_the_demo_company_has_wins_credited_to_both_teams(workspace: Path) -> None:
    run = wins_refresh(force=True)
    assert run is not None
    assert run.found == run.added == Win.objects.count() > 0
    kinds = Counter(Win.objects.values_list("kind", flat=True))
    assert {"deal_won", "biggest_deal", "fast_contact", "offer_verdict"} <= set(kinds)
    joint = [w for w in Win.objects.filter(kind="deal_won") if w.teams == ["marketing", "sales"]]
    assert joint, "no won deal credits both teams"
    credited = {c["team"] for w in joint for c in w.credited}
    assert credited == {"marketing", "sales"}
    # the demo's campaigns have owners in Marketing: a joint deal names both people
    assert any(len({c["team"] for c in w.credited}) == 2 for w in joint)
    assert all(w.story and w.evidence for w in Win.objects.all())


def test_running_twice_finds_the_same_wins_and_adds_none(workspace: Path) -> None:
    first = wins_refresh(force=True)
    keys = sorted(Win.objects.values_list("key", flat=True))
    stories = dict(Win.objects.values_list("key", "story"))
    second = wins_refresh(force=True)
    assert first is not None
    assert second is not None
    assert second.found == first.found
    assert second.added == 0
    assert sorted(Win.objects.values_list("key", flat=True)) == keys
    assert dict(Win.objects.values_list("key", "story")) == stories


def test_nothing_changed_skips_the_run_and_a_fast_answer_makes_a_new_win(
    workspace: Path, people: dict[str, Any]
) -> None:
    assert wins_refresh() is not None
    assert wins_refresh() is None  # the same facts, settings and decisions
    before = Win.objects.count()
    item = feedback_item_create(
        actor=_actor(people["member_sales"]), kind="field_insight", title="Prospects ask for SSO"
    )
    feedback_item_answer(
        actor=_actor(people["member_marketing"]), item_id=item.pk, answer="On the roadmap"
    )
    run = wins_refresh()
    assert run is not None
    assert run.added == 1
    assert Win.objects.count() == before + 1
    win = Win.objects.get(key=f"fast_answer:{item.pk}")
    assert win.teams == ["marketing"]
    assert win.credited[0]["name"] == "Member Marketing"
    assert WinsRun.objects.count() == 2


def _answered_brief(people: dict[str, Any]) -> int:
    brief = feedback_item_create(
        actor=_actor(people["member_marketing"]), kind="campaign_brief", title="KPI webinar"
    )
    feedback_item_answer(
        actor=_actor(people["member_sales"]), item_id=brief.pk, answer="We will invite 20"
    )
    return brief.pk


def test_early_days_celebrate_the_first_answered_brief_after_setup(
    workspace: Path, people: dict[str, Any]
) -> None:
    company_update(name="Brightlane", single_team=False)  # set up today: early days start
    pk = _answered_brief(people)
    wins_refresh(force=True)
    first = Win.objects.get(kind="first_answered_brief")
    assert first.key == f"first_answered_brief:{pk}"
    assert {c["team"] for c in first.credited} == {"marketing", "sales"}


def test_early_days_celebrate_the_first_mql_sales_accepts_in_the_app(
    workspace: Path, people: dict[str, Any]
) -> None:
    company_update(name="Brightlane", single_team=False)
    ws = Workspace(workspace)
    con = ws.connect(ws.settings())
    try:
        lead = next(r for r in lead_queue(con, limit=50) if r.get("campaign_id"))
    finally:
        con.disconnect()
    lead_review_create(
        actor=_actor(people["member_sales"]), lead_id=lead["lead_id"], verdict="accepted"
    )
    wins_refresh(force=True)
    win = Win.objects.get(kind="first_accepted_mql")
    assert win.evidence == [lead["lead_id"]]
    assert ("Member Sales", "sales") in {(c["name"], c["team"]) for c in win.credited}
    assert win.teams == ["marketing", "sales"]


def test_early_days_off_celebrates_no_firsts(
    workspace: Path, people: dict[str, Any], settings: Any
) -> None:
    settings.COPARENT_SETTING_OVERRIDES = {"wins_early_days_weeks": "0"}
    company_update(name="Brightlane", single_team=False)
    _answered_brief(people)
    wins_refresh(force=True)
    assert not Win.objects.filter(kind__startswith="first_").exists()
    assert Win.objects.filter(kind="fast_answer").exists()


def test_creating_the_demo_users_runs_the_engine(workspace: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("coparent_demo_users", stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert WinsRun.objects.count() == 1
    assert Win.objects.filter(kind="deal_won").exists()


def test_no_workspace_no_run(settings: Any, tmp_path: Path) -> None:
    settings.COPARENT_WORKSPACE = str(tmp_path / "nowhere")
    assert wins_refresh(force=True) is None
    assert not WinsRun.objects.exists()
