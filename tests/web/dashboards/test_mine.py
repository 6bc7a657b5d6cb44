"""The "For you" panel and /me/: a member or champion sees their own work first; the CEO's
view stays the company's."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coparent.app.common import facts
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Membership
from coparent.services.web_facts import lead_queue
from coparent.services.winback import winback_list_load
from tests.web.conftest import WINBACK_LIST, make_user


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def _undecided() -> list[dict[str, Any]]:
    ws = facts.workspace()
    with facts.warehouse(ws, facts.core_settings(ws)) as con:
        return lead_queue(con, limit=5000)


def _owner_with_mqls(rows: list[dict[str, Any]], *, skip: str = "") -> str:
    counts: dict[str, int] = {}
    for r in rows:
        if r.get("owner_id") and r["owner_id"] != skip:
            counts[r["owner_id"]] = counts.get(r["owner_id"], 0) + 1
    return max(counts, key=lambda k: (counts[k], k))


@pytest.fixture
def linked(people: dict[str, Any], workspace: Path) -> dict[str, Any]:
    """member_sales linked to the person owning the most undecided MQLs, with work of all kinds."""
    from coparent.app.feedback.services import feedback_item_create
    from coparent.app.pairs.services import pair_round_create
    from coparent.app.starters.services import winback_assign
    from coparent.app.wins.services import kudos_give, wins_refresh

    rows = _undecided()
    person = _owner_with_mqls(rows)
    Membership.objects.filter(user=people["member_sales"]).update(person_id=person)
    owner = Actor(user=people["owner"], role="owner")
    marketer = Actor(user=people["member_marketing"], role="member", team="marketing")
    item = feedback_item_create(
        actor=marketer, kind="campaign_brief", title="Webinar on SSO: who should we invite?"
    )
    for_marketing = feedback_item_create(
        actor=Actor(user=people["member_sales"], role="member", team="sales"),
        kind="field_insight",
        title="Prospects keep asking for SSO",
        topic="product_gap",
    )
    contacted = [
        m
        for m in winback_list_load(facts.workspace(), WINBACK_LIST)["members"]
        if m["group"] != "holdout"
    ]
    call, other_call = contacted[0], contacted[1]
    winback_assign(
        actor=owner,
        list_id=WINBACK_LIST,
        account_id=call["account_id"],
        assignee_id=people["member_sales"].pk,
    )
    winback_assign(
        actor=owner,
        list_id=WINBACK_LIST,
        account_id=other_call["account_id"],
        assignee_id=people["champion_sales"].pk,
    )
    round_ = pair_round_create()
    pair = next(p for p in round_.pairs.all() if any(m["person_id"] == person for m in p.members))
    kudos_give(
        actor=owner, message="Thanks for the quick follow-ups", to_user_id=people["member_sales"].pk
    )
    kudos_give(
        actor=owner, message="Kudos for somebody else", to_user_id=people["champion_sales"].pk
    )
    wins_refresh(force=True)
    return {
        "person": person,
        "mine": [r for r in rows if r["owner_id"] == person],
        "others": [r for r in rows if r["owner_id"] not in (person, None)],
        "item": item,
        "for_marketing": for_marketing,
        "call": call,
        "other_call": other_call,
        "partners": [m["name"] for m in pair.members if m["person_id"] != person],
    }


def test_a_sales_member_sees_their_own_work_first_on_the_scorecard(
    linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    html = _html(login("member_sales"), reverse("dashboards:scorecard"))
    assert html.index('id="for-you"') < html.index('id="page-body"')
    panel = html[html.index('id="for-you"') : html.index('id="page-body"')]
    assert f"Your MQLs to review ({len(linked['mine'])})" in panel
    assert reverse("feedback:lead", args=[linked["mine"][0]["lead_id"]]) in panel
    assert not any(reverse("feedback:lead", args=[r["lead_id"]]) in panel for r in linked["others"])
    assert linked["item"].title in panel  # waits for Sales' answer
    assert "You asked, waiting for an answer" in panel
    assert linked["for_marketing"].title in panel
    assert linked["call"]["account_name"] in panel
    assert linked["other_call"]["account_name"] not in panel
    assert all(name in panel for name in linked["partners"])
    assert "Thanks for the quick follow-ups" in panel
    assert "Kudos for somebody else" not in panel


def test_the_wins_for_you_are_those_that_credit_you(
    linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    from coparent.app.wins.models import Win

    credits_me = [
        w
        for w in Win.objects.order_by("-happened_on", "-pk")
        if any(c.get("person_id") == linked["person"] for c in w.credited)
    ]
    assert credits_me, "the demo's busiest Sales person has won deals"
    html = _html(login("member_sales"), reverse("dashboards:me"))
    panel = html[html.index('id="mine-wins"') :]
    assert credits_me[0].story in panel
    not_mine = next(
        w
        for w in Win.objects.all()
        if w.credited and all(c.get("person_id") != linked["person"] for c in w.credited)
    )
    assert not_mine.story not in panel


def test_me_lists_every_mql_to_review_not_only_the_first_rows(
    linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    html = _html(login("member_sales"), reverse("dashboards:me"))
    shown = [r for r in linked["mine"] if reverse("feedback:lead", args=[r["lead_id"]]) in html]
    assert len(shown) == min(len(linked["mine"]), 50)
    scorecard = _html(login("member_sales"), reverse("dashboards:scorecard"))
    panel = scorecard[scorecard.index('id="for-you"') : scorecard.index('id="page-body"')]
    assert len(linked["mine"]) > 3, "the demo's busiest Sales person owns more than 3"
    assert panel.count(reverse("feedback:lead", args=["x"])[: -len("x/")]) == 3
    assert f"{len(linked['mine'])} in all on the Feedback page" in panel


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_the_ceo_and_viewers_keep_the_company_view(
    role: str, linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    client = login(role)
    html = _html(client, reverse("dashboards:scorecard"))
    assert 'id="for-you"' not in html
    assert 'id="shared-goal"' in html
    assert "You see the company's view" in _html(client, reverse("dashboards:me"))


def test_a_marketing_member_has_no_mqls_to_review_and_sees_what_waits_for_marketing(
    linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    html = _html(login("member_marketing"), reverse("dashboards:me"))
    assert 'id="mine-mqls"' not in html
    assert linked["for_marketing"].title in html
    assert "You asked, waiting for an answer" in html
    assert "not linked to a person" in html  # member_marketing has no person_id


def test_two_people_of_the_same_role_and_team_each_see_their_own(
    linked: dict[str, Any], login: Callable[[str], Client], client: Client
) -> None:
    """The scorecard's body is cached per role; the panel is per person."""
    other = _owner_with_mqls(_undecided(), skip=linked["person"])
    colleague = make_user("colleague", "member", "sales")
    Membership.objects.filter(user=colleague).update(person_id=other)
    first = _html(login("member_sales"), reverse("dashboards:scorecard"))
    client.force_login(colleague)
    second = _html(client, reverse("dashboards:scorecard"))
    mine = reverse("feedback:lead", args=[linked["mine"][0]["lead_id"]])
    assert mine in first
    assert mine not in second[: second.index('id="page-body"')]


def test_in_single_team_mode_every_member_reviews_their_mqls(
    single_team: None, linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    Membership.objects.filter(user__username="member_marketing").update(person_id=linked["person"])
    html = _html(login("member_marketing"), reverse("dashboards:me"))
    assert f"Your MQLs to review ({len(linked['mine'])})" in html
    assert "Waiting for your team" in html


def test_the_views_for_you_only_read(
    linked: dict[str, Any], login: Callable[[str], Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coparent.app.pairs.models import PairRound

    client = login("member_sales")
    rounds = PairRound.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        for url in (reverse("dashboards:scorecard"), reverse("dashboards:me")):
            assert client.get(url).status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]
    assert writes == []
    assert PairRound.objects.count() == rounds
