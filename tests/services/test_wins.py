"""Finding wins in a warehouse: the moment, the lookback, missing tables, win-back lists."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import ibis

from coparent.models.winback_list import freeze
from coparent.services.winback import LIST_DIR
from coparent.services.wins import wins_detect, wins_facts
from coparent.settings import load_settings
from coparent.wins import AppData, GoalTarget
from coparent.workspace import Workspace
from tests.metrics._tables import arrow


def _con() -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.create_table(
        "people",
        arrow(
            "people",
            [
                {"person_id": "P1", "name": "Lee Park", "team": "marketing", "active": True},
                {"person_id": "P2", "name": "Dana Reyes", "team": "sales", "active": True},
            ],
        ),
    )
    con.create_table(
        "campaigns",
        arrow(
            "campaigns",
            [
                {
                    "campaign_id": "C1",
                    "name": "Webinar",
                    "channel": "webinar",
                    "started_on": date(2026, 1, 1),
                    "owner_id": "P1",
                }
            ],
        ),
    )
    con.create_table(
        "leads",
        arrow(
            "leads",
            [
                {
                    "lead_id": "L1",
                    "campaign_id": "C1",
                    "owner_id": "P2",
                    "mql_at": datetime(2026, 7, 1, 9),
                    "first_contacted_at": datetime(2026, 7, 1, 9, 10),
                    "accepted_at": datetime(2026, 7, 2),
                    "opportunity_id": "O1",
                }
            ],
        ),
    )
    con.create_table(
        "opportunities",
        arrow(
            "opportunities",
            [
                {
                    "opportunity_id": "O1",
                    "lead_id": "L1",
                    "owner_id": "P2",
                    "status": "won",
                    "created_at": datetime(2026, 7, 2),
                    "closed_at": datetime(2026, 8, 14, 15),
                    "amount": 48000.0,
                },
                {
                    "opportunity_id": "O0",
                    "owner_id": "P2",
                    "status": "won",
                    "created_at": datetime(2025, 1, 2),
                    "closed_at": datetime(2025, 2, 1),
                    "amount": 10.0,
                },
            ],
        ),
    )
    return con


def test_facts_are_read_at_the_end_of_the_datas_last_day_with_the_lookback_before_it() -> None:
    # the last fact is O1's close on 14 Aug 2026: read up to 15 Aug 00:00; the 180 days up to
    # and including 14 Aug start on 16 Feb, and deals are fetched from that quarter's start
    rows = wins_facts(_con(), settings=load_settings())
    assert rows.until == datetime(2026, 8, 15)
    assert rows.since == date(2026, 2, 16)
    assert rows.deals_from == datetime(2026, 1, 1)
    assert [r["opportunity_id"] for r in rows.won_deals] == ["O1"]
    assert {r["week"] for r in rows.weeks} == {date(2026, 6, 29)}
    assert [r["lead_ids"] for r in rows.fast_contacts] == [["L1"]]
    assert rows.notes == ()


def test_a_goal_period_pulls_the_deals_from_its_start() -> None:
    goal = GoalTarget("2026", date(2026, 1, 1), date(2027, 1, 1), 100000.0)
    old = GoalTarget("2024", date(2024, 1, 1), date(2025, 1, 1), 100000.0)  # over: not needed
    rows = wins_facts(_con(), settings=load_settings(), app=AppData(goals=(goal, old)))
    assert rows.deals_from == datetime(2026, 1, 1)
    year = GoalTarget("FY", date(2025, 7, 1), date(2026, 7, 1), 1.0)
    rows = wins_facts(_con(), settings=load_settings(), app=AppData(goals=(year,)))
    assert rows.deals_from == datetime(2025, 7, 1)


def test_the_joint_deal_and_the_fast_contact_become_wins_of_both_teams() -> None:
    wins, _ = wins_detect(_con(), settings=load_settings())
    by_kind = {w.kind: w for w in wins}
    assert by_kind["deal_won"].teams == ("marketing", "sales")
    assert [c.name for c in by_kind["deal_won"].credited] == ["Dana Reyes", "Lee Park"]
    assert by_kind["fast_contact"].credited[0].person_id == "P2"


def test_an_empty_warehouse_finds_nothing_and_says_what_to_import() -> None:
    rows = wins_facts(ibis.duckdb.connect(), settings=load_settings(), as_of=date(2026, 9, 30))
    assert rows.won_deals == ()
    assert any("opportunities" in n for n in rows.notes)
    assert any("leads" in n for n in rows.notes)


def test_a_win_back_list_in_the_workspace_is_read_and_its_first_reactivation_found(
    tmp_path: Path,
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    ranked = [
        {
            "rank": i + 1,
            "account_id": f"A{i}",
            "account_name": f"Account {i}",
            "value_at_stake": 10.0,
            "p_alive": 0.1,
            "owner_id": "P2",
            "owner_name": "Dana Reyes",
            "reason": "quiet",
        }
        for i in range(3)
    ]
    doc = freeze(
        ranked,
        list_id="wb-2026-08-01-1",
        as_of="2026-08-01",
        method="rfm",
        horizon_days=365.0,
        seed=1,
        holdout_share=0.0,
        created_at=datetime(2026, 8, 1),
    )
    (ws.path / LIST_DIR).mkdir()
    (ws.path / LIST_DIR / "wb-2026-08-01-1.json").write_text(json.dumps(doc))
    con = _con()
    con.create_table(
        "orders",
        arrow(
            "orders",
            [
                {
                    "order_id": "X1",
                    "account_id": "A1",
                    "ordered_at": datetime(2026, 8, 5),
                    "amount": 9.0,
                }
            ],
        ),
    )
    wins, rows = wins_detect(con, settings=load_settings(), workspace=ws)
    assert [w.list_id for w in rows.winback_lists] == ["wb-2026-08-01-1"]
    (win,) = [w for w in wins if w.kind == "winback_reactivation"]
    assert win.evidence == ("wb-2026-08-01-1", "A1")
    assert win.date == date(2026, 8, 5)
