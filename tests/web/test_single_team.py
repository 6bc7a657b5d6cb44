"""Single-team mode: one team holds both roles, so no page speaks of a hand-off between teams."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

HANDOFF_WORDS = (
    "hand-off",
    "handoff",
    "hand off",
    "waiting for sales",
    "waiting for marketing",
    "sales' answer",
    "marketing's answer",
    "the other team",
    "from the other team",
)
PAGES = (
    "dashboards:scorecard",
    "dashboards:diagnosis",
    "dashboards:funnel",
    "dashboards:products",
    "feedback:home",
    "wins:home",
    "starters:home",
    "imports:data",
    "setup:home",
)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html).lower()


@pytest.mark.parametrize("name", PAGES)
def test_single_team_pages_have_no_hand_off_language(
    name: str, single_team: None, workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("owner").get(reverse(name))
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    found = [w for w in HANDOFF_WORDS if w in text]
    assert not found, f"{name} says {found} in single-team mode"


def test_two_team_mode_does_speak_of_waiting_for_the_other_team(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    text = _visible_text(login("owner").get(reverse("feedback:home")).content.decode())
    assert "waiting for marketing" in text
    assert "waiting for sales" in text


def test_single_team_scorecard_shows_the_balance_of_the_two_roles(
    single_team: None, workspace: Path, login: Callable[[str], Client]
) -> None:
    text = _visible_text(login("owner").get(reverse("dashboards:scorecard")).content.decode())
    assert "balance of the two roles' work" in text
    assert "marketing work" in text
    assert "sales work" in text


def test_single_team_members_act_for_both_roles(
    single_team: None, people: dict[str, Any], workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("member_marketing")
    response = client.post(
        reverse("feedback:insight_create"), {"title": "Asked for SSO", "topic": "product_gap"}
    )
    assert response.status_code == 302
