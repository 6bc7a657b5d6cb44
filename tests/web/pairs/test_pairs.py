"""The /pairs/ page: everyone sees the round and their own group; owner and champions start one."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from coparent.app.pairs.models import PairRound
from coparent.app.teams.models import Membership


def _html(client: Client, url: str = "") -> str:
    return unescape(client.get(url or reverse("pairs:home")).content.decode())


def test_before_any_round_viewers_are_told_who_starts_one(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = _html(login("viewer"))
    assert "No pairing round yet" in html
    assert "Start the first round" not in html
    assert "Start the first round" in _html(login("champion_marketing"))


def test_a_champion_starts_a_round_and_a_linked_member_sees_their_group_marked(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    response = login("champion_sales").post(reverse("pairs:start"))
    assert response.status_code == 302
    round_ = PairRound.objects.get()
    mine = next(p for p in round_.pairs.all() if any(m["person_id"] == "P008" for m in p.members))
    Membership.objects.filter(user=people["member_sales"]).update(person_id="P008")
    html = _html(login("member_sales"))
    assert "<h2>Round 1" in html
    assert "Your group this round" in html
    assert html.count("your group</span>") == 1
    for member in mine.members:
        assert member["name"] in html
    assert mine.agenda[0] in html
    assert "Start round 2" not in html  # members do not start rounds
    assert "not linked to a person" in _html(login("viewer"))


def test_older_rounds_stay_readable_and_an_unknown_round_is_404(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    client.post(reverse("pairs:start"))
    client.post(reverse("pairs:start"))
    html = _html(client)
    assert "<h2>Round 2" in html
    assert "Start round 3" in html
    assert "<h2>Round 1 <span" in _html(client, reverse("pairs:home") + "?round=1")
    assert client.get(reverse("pairs:home") + "?round=9").status_code == 404
