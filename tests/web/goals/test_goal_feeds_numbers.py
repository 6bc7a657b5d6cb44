"""The owner's decisions feed the numbers: goal and SLA terms become Settings overrides."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from coparent.metrics.display import money


def test_the_owner_sets_a_goal_and_the_scorecard_shows_it_with_its_chart(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    response = client.post(
        reverse("setup:goal"),
        {
            "period": "2026-q3",
            "won_revenue": "1200000",
            "marketing_metric": "mqls",
            "marketing_target": "700",
            "sales_metric": "win_rate",
            "sales_target": "30",
        },
    )
    assert response.status_code == 302
    html = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    assert f"of <strong>{money(1_200_000)}</strong>" in html
    assert 'id="goal-chart"' in html
    assert "Marketing's part of the goal" in html
    assert "of 700" in html
    assert "of 30%" in html


def test_a_quarter_goal_applies_in_proportion_to_one_of_its_months(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    client.post(reverse("setup:goal"), {"period": "2026-Q3", "won_revenue": "900000"})
    html = client.get(reverse("dashboards:scorecard"), {"period": "2026-08"}).content.decode()
    assert f"of <strong>{money(300_000)}</strong>" in html
    assert "From the 2026-Q3 goal" in html


def test_sla_terms_change_the_sales_sla_on_the_scorecard(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    before = client.get(reverse("dashboards:scorecard")).content.decode()
    assert "Contacted within 24 hours" in before
    client.post(
        reverse("setup:sla"),
        {"mql_commitment_per_month": "150", "first_contact_hours": "4", "answer_within_days": "3"},
    )
    after = client.get(reverse("dashboards:scorecard")).content.decode()
    assert "Contacted within 4 hours" in after
    assert "of 450 committed" in after  # 150 a month over a quarter


def test_the_diagnosis_against_the_goal_uses_the_owners_goal(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    client.post(reverse("setup:goal"), {"period": "2026-Q3", "won_revenue": "1000000"})
    html = client.get(reverse("dashboards:diagnosis"), {"against": "goal"}).content.decode()
    assert "What it would take to reach the goal" in html


def test_a_bad_period_in_the_goal_form_is_refused_with_the_accepted_forms(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    client = login("owner")
    response = client.post(
        reverse("setup:goal"), {"period": "next quarter", "won_revenue": "10"}, follow=True
    )
    assert "not a period" in response.content.decode()


def test_the_scorecard_and_diagnosis_pages_say_where_the_goal_came_from(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    client.post(reverse("setup:goal"), {"period": "2026-Q3", "won_revenue": "1000000"})
    html = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    assert "Goal from the app's Setup." in html
    html = unescape(
        client.get(reverse("dashboards:diagnosis"), {"against": "goal"}).content.decode()
    )
    assert f"Goal: {money(1_000_000)} won revenue for 2026-Q3" in html
    assert "goal from the app's Setup." in html


def test_a_goal_from_the_settings_file_shows_on_the_scorecard_and_the_app_goal_replaces_it(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    with (writable_workspace / "settings.toml").open("a", encoding="utf-8") as f:
        f.write("\ngoal_won_revenue = 800000\n")
    client = login("owner")
    html = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    assert f"of <strong>{money(800_000)}</strong>" in html
    assert "Goal from goal_won_revenue in the workspace's settings.toml." in html
    client.post(reverse("setup:goal"), {"period": "2026-Q3", "won_revenue": "1200000"})
    html = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    assert f"of <strong>{money(1_200_000)}</strong>" in html
    assert "Goal from the app's Setup." in html


def test_coparent_serve_setting_wins_over_the_apps_goal_on_the_pages(
    workspace: Path, login: Callable[[str], Client], settings: Any
) -> None:
    settings.COPARENT_SETTING_OVERRIDES = {"goal_won_revenue": "900000"}
    client = login("owner")
    client.post(reverse("setup:goal"), {"period": "2026-Q3", "won_revenue": "1200000"})
    html = unescape(client.get(reverse("dashboards:scorecard")).content.decode())
    assert f"of <strong>{money(900_000)}</strong>" in html
    assert "Goal from --setting goal_won_revenue." in html
    body = client.get("/api/scorecard").json()
    assert (body["goal"]["target"], body["goal"]["source"]) == (900_000, "setting")
