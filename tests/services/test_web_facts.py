"""Fact look-ups for the web pages, on tiny hand-made tables and on the demo company."""

from __future__ import annotations

from datetime import datetime

import ibis

from coparent.services.web_facts import (
    lead_facts,
    lead_queue,
    people_list,
    recent_won_deals,
    table_freshness,
)
from tests.metrics._tables import arrow, demo_con


def _con() -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.create_table(
        "people",
        arrow(
            "people",
            [
                {"person_id": "P1", "name": "Sam Seller", "team": "sales", "active": True},
                {"person_id": "P2", "name": "Mia Marketer", "team": "marketing", "active": True},
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
                    "name": "Spring webinar",
                    "channel": "webinar",
                    "started_on": datetime(2026, 3, 1).date(),
                    "owner_id": "P2",
                },
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
                    "mql_at": datetime(2026, 3, 2),
                    "campaign_id": "C1",
                    "owner_id": "P1",
                },
                {
                    "lead_id": "L2",
                    "mql_at": datetime(2026, 3, 3),
                    "accepted_at": datetime(2026, 3, 4),
                    "opportunity_id": "O1",
                    "campaign_id": "C1",
                },
                {
                    "lead_id": "L3",
                    "mql_at": datetime(2026, 3, 5),
                    "rejected_at": datetime(2026, 3, 6),
                },
                {"lead_id": "L4", "mql_at": None},
                {"lead_id": "L5", "mql_at": datetime(2026, 3, 7)},
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
                    "lead_id": "L2",
                    "owner_id": "P1",
                    "status": "won",
                    "created_at": datetime(2026, 3, 5),
                    "closed_at": datetime(2026, 4, 1),
                    "amount": 900.0,
                },
                {
                    "opportunity_id": "O2",
                    "owner_id": "P1",
                    "status": "lost",
                    "created_at": datetime(2026, 3, 5),
                    "closed_at": datetime(2026, 4, 2),
                    "amount": 5.0,
                },
            ],
        ),
    )
    return con


def test_the_queue_holds_undecided_mqls_newest_first_with_names() -> None:
    rows = lead_queue(_con())
    assert [r["lead_id"] for r in rows] == ["L5", "L1"]
    assert rows[1]["campaign"] == "Spring webinar"
    assert rows[1]["owner"] == "Sam Seller"


def test_lead_facts_include_the_opportunity_and_unknown_leads_are_none() -> None:
    lead = lead_facts(_con(), lead_id="L2")
    assert lead is not None
    assert lead["opportunity"]["status"] == "won"
    assert lead_facts(_con(), lead_id="nope") is None


def test_won_deals_credit_the_seller_and_the_campaigns_marketer() -> None:
    (deal,) = recent_won_deals(_con())
    assert (deal["opportunity_id"], deal["owner"], deal["campaign_owner"]) == (
        "O1",
        "Sam Seller",
        "Mia Marketer",
    )


def test_missing_tables_give_empty_answers() -> None:
    con = ibis.duckdb.connect()
    assert lead_queue(con) == []
    assert recent_won_deals(con) == []
    assert people_list(con) == []
    assert table_freshness(con) == []


def test_freshness_gives_rows_and_the_newest_date_of_each_table() -> None:
    rows = {r["table"]: r for r in table_freshness(_con())}
    assert rows["opportunities"]["rows"] == 2
    assert rows["opportunities"]["latest"] == "2026-04-02T00:00:00"
    assert rows["people"]["latest"] is None


def test_on_the_demo_company_every_queued_lead_is_an_undecided_mql() -> None:
    con = demo_con()
    rows = lead_queue(con, limit=20)
    assert len(rows) == 20
    ids = [r["lead_id"] for r in rows]
    leads = con.table("leads").filter(con.table("leads").lead_id.isin(ids)).to_pyarrow()
    assert all(v is None for v in leads.column("accepted_at").to_pylist())
    assert all(v is None for v in leads.column("rejected_at").to_pylist())
