"""Gathering the digest's data from the app and the facts: weeks, queues, labels, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from coparent.app.digest.selectors import digest_get, digest_recipients_default, digest_week
from coparent.app.feedback.models import FeedbackItem
from coparent.app.pairs.services import pair_round_create
from coparent.app.teams.services import company_update
from coparent.notify import SECTION_ORDER, DigestError
from coparent.workspace import Workspace

TODAY = date(2026, 11, 26)  # a Thursday


def test_this_week_is_taken_as_of_today_and_a_past_week_as_of_its_sunday() -> None:
    assert digest_week(today=TODAY) == digest_week(week="2026-W48", today=TODAY)
    assert digest_week(today=TODAY).as_of == TODAY
    past = digest_week(day=date(2026, 9, 30), today=TODAY)
    assert (past.week, past.as_of) == ("2026-W40", date(2026, 10, 4))
    assert past.wins_window == (date(2026, 9, 28), date(2026, 10, 4))
    assert digest_week(today=TODAY).wins_window == (date(2026, 11, 20), TODAY)


def test_data_that_end_before_this_week_make_the_digest_cover_their_last_week() -> None:
    stale = digest_week(today=TODAY, data_last=date(2026, 9, 30))
    assert (stale.week, stale.as_of) == ("2026-W40", date(2026, 10, 4))
    assert "The data end on Wed 30 Sep 2026, before this week (2026-W48)" in stale.note
    assert stale.pairs_day == TODAY  # this week's meeting: the round in force today
    assert digest_week(week="2026-W40", today=TODAY).pairs_day == date(2026, 10, 4)
    # fresh data (this week's Monday or later), or a week asked for, change nothing
    assert digest_week(today=TODAY, data_last=date(2026, 11, 23)) == digest_week(today=TODAY)
    asked = digest_week(week="2026-W47", today=TODAY, data_last=date(2026, 9, 30))
    assert (asked.week, asked.note) == ("2026-W47", "")
    assert digest_week(day=TODAY, today=TODAY, data_last=date(2026, 9, 30)).week == "2026-W48"


def test_a_week_in_the_future_is_refused() -> None:
    with pytest.raises(DigestError, match="has not started yet"):
        digest_week(week="2026-W49", today=TODAY)


@pytest.mark.django_db
def test_recipients_default_to_active_users_with_an_email(people: dict[str, Any]) -> None:
    people["viewer"].is_active = False
    people["viewer"].save()
    people["member_sales"].email = ""
    people["member_sales"].save()
    assert digest_recipients_default() == [
        "champion_marketing@example.com",
        "champion_sales@example.com",
        "member_marketing@example.com",
        "owner@example.com",
    ]


def _section(digest: Any, key: str) -> Any:
    return digest.section(key)


@pytest.mark.django_db
def test_waiting_items_come_from_both_queues_with_age_and_due(
    workspace: Path, people: dict[str, Any]
) -> None:
    now = timezone.now()
    FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for="marketing",
        title="Prospects ask for SSO",
        author=people["member_sales"],
        created_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
    )
    FeedbackItem.objects.create(
        kind="campaign_brief",
        side="marketing",
        waiting_for="sales",
        title="Webinar on KPI trees",
        author=people["member_marketing"],
        created_at=now - timedelta(hours=5),
        due_at=now + timedelta(hours=43),
    )
    FeedbackItem.objects.create(  # answered: waits for nobody
        kind="campaign_brief",
        side="marketing",
        waiting_for="sales",
        title="Old brief",
        created_at=now - timedelta(days=9),
        due_at=now - timedelta(days=7),
        answered_at=now - timedelta(days=8),
    )
    company_update(name="Brightlane", single_team=False)
    digest = digest_get(
        ws=Workspace(workspace), week=digest_week(week="2026-W40", today=TODAY), now=now
    )
    assert digest.company == "Brightlane"
    marketing, sales = _section(digest, "waiting").groups
    assert (marketing.heading, marketing.summary) == (
        "Waiting for Marketing",
        "1 waiting, 1 overdue",
    )
    assert marketing.items[0].text == "Prospects ask for SSO"
    assert marketing.items[0].details == ("field insight, waiting 3 days, overdue by 24 hours",)
    assert marketing.items[0].flag == "overdue"
    assert (sales.heading, sales.summary) == ("Waiting for Sales", "1 waiting, 0 overdue")
    assert sales.items[0].details == ("campaign brief, waiting 5 hours, due in 43 hours",)


@pytest.mark.django_db
def test_single_team_mode_names_the_roles(workspace: Path, single_team: None) -> None:
    digest = digest_get(ws=Workspace(workspace), week=digest_week(week="2026-W40", today=TODAY))
    assert [g.heading for g in _section(digest, "scorecard").groups] == [
        "Marketing work",
        "Sales work",
    ]
    assert [g.heading for g in _section(digest, "waiting").groups] == [
        "Waiting for Marketing work",
        "Waiting for Sales work",
    ]
    assert digest.company == "One Team Co"


@pytest.mark.django_db
def test_an_empty_workspace_keeps_every_section_and_says_what_to_import(
    empty_workspace: Path,
) -> None:
    digest = digest_get(ws=Workspace(empty_workspace), week=digest_week(today=TODAY))
    assert tuple(s.key for s in digest.sections) == SECTION_ORDER
    card = _section(digest, "scorecard")
    assert not card.has_content
    assert card.empty
    assert card.hint
    assert _section(digest, "diagnosis").empty == card.empty
    assert "No win-back list" in _section(digest, "starters").groups[0].empty
    assert _section(digest, "pairs").empty == "No pairing round covers this week."


@pytest.mark.django_db
def test_this_weeks_pairs_are_the_round_in_force_with_their_agenda(workspace: Path) -> None:
    round_ = pair_round_create(now=datetime(2026, 9, 29, 9, 0, tzinfo=UTC))
    ws = Workspace(workspace)
    items = _section(digest_get(ws=ws, week=digest_week(week="2026-W40", today=TODAY)), "pairs")
    pairs = items.groups[0].items
    assert len(pairs) == round_.pairs.count()
    assert all("(Sales)" in p.text and "(Marketing)" in p.text for p in pairs)
    assert any(p.details for p in pairs)  # agendas drawn from the data
    earlier = digest_get(ws=ws, week=digest_week(week="2026-W39", today=TODAY))
    assert _section(earlier, "pairs").empty == "No pairing round covers this week."
