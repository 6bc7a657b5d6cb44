"""The digest's contract and the balance panel's reads, on hand-made wins and kudos."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from coparent.app.feedback.models import FeedbackItem
from coparent.app.goals.services import goal_set
from coparent.app.teams.access import Actor
from coparent.app.teams.services import company_update
from coparent.app.wins.models import Win
from coparent.app.wins.selectors import balance_get, digest_wins
from coparent.app.wins.services import kudos_give, wins_store
from coparent.settings import load_settings
from coparent.wins import Credit
from coparent.wins import Win as FoundWin
from coparent.wins.model import Side

pytestmark = pytest.mark.django_db


def found(key: str, day: date, teams: tuple[Side, ...], amount: float | None = None) -> FoundWin:
    credits = tuple(Credit(f"Person {t}", t, f"P-{t}") for t in teams)
    return FoundWin(
        kind="deal_won",
        key=key,
        date=day,
        story=f"Won {key}",
        teams=teams,
        credited=credits,
        evidence=(key,),
        amount=amount,
    )


def _actor(user: Any) -> Actor:
    return Actor(user=user, role=user.membership.role, team=user.membership.team)


def test_digest_wins_returns_the_windows_wins_and_kudos_newest_first_in_the_agreed_shape(
    people: dict[str, Any],
) -> None:
    wins_store(
        wins=[
            found("deal_won:O1", date(2026, 9, 27), ("sales",)),  # the day before: out
            found("deal_won:O2", date(2026, 9, 28), ("marketing", "sales")),  # first day: in
            found("deal_won:O3", date(2026, 10, 4), ("sales",)),  # last day: in
            found("deal_won:O4", date(2026, 10, 5), ("sales",)),  # the day after: out
        ]
    )
    kudos_give(
        actor=_actor(people["member_sales"]),
        message="Great webinar",
        to_user_id=people["member_marketing"].pk,
        now=datetime(2026, 10, 1, 12, tzinfo=UTC),
    )
    got = digest_wins(start=date(2026, 9, 28), end=date(2026, 10, 4))
    assert [(d["kind"], d["date"]) for d in got] == [
        ("deal_won", "2026-10-04"),
        ("kudos", "2026-10-01"),
        ("deal_won", "2026-09-28"),
    ]
    for d in got:
        assert set(d) == {"kind", "date", "story", "teams", "credited", "evidence"}
        assert all(isinstance(c, dict) and set(c) == {"name", "team"} for c in d["credited"])
        assert all(isinstance(e, str) for e in d["evidence"])
    assert got[2]["teams"] == ["marketing", "sales"]
    assert got[2]["credited"] == [
        {"name": "Person marketing", "team": "marketing"},
        {"name": "Person sales", "team": "sales"},
    ]
    kudos = got[1]
    assert kudos["teams"] == ["marketing"]
    assert kudos["credited"] == [{"name": "Member Marketing", "team": "marketing"}]
    assert kudos["story"] == "Member Sales to Member Marketing: Great webinar"


def test_storing_the_same_wins_again_updates_them_and_adds_none() -> None:
    assert wins_store(wins=[found("k1", date(2026, 9, 1), ("sales",))]) == 1
    changed = FoundWin("deal_won", "k1", date(2026, 9, 1), "Won k1, now bigger", ("sales",))
    assert wins_store(wins=[changed, found("k2", date(2026, 9, 2), ("sales",))]) == 1
    assert Win.objects.count() == 2
    assert Win.objects.get(key="k1").story == "Won k1, now bigger"


def test_balance_counts_wins_kudos_goals_and_answers_per_side(people: dict[str, Any]) -> None:
    day = date(2026, 9, 30)
    wins_store(
        wins=[found(f"s{i}", day, ("sales",), 100.0) for i in range(6)]
        + [found("joint", day, ("marketing", "sales"), 1000.0)]
        + [replace(found("big", day, ("marketing", "sales"), 1000.0), kind="biggest_deal")]
    )
    goal_set(
        set_by=people["owner"],
        period="2026-Q4",
        won_revenue=Decimal(1000),
        marketing_metric="mqls",
        marketing_target=Decimal(100),
    )
    now = datetime(2026, 9, 30, 9, tzinfo=UTC)
    FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for="marketing",
        title="SSO?",
        created_at=now,
        due_at=now,
        answered_at=now,
    )
    report = balance_get(settings=load_settings(), single_team=False, end=day)
    w = report["window"]
    # 6 Sales wins + half of two joint wins = 7 of 8 recognition: 87.5% > 65%, 8 >= 5 items.
    # The joint deal's revenue counts once per side although it is also the biggest deal.
    assert w["sales"]["recognition"] == 7
    assert w["sales"]["revenue"] == 1600.0
    assert w["marketing"]["revenue"] == 1000.0
    assert w["marketing"]["answered"] == 1
    assert report["warning"]["side"] == "sales"
    # the goal was set today (after the window's end): it shows in a window that includes it
    today = datetime.now(UTC).date()
    assert (
        balance_get(settings=load_settings(), single_team=False, end=today)["window"]["marketing"][
            "goals"
        ]
        == 1
    )


def test_balance_in_single_team_mode_compares_the_roles_and_splits_kudos_to_a_person(
    people: dict[str, Any],
) -> None:
    company_update(name="One Team Co", single_team=True)
    when = datetime(2026, 9, 29, 9, tzinfo=UTC)
    for _ in range(5):
        kudos_give(
            actor=_actor(people["member_sales"]),
            message="thanks",
            to_user_id=people["member_marketing"].pk,
            now=when,
        )
    report = balance_get(settings=load_settings(), single_team=True, end=date(2026, 9, 30))
    assert report["sides"] == {"marketing": "Marketing work", "sales": "Sales work"}
    # a person in a single team does both roles' work: each kudos counts half for each role
    assert report["window"]["marketing"]["share"] == 0.5
    assert report["warning"] is None
