"""The Wins page a page at a time, filtered by side, kind and "credits me"; the balance panel
states its window once and uses it once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coparent.app.teams.models import Membership
from coparent.app.wins.selectors import WINS_PER_PAGE
from coparent.app.wins.services import wins_store
from coparent.wins import Credit
from coparent.wins import Win as FoundWin

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def many() -> None:
    """60 wins: 35 fast contacts crediting Sales (5 of them person P7), 25 Marketing streaks."""
    day = timezone.now().date() - timedelta(days=1)

    def one(i: int, side: str) -> FoundWin:
        person = "P7" if side == "sales" and i < 5 else f"{side}-{i}"
        return FoundWin(
            kind="fast_contact" if side == "sales" else "marketing_sla_streak",
            key=f"{side}:{i}",
            date=day - timedelta(days=i),
            story=f"{side} win number {i}.",
            teams=(side,),  # type: ignore[arg-type]
            credited=(Credit(f"{side.title()} Person {i}", side, person),),  # type: ignore[arg-type]
        )

    wins_store(wins=[one(i, "sales") for i in range(35)] + [one(i, "marketing") for i in range(25)])


def _page(client: Client, query: str = "") -> str:
    response = client.get(reverse("wins:home") + query)
    assert response.status_code == 200
    return _text(response.content.decode())


def _stories(text: str) -> list[str]:
    return re.findall(r"(?:sales|marketing) win number \d+\.", text)


def test_the_wins_come_a_page_at_a_time_newest_first(
    many: None, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    first = _page(client)
    assert len(_stories(first)) == WINS_PER_PAGE
    assert f"1\N{EN DASH}{WINS_PER_PAGE} of 60 wins" in first
    assert "page 1 of 3" in first
    assert sorted(_stories(first)[:2]) == ["marketing win number 0.", "sales win number 0."]
    last = _page(client, "?page=3")
    assert len(_stories(last)) == 60 - 2 * WINS_PER_PAGE
    assert set(_stories(first)).isdisjoint(_stories(last))
    assert _page(client, "?page=99") == last  # past the end: the last page
    assert _page(client, "?page=x") == first


def test_filters_by_side_and_kind_keep_their_values_across_pages(
    many: None, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    sales = client.get(reverse("wins:home") + "?team=sales").content.decode()
    text = _text(sales)
    assert "of 35 wins (filtered)" in text
    assert all(s.startswith("sales") for s in _stories(text))
    assert 'href="?team=sales&amp;page=2"' in sales
    streaks = _text(client.get(reverse("wins:home") + "?kind=SLA+streak").content.decode())
    assert "of 25 wins" in streaks
    assert all(s.startswith("marketing") for s in _stories(streaks))
    none = _page(client, "?team=marketing&kind=fast+contact")
    assert "No win matches these filters" in none


def test_only_mine_lists_the_wins_that_credit_the_signed_in_person(
    many: None, people: dict[str, Any], login: Callable[[str], Client]
) -> None:
    Membership.objects.filter(user=people["member_sales"]).update(person_id="P7")
    text = _page(login("member_sales"), "?mine=1")
    assert sorted(_stories(text)) == sorted(f"sales win number {i}." for i in range(5))
    unlinked = _page(login("member_marketing"), "?mine=1")  # no person: the filter is off
    assert "only mine" not in unlinked
    assert "of 60 wins" in unlinked


def test_the_balance_panel_states_its_window_once_and_its_table_has_those_weeks(
    many: None, settings: Any, login: Callable[[str], Client], workspace: Any
) -> None:
    from coparent.app.wins.services import wins_settings

    weeks = wins_settings().wins_balance_weeks
    html = login("owner").get(reverse("wins:balance")).content.decode()
    text = _text(html)
    assert len(re.findall(r"[Ll]ast \d+ weeks", text)) == 1
    assert f"Last {weeks} weeks" in text
    table = html[html.index('id="balance-weeks"') :]
    rows = re.findall(r"<tr><td>", table)
    assert len(rows) == weeks
    first_week = re.search(r"<tr><td>([^<]+)</td>", table)
    assert first_week is not None
    window_from = re.search(rf"Last {weeks} weeks\s*, (\d+ \w+ \d+) to", text)
    assert window_from is not None
    # the table's first week starts the window
    assert first_week.group(1).strip() == window_from.group(1).strip()
