"""``GET /api/rows/{metric}``: the rows behind a number, paginated, with the total count."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coparent.services.scorecard import scorecard_report
from coparent.workspace import Workspace


@pytest.fixture(scope="module")
def report(demo_workspace: Path) -> dict[str, Any]:
    ws = Workspace(demo_workspace)
    with ws.open(ws.settings(), write=False) as con:
        return dict(scorecard_report(con, period="2026-Q3", settings=ws.settings()))


def test_the_rows_total_is_the_scorecards_number(
    workspace: Path, login: Callable[[str], Client], report: dict[str, Any]
) -> None:
    client = login("viewer")
    won = client.get("/api/rows/win_rate", {"period": "2026-Q3"}).json()
    closed = client.get("/api/rows/win_rate", {"period": "2026-Q3", "part": "denominator"}).json()
    assert won["total"] == report["won"]
    assert closed["total"] == report["closed"]
    assert won["amount"] == pytest.approx(report["revenue"])
    assert won["entity"] == "deals"
    assert won["leads"] == []
    assert len(won["deals"]) == min(50, report["won"])
    assert won["other_part"] == "denominator"
    accepted = client.get("/api/rows/acceptance_rate", {"period": "2026-Q3"}).json()
    assert accepted["total"] == report["sla"]["marketing"]["accepted"]
    assert accepted["deals"] == []
    assert accepted["leads"][0]["account_name"]


def test_pages_walk_every_row_once(workspace: Path, login: Callable[[str], Client]) -> None:
    client = login("owner")
    query = {"period": "2026-Q3", "part": "denominator", "sort": "amount", "limit": 40}
    first = client.get("/api/rows/win_rate", query).json()
    ids: list[str] = []
    for offset in range(0, first["total"], 40):
        page = client.get("/api/rows/win_rate", {**query, "offset": offset}).json()
        ids += [d["opportunity_id"] for d in page["deals"]]
    assert len(ids) == len(set(ids)) == first["total"]


def test_bad_queries_answer_in_the_error_shape(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    for url, query, code in (
        ("/api/rows/goal_progress", {}, "web.bad_parameter"),
        ("/api/rows/won_deals", {"part": "denominator"}, "web.bad_parameter"),
        ("/api/rows/won_deals", {"sort": "secret"}, "web.bad_parameter"),
        ("/api/rows/won_deals", {"limit": 0}, "api.invalid"),
        ("/api/rows/won_deals", {"period": "1990-Q1"}, "period.out_of_range"),
    ):
        body = client.get(url, query).json()
        assert body["ok"] is False, (url, query)
        assert body["code"] == code, (url, query, body)


def test_no_data_is_409_not_an_empty_list(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("owner").get("/api/rows/win_rate")
    assert response.status_code == 409
    assert response.json()["code"] == "data.missing"
