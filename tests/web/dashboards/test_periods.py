"""Periods are checked on the pages: one the data do not reach is a message, never zeros or a 500.

The small demo company's data run from 2024-10-01 to 2026-09-30.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse


def _page(client: Client, name: str, **query: str) -> tuple[int, str]:
    response = client.get(reverse(name), query)
    return response.status_code, unescape(response.content.decode())


def _options(html: str) -> list[str]:
    select = html[html.index('<select name="period">') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]+)"', select)


@pytest.mark.parametrize("name", ["dashboards:scorecard", "dashboards:diagnosis"])
def test_a_period_after_the_data_is_a_message_under_the_pickers_not_zeros(
    workspace: Path, login: Callable[[str], Client], name: str
) -> None:
    status, html = _page(login("viewer"), name, period="2030-Q1")
    assert status == 200
    assert "2030-Q1 starts after the data end (2026-09-30)." in html
    assert "pick a quarter from 2024-Q4 to 2026-Q3" in html
    assert "within normal variation" not in html
    assert 'id="shared-goal"' not in html
    assert _options(html)  # the pickers stay, to choose a period with data


def test_the_first_year_and_the_calendar_edges_are_messages_too(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    status, html = _page(client, "dashboards:scorecard", period="0001-Q1")
    assert status == 200
    assert "0001-Q1 ends before the data start (2024-10-01)." in html
    status, html = _page(client, "dashboards:diagnosis", period="0000-Q1")
    assert status == 422  # not even a period of the calendar: the error page, not a 500
    assert "0000-Q1 is outside the calendar" in html


def test_a_baseline_before_the_data_is_named_on_the_diagnosis_page(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    status, html = _page(client, "dashboards:diagnosis", period="2024-Q4")
    assert status == 200
    assert "The baseline 2024-Q3 (the period before 2024-Q4) ends before the data start" in html
    assert "pick 2025-Q1 or later" in html
    _, html = _page(client, "dashboards:diagnosis", period="2025-Q2", against="last-year")
    assert "The baseline 2024-Q2 (a year before 2025-Q2)" in html


def test_the_funnel_and_product_pages_check_the_period_as_well(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    status, html = _page(client, "dashboards:funnel", period="2027-01")
    assert status == 200
    assert "2027-01 starts after the data end (2026-09-30)." in html
    response = client.get(reverse("dashboards:product", args=["insight-cloud"]), {"period": "2023"})
    assert response.status_code == 200
    assert "2023 ends before the data start (2024-10-01)." in unescape(response.content.decode())


def test_a_period_the_data_end_inside_says_its_figures_are_to_date(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    _, html = _page(client, "dashboards:scorecard", period="2026")
    assert "2026 is not over: its figures are to date, as of 2026-09-30" in html
    _, html = _page(client, "dashboards:diagnosis", period="2026")
    assert "2026 is not over: its figures are to date, as of 2026-09-30" in html


def test_the_pickers_offer_only_periods_with_data(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    for name in ("dashboards:scorecard", "dashboards:diagnosis", "dashboards:funnel"):
        _, html = _page(login("viewer"), name)
        options = _options(html)
        assert options[0] == "2026-Q3"
        assert "2024-Q4" in options
        assert "2024-Q3" not in options  # the data start on 2024-10-01
        assert {"2026", "2025", "2026-09", "2025-10"} <= set(options)
        assert all(not o.startswith("2024-0") for o in options)
