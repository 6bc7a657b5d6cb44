"""Starter projects: the win-back list is worked (holdout untouched) and measured; the offer lab."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.access import Actor
from coparent.services.winback import winback_list_load
from coparent.workspace import Workspace
from tests.web.conftest import WINBACK_LIST


def _members(path: Path) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = winback_list_load(Workspace(path), WINBACK_LIST)["members"]
    return members


def _actor(user: Any) -> Actor:
    return Actor(user=user, role=user.membership.role, team=user.membership.team)


def test_the_page_shows_the_list_its_holdout_its_outcome_and_the_offer_verdict(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(login("viewer").get(reverse("starters:home")).content.decode())
    assert "held out: do not contact" in html
    assert "Havenbridge Logistics AB" in html  # the top of the demo's lapsed cohort
    assert "contacted accounts reactivated" in html
    assert "offer-2026-q3" in html
    assert "first_month_free" in html
    assert ">ship<" in html


def test_assigning_and_marking_contacted_shows_on_the_page(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    account = next(m["account_id"] for m in _members(workspace) if m["group"] == "contacted")
    client = login("champion_sales")
    client.post(
        reverse("starters:assign", args=[WINBACK_LIST, account]),
        {"assignee": people["member_sales"].pk},
    )
    login("member_sales").post(reverse("starters:contacted", args=[WINBACK_LIST, account]))
    row = WinbackAssignment.objects.get(list_id=WINBACK_LIST, account_id=account)
    assert row.assignee == people["member_sales"]
    assert row.contacted_by == people["member_sales"]
    html = login("viewer").get(reverse("starters:home")).content.decode()
    assert "by Member Sales" in html


def test_without_a_list_the_page_previews_the_ranking_and_a_champion_freezes_one(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    shutil.rmtree(writable_workspace / "winback")
    client = login("champion_marketing")
    html = client.get(reverse("starters:home")).content.decode()
    assert "accounts look lapsing" in html
    assert "Freeze the top 100" in html
    response = client.post(reverse("starters:winback_create"), follow=True)
    text = unescape(response.content.decode())
    assert "Froze wb-2026-09-30-1" in text
    assert "held out: do not contact" in text


def test_without_orders_or_experiments_the_page_says_what_to_import(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("starters:home")).content.decode()
    assert "orders" in html
    assert "experiments" in html
