"""The Wins page, the refresh button, the balance panel and the API, as people see them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coparent.app.wins.models import Win
from coparent.app.wins.services import wins_store
from coparent.wins import Credit
from coparent.wins import Win as FoundWin
from coparent.wins.model import Side

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _store(n_sales: int, n_marketing: int, *, day: date | None = None) -> None:
    day = day or timezone.now().date() - timedelta(days=1)

    def one(i: int, side: Side) -> FoundWin:
        return FoundWin(
            kind="fast_contact" if side == "sales" else "marketing_sla_streak",
            key=f"{side}:{i}",
            date=day,
            story=f"{side} win {i}",
            teams=(side,),
            credited=(Credit(f"{side.title()} Person", side),),
        )

    wins_store(
        wins=[one(i, "sales") for i in range(n_sales)]
        + [one(i, "marketing") for i in range(n_marketing)]
    )


@pytest.fixture
def imported(workspace: Path) -> Path:
    """The demo workspace as an import leaves it: the post-import hooks have run."""
    from coparent.app.common.hooks import post_import_run

    assert all(r.ok for r in post_import_run()), "the hooks should run on the demo"
    return workspace


def test_the_wins_page_shows_the_demos_wins_with_both_teams_credited(
    imported: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("wins:home")).content.decode()
    text = _text(html)
    assert "Won: $" in text
    assert 'class="status marketing"' in html
    assert 'class="status sales"' in html
    assert "Look for wins now" not in text  # a viewer does not refresh
    assert "found in the data" in text
    sales_only = _text(
        login("viewer").get(reverse("wins:home"), {"team": "sales"}).content.decode()
    )
    assert "SLA streak" in sales_only or "fast contact" in sales_only


def test_the_scorecard_shows_the_latest_wins(
    imported: Path, login: Callable[[str], Client]
) -> None:
    html = login("member_sales").get(reverse("dashboards:scorecard")).content.decode()
    section = html[html.index('id="latest-wins"') :]
    assert 'class="win"' in section


def test_pages_do_not_look_for_wins_the_hooks_do(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    """Before the hooks run, the pages show no wins (they read, never compute)."""
    text = _text(login("viewer").get(reverse("wins:home")).content.decode())
    assert "Won: $" not in text
    assert not Win.objects.exists()


def test_owner_and_champions_refresh_the_engine(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("champion_marketing")
    response = client.post(reverse("wins:refresh"), follow=True)
    assert "Wins refreshed:" in response.content.decode()
    assert Win.objects.exists()


def test_the_balance_panel_warns_when_one_team_gets_more_than_its_share(
    login: Callable[[str], Client],
) -> None:
    _store(14, 6)  # 70% to Sales
    text = _text(login("owner").get(reverse("wins:balance")).content.decode())
    assert "out of balance" in text
    assert "Sales received 70% of the recognition in the last 8 weeks" in text
    assert "Look for what Marketing did well" in text


def test_the_balance_panel_is_calm_at_exactly_the_share(login: Callable[[str], Client]) -> None:
    _store(13, 7)  # exactly 65%
    text = _text(login("champion_sales").get(reverse("wins:balance")).content.decode())
    assert "in balance" in text
    assert "out of balance" not in text
    assert "65%" in text


def test_members_and_viewers_do_not_see_the_balance_panel(
    login: Callable[[str], Client],
) -> None:
    assert login("member_sales").get(reverse("wins:balance")).status_code == 403
    assert login("viewer").get(reverse("wins:balance")).status_code == 403
    nav = login("member_sales").get(reverse("wins:home")).content.decode()
    assert reverse("wins:balance") not in nav


def test_single_team_balance_speaks_of_the_two_roles_work(
    single_team: None, login: Callable[[str], Client]
) -> None:
    _store(3, 3)
    text = _text(login("owner").get(reverse("wins:balance")).content.decode())
    assert "Balance of the two roles' work" in text
    assert "Marketing work" in text
    assert "Sales work" in text


def test_the_api_lists_wins_and_the_balance_for_owner_and_champions(
    login: Callable[[str], Client],
) -> None:
    _store(2, 1)
    client = login("member_marketing")
    wins = client.get("/api/wins", {"team": "marketing"}).json()
    assert [w["teams"] for w in wins] == [["marketing"]]
    assert wins[0]["credited"] == [{"name": "Marketing Person", "team": "marketing"}]
    assert client.get("/api/wins/balance").status_code == 403
    balance = login("owner").get("/api/wins/balance").json()
    assert balance["window"]["sales"]["recognition"] == 2
