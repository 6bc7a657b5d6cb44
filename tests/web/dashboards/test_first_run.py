"""The owner's guided first run on the scorecard: import first, then champions, goal, people."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from coparent.app.goals.models import Goal

pytestmark = pytest.mark.django_db


def _card(client: Client) -> str | None:
    html = unescape(client.get("/").content.decode())
    found = re.search(r'<section class="card" id="first-run">(.*?)</section>', html, re.S)
    return found.group(1) if found else None


def _open_steps(card: str) -> list[str]:
    return re.findall(r'<li data-step="(\w+)" class="">', card)


def test_an_empty_warehouse_tells_the_owner_to_import_first(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    card = _card(login("owner"))
    assert card is not None
    assert "Start here" in card
    assert _open_steps(card) == ["import", "goal"]  # the people fixture has champions and people
    assert 'href="/data/"' in card


def test_after_the_import_the_next_step_is_the_shared_goal_then_nothing(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    card = _card(client)
    assert card is not None
    assert "Next steps" in card
    assert _open_steps(card) == ["goal"]
    assert "Set the shared goal for 2026-Q3" in card
    assert 'href="/setup/#goals"' in card
    Goal.objects.create(period="2026-Q3", won_revenue=1_000_000)
    assert _card(client) is None


def test_without_champions_that_is_a_step_too(
    workspace: Path, login: Callable[[str], Client], people: dict[str, object]
) -> None:
    from coparent.app.teams.models import Membership

    Membership.objects.filter(role="champion").update(role="member")
    card = _card(login("owner"))
    assert card is not None
    assert _open_steps(card) == ["champions", "goal"]


@pytest.mark.parametrize("role", ["champion_sales", "member_marketing", "viewer"])
def test_only_the_owner_sees_it(
    empty_workspace: Path, login: Callable[[str], Client], role: str
) -> None:
    assert _card(login(role)) is None
