"""Single-team mode in every page's words: one team with two roles, never two teams.

No page says "accepted by Sales", credits someone "(Marketing)" or speaks of
"both teams" when one team does both jobs; the wins' stories and the kudos
credit the two roles ("sales work", "marketing work").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

TWO_TEAM_WORDS = (
    "accepted by sales",
    "rejected by sales",
    "(sales)",
    "(marketing)",
    "the sales team",
    "the marketing team",
    "both teams",
    "marketing's campaign",
)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<div[^>]*data-figure[^>]*>.*?</div>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).lower()


def _around(text: str, word: str) -> str:
    at = text.index(word)
    return text[max(0, at - 60) : at + len(word) + 30]


def _pages() -> list[str]:
    return [
        reverse("dashboards:scorecard"),
        reverse("dashboards:diagnosis"),
        reverse("dashboards:funnel"),
        reverse("dashboards:products"),
        reverse("feedback:home"),
        reverse("wins:home"),
        reverse("wins:balance"),
        reverse("starters:home"),
        reverse("pairs:home"),
        reverse("digest:home"),
        reverse("imports:data"),
        reverse("setup:home"),
        reverse("attribution:home"),
    ]


@pytest.fixture
def recognised(people: dict[str, Any], workspace: Path) -> None:
    """Wins found in the data, and kudos to a person and to a side."""
    from coparent.app.teams.access import Actor
    from coparent.app.wins.services import kudos_give, wins_refresh

    wins_refresh(force=True)
    owner = Actor(user=people["owner"], role="owner")
    kudos_give(actor=owner, message="great call", to_user_id=people["champion_sales"].pk)
    kudos_give(actor=owner, message="thanks all", to_team="both")


def test_no_single_team_page_speaks_of_two_teams(
    single_team: None, recognised: None, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    found = {}
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        said = [_around(text, w) for w in TWO_TEAM_WORDS if w in text]
        if said:
            found[url] = said
    assert not found, f"two-team words in single-team mode: {found}"


def test_two_team_mode_still_names_the_teams(
    recognised: None, login: Callable[[str], Client]
) -> None:
    text = _visible_text(login("owner").get(reverse("dashboards:scorecard")).content.decode())
    assert "accepted by sales" in text


# The attribution page's sourced and influenced revenue: two teams, or two kinds of work.
SOURCED_BY_TEAM = (
    "marketing- and sales-sourced",
    "marketing-sourced",
    "sales-sourced",
    "marketing-influenced",
    "sales-influenced",
    "sales' own",
)


def test_attribution_credits_the_two_kinds_of_work_in_single_team_mode(
    single_team: None, workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("owner").get(reverse("attribution:home"))
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert "revenue sourced by marketing work and sales work" in text
    for words in (
        "sourced by marketing work",
        "sourced by sales work",
        "influenced by marketing work",
        "influenced by sales work",
        "both marketing and sales work",
    ):
        assert words in text, words
    said = [_around(text, w) for w in (*SOURCED_BY_TEAM, *TWO_TEAM_WORDS) if w in text]
    assert not said, said


def test_attribution_names_the_teams_in_two_team_mode(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    text = _visible_text(login("owner").get(reverse("attribution:home")).content.decode())
    for words in SOURCED_BY_TEAM[:5]:
        assert words in text, words
    assert "worked by both teams" in text
    assert "sourced by marketing work" not in text


def test_the_digest_credits_a_person_for_both_roles_and_names_no_team(
    single_team: None, recognised: None, people: dict[str, Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from coparent.app.wins.selectors import digest_wins
    from coparent.notify.sections import wins_section

    today = timezone.now().date()
    wins = digest_wins(start=today - timedelta(days=400), end=today)
    kudos = [w for w in wins if w["kind"] == "kudos"]
    to_person = next(k for k in kudos if "great call" in k["story"])
    assert to_person["teams"] == ["marketing", "sales"]
    assert to_person["credited"][0]["team"] == "both"
    assert any("the whole team" in k["story"] for k in kudos)
    labels = {"marketing": "Marketing work", "sales": "Sales work"}
    section = wins_section(wins, start=today - timedelta(days=400), end=today, side_labels=labels)
    text = " ".join(
        [
            *section.lines,
            *(f"{i.text} {' '.join(i.details)}" for g in section.groups for i in g.items),
        ]
    ).lower()
    assert "(both roles)" in text
    found = [w for w in TWO_TEAM_WORDS if w in text]
    assert not found, found


def test_a_refusal_in_single_team_mode_names_the_team_not_sales(
    single_team: None, workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("viewer").post(
        reverse("feedback:insight_create"), {"title": "Asked for SSO", "topic": "product_gap"}
    )
    assert response.status_code == 403
    text = _visible_text(response.content.decode())
    assert "the owner and the team (champions and members)" in text
    assert "sales" not in text.replace("sales work", "")


def test_a_refusal_with_two_teams_names_the_team_that_may(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("member_marketing").post(
        reverse("feedback:insight_create"), {"title": "Asked for SSO", "topic": "product_gap"}
    )
    assert response.status_code == 403
    assert "the owner and sales (champion and members)" in _visible_text(response.content.decode())
