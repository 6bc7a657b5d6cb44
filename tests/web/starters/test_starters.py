"""Starter projects: the win-back list is worked (holdout untouched) and measured; the offer lab."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
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
    assert "Freeze a new list" in html
    response = client.post(reverse("starters:winback_create"), FREEZE, follow=True)
    text = unescape(response.content.decode())
    assert "Froze wb-2026-09-30-1" in text
    assert "held out: do not contact" in text


FREEZE = {"top": "40", "holdout": "10", "max_p_alive": "50"}


def test_with_a_list_a_champion_freezes_another_and_the_first_stays_readable(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("champion_sales")
    html = client.get(reverse("starters:home")).content.decode()
    assert 'action="/starters/winback/"' in html  # the form is there while a list exists
    response = client.post(reverse("starters:winback_create"), FREEZE, follow=True)
    text = unescape(response.content.decode())
    assert "Froze wb-2026-09-30-2" in text
    assert f'<option value="{WINBACK_LIST}"' in text  # the first list is still offered
    first = client.get(reverse("starters:home"), {"list": WINBACK_LIST}).content.decode()
    assert "Havenbridge Logistics AB" in unescape(first)
    assert len(_members(writable_workspace)) > 0


def test_a_viewer_sees_no_freeze_form(workspace: Path, login: Callable[[str], Client]) -> None:
    html = login("viewer").get(reverse("starters:home")).content.decode()
    assert 'action="/starters/winback/"' not in html


def test_a_freeze_with_an_impossible_threshold_is_refused_in_words(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("champion_sales")
    response = client.post(
        reverse("starters:winback_create"), {**FREEZE, "max_p_alive": "0"}, follow=True
    )
    text = unescape(response.content.decode())
    assert "Lapsing: P(alive) at most (%):" in text
    assert "Froze" not in text


def test_only_people_who_may_call_are_offered_and_messages_name_them(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    member = next(m for m in _members(workspace) if m["group"] == "contacted")
    client = login("champion_sales")
    html = client.get(reverse("starters:home")).content.decode()
    options = html[html.index(f'id="wb-{member["account_id"]}"') :]
    options = options[: options.index("</select>")]
    assert f'value="{people["member_sales"].pk}"' in options
    assert f'value="{people["viewer"].pk}"' not in options
    assert f'value="{people["member_marketing"].pk}"' not in options
    url = reverse("starters:assign", args=[WINBACK_LIST, member["account_id"]])
    refused = unescape(
        client.post(url, {"assignee": people["viewer"].pk}, follow=True).content.decode()
    )
    assert "cannot mark calls contacted" in refused
    assert not WinbackAssignment.objects.filter(assignee=people["viewer"]).exists()
    done = unescape(
        client.post(url, {"assignee": people["member_sales"].pk}, follow=True).content.decode()
    )
    assert f"{member['account_name']} assigned to Member Sales." in done
    assert f"{member['account_id']} assigned" not in done
    marked = login("member_sales").post(
        reverse("starters:contacted", args=[WINBACK_LIST, member["account_id"]]), follow=True
    )
    assert f"{member['account_name']} marked as contacted." in unescape(marked.content.decode())


def test_the_offer_lab_plans_a_test_and_works_out_the_economics(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    plan = {
        "plan-baseline": "10",
        "plan-mde": "2",
        "plan-power": "80",
        "plan-alpha": "5",
        "plan-variants": "2",
    }
    html = unescape(client.get(reverse("starters:home"), plan).content.decode())
    assert "3,841 subjects per variant" in html  # Fleiss 2003; statsmodels gives the same
    assert "7,682 in all" in html
    economics = {"econ-price": "100", "econ-discount": "20", "econ-margin": "60", "econ-lift": "60"}
    html = unescape(client.get(reverse("starters:home"), economics).content.decode())
    assert "conversion lift needed to break even" in html
    assert "50%" in html  # 0.2 / (0.6 - 0.2)
    bad = unescape(
        client.get(reverse("starters:home"), {**economics, "econ-discount": "70"}).content.decode()
    )
    assert "none pays for it" in bad


def test_the_offer_lab_says_the_sample_ratio_is_fine_on_the_demo(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = unescape(login("viewer").get(reverse("starters:home")).content.decode())
    assert "Sample ratio check: the split is as planned" in html
    assert "watch below 0.01, alarm below 0.001" in html


def test_without_orders_or_experiments_the_page_says_what_to_import(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("starters:home")).content.decode()
    assert "orders" in html
    assert "experiments" in html


def test_an_empty_ranking_says_why_on_the_page_with_the_lowest_p_alive(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    import pyarrow as pa

    from coparent import warehouse
    from tests.services.test_winback import _simulated_buyers

    ws = Workspace(writable_workspace)
    con = ws.connect(ws.settings())
    rows = _simulated_buyers()
    warehouse.write_table(
        con,
        "orders",
        pa.table(
            {
                "order_id": [f"o{i}" for i in range(len(rows))],
                "account_id": [r[0] for r in rows],
                "ordered_at": pa.array(
                    [datetime.combine(r[1], datetime.min.time()) for r in rows],
                    pa.timestamp("us"),
                ),
                "amount": [r[2] for r in rows],
            }
        ),
    )
    con.disconnect()
    client = login("champion_sales")
    html = unescape(client.get(reverse("starters:home"), {"max_p_alive": "1"}).content.decode())
    assert "Nobody to win back as of" in html
    assert "the lowest P(alive) is" in html
    assert "above the threshold of 1%" in html
    assert "raise the threshold below to" in html
    assert 'name="max_p_alive"' in html  # the field to rank again
    assert "0 accounts look lapsing" not in html
