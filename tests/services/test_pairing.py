"""The pairing use case on small DuckDB warehouses: people, modes, agendas, what is missing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import pytest
from ibis.backends import BaseBackend

from coparent.errors import MissingDataError
from coparent.services.pairing import pairing_people, pairing_round
from tests.metrics._tables import arrow


def _warehouse(**tables: list[dict[str, Any]]) -> BaseBackend:
    con = ibis.duckdb.connect()
    for name, data in tables.items():
        con.create_table(name, arrow(name, data))
    return con


def _person(pid: str, name: str, team: str, active: bool = True) -> dict[str, Any]:
    return {"person_id": pid, "name": name, "team": team, "active": active}


TWO_TEAMS = [
    _person("M1", "Mia Lund", "marketing"),
    _person("M2", "Max Roth", "marketing"),
    _person("S1", "Sam Okoye", "sales"),
    _person("S2", "Sue Park", "sales"),
    _person("S3", "Sid Varga", "sales"),
    _person("S4", "Old Timer", "sales", active=False),
]


def test_a_round_has_every_active_person_once_with_name_team_and_side() -> None:
    plan = pairing_round(_warehouse(people=TWO_TEAMS), number=1)
    assert plan["round"] == 1
    assert plan["single_team"] is False
    members = [m for p in plan["pairs"] for m in p["members"]]
    assert sorted(m["person_id"] for m in members) == ["M1", "M2", "S1", "S2", "S3"]
    assert {"person_id": "M1", "name": "Mia Lund", "team": "marketing", "side": "marketing"} in (
        members
    )
    assert all(p["members"][0]["side"] == "marketing" for p in plan["pairs"])
    assert "no agenda: import leads and campaigns" in plan["notes"][-1]
    assert all(p["agenda"] == [] for p in plan["pairs"])


def test_with_history_the_next_round_avoids_the_pairs_already_met() -> None:
    con = _warehouse(people=TWO_TEAMS)
    first = pairing_round(con, number=1)
    history = [[[m["person_id"] for m in p["members"]] for p in first["pairs"]]]
    second = pairing_round(con, number=2, history=history)
    met = {(g[0], s) for g in history[0] for s in g[1:]}
    now = {(p["members"][0]["person_id"], m["person_id"]) for p in second["pairs"]
           for m in p["members"][1:]}  # fmt: skip
    assert not met & now


def test_a_team_of_both_people_is_paired_by_the_work_they_do() -> None:
    people = [_person("G", "Grace Holm", "both"), _person("C", "Carlos Mendes", "both")]
    con = _warehouse(
        people=people,
        campaigns=[{"campaign_id": "K1", "name": "Webinar", "channel": "webinar",
                    "owner_id": "G", "started_on": date(2026, 9, 1)}],
        leads=[{"lead_id": "L1", "campaign_id": "K1", "owner_id": "C",
                "created_at": datetime(2026, 9, 2), "mql_at": datetime(2026, 9, 2),
                "rejected_at": datetime(2026, 9, 3), "rejection_reason": "No budget"}],
    )  # fmt: skip
    assert pairing_people(con).sides.single_team  # nobody in either team: auto
    plan = pairing_round(con, number=1)
    assert plan["single_team"] is True
    assert plan["as_of"] == "2026-09-03"  # the day of the latest lead event
    (pair,) = plan["pairs"]
    assert [(m["name"], m["side"]) for m in pair["members"]] == [
        ("Grace Holm", "marketing"),
        ("Carlos Mendes", "sales"),
    ]
    assert pair["agenda"] == [
        "1 webinar MQL from Grace's campaigns that Carlos worked was rejected for "
        "'No budget' in the last 30 days: what does it tell you?"
    ]
    assert "mostly do marketing work" in plan["notes"][0]


def test_an_empty_side_says_so_and_a_missing_people_table_says_what_to_import() -> None:
    plan = pairing_round(_warehouse(people=TWO_TEAMS[:2]), number=1)
    assert plan["pairs"] == []
    assert "Sales has nobody" in plan["notes"][0]
    with pytest.raises(MissingDataError, match="people"):
        pairing_round(_warehouse(), number=1)
