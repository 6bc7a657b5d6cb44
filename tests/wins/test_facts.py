"""The engine's fact queries on tiny canonical tables (DuckDB); each test states the derivation."""

from __future__ import annotations

from datetime import date, datetime

from coparent.wins import facts
from tests.metrics._tables import rows, table

PEOPLE = table(
    "people",
    [
        {"person_id": "P1", "name": "Lee Park", "team": "marketing", "active": True},
        {"person_id": "P2", "name": "Dana Reyes", "team": "sales", "active": True},
    ],
)
CAMPAIGNS = table(
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
)


def _opp(
    opp: str, status: str, closed: datetime, amount: float | None, **extra: object
) -> dict[str, object]:
    return {
        "opportunity_id": opp,
        "owner_id": "P2",
        "status": status,
        "created_at": datetime(2026, 5, 1),
        "closed_at": closed,
        "amount": amount,
        **extra,
    }


def test_won_deals_in_the_window_carry_the_seller_and_the_campaigns_marketer() -> None:
    # O1 won in the window from C1's lead; O2 lost; O3 won before the window; O4 won, no lead
    opps = table(
        "opportunities",
        [
            _opp("O1", "won", datetime(2026, 7, 2), 100.0, lead_id="L1"),
            _opp("O2", "lost", datetime(2026, 7, 3), 50.0),
            _opp("O3", "won", datetime(2026, 6, 30), 70.0),
            _opp("O4", "won", datetime(2026, 7, 4), None, owner_id="P9"),
        ],
    )
    leads = table("leads", [{"lead_id": "L1", "campaign_id": "C1"}])
    got = rows(
        facts.won_deals(
            opps,
            since=datetime(2026, 7, 1),
            until=datetime(2026, 8, 1),
            leads=leads,
            campaigns=CAMPAIGNS,
            people=PEOPLE,
        ),
        sort="opportunity_id",
    )
    assert [(r["opportunity_id"], r["amount"]) for r in got] == [("O1", 100.0), ("O4", 0.0)]
    o1, o4 = got
    assert (o1["owner_name"], o1["campaign_name"], o1["campaign_owner_name"]) == (
        "Dana Reyes",
        "Webinar",
        "Lee Park",
    )
    assert (o4["owner_name"], o4["campaign_id"]) == (None, None)


def test_monthly_revenue_adds_up_won_deals_per_month_before_the_moment() -> None:
    opps = table(
        "opportunities",
        [
            {"status": "won", "closed_at": datetime(2026, 6, 3), "amount": 100.0},
            {"status": "won", "closed_at": datetime(2026, 6, 30), "amount": 50.0},
            {"status": "lost", "closed_at": datetime(2026, 6, 30), "amount": 500.0},
            {"status": "won", "closed_at": datetime(2026, 7, 1), "amount": 10.0},
            {"status": "won", "closed_at": datetime(2026, 7, 9), "amount": 99.0},  # after until
        ],
    )
    got = rows(facts.monthly_revenue(opps, until=datetime(2026, 7, 2)), sort="month")
    assert [(r["month"], r["revenue"], r["deals"]) for r in got] == [
        (date(2026, 6, 1), 150.0, 2),
        (date(2026, 7, 1), 10.0, 1),
    ]


def _lead(
    lead: str, mql: datetime, contacted: datetime | None, **extra: object
) -> dict[str, object]:
    return {
        "lead_id": lead,
        "mql_at": mql,
        "first_contacted_at": contacted,
        "owner_id": "P2",
        **extra,
    }


def test_weekly_sla_stacks_years_so_the_week_across_new_year_is_whole() -> None:
    # ISO week of Monday 29 Dec 2025: L1 (31 Dec, met) and L2 (2 Jan, missed: 48 h) — one row
    leads = table(
        "leads",
        [
            _lead(
                "L1",
                datetime(2025, 12, 31, 9),
                datetime(2025, 12, 31, 10),
                accepted_at=datetime(2026, 1, 5),
            ),
            _lead(
                "L2",
                datetime(2026, 1, 2, 9),
                datetime(2026, 1, 4, 9),
                rejected_at=datetime(2026, 1, 6),
            ),
            _lead("L3", datetime(2026, 1, 6, 9), datetime(2026, 1, 6, 9, 30)),
        ],
    )
    got = rows(
        facts.weekly_sla(leads, from_year=2025, until=datetime(2026, 2, 1), sla_hours=24),
        sort="week",
    )
    assert [
        (r["week"], r["mqls"], r["met"], r["missed"], r["accepted"], r["rejected"]) for r in got
    ] == [
        (date(2025, 12, 29), 2, 1, 1, 1, 1),
        (date(2026, 1, 5), 1, 1, 0, 0, 0),
    ]


def test_fast_contacts_group_by_owner_and_week_and_ignore_contacts_before_the_mql() -> None:
    # week of 6 Jul: L1 (20 min) and L2 (60 min exactly) are fast; L3 (61 min) is not;
    # L4 was contacted before it became an MQL; L5 (5 min) is in the next week.
    leads = table(
        "leads",
        [
            _lead("L1", datetime(2026, 7, 6, 9), datetime(2026, 7, 6, 9, 20)),
            _lead("L2", datetime(2026, 7, 7, 9), datetime(2026, 7, 7, 10)),
            _lead("L3", datetime(2026, 7, 8, 9), datetime(2026, 7, 8, 10, 1)),
            _lead("L4", datetime(2026, 7, 8, 9), datetime(2026, 7, 8, 8)),
            _lead("L5", datetime(2026, 7, 13, 9), datetime(2026, 7, 13, 9, 5)),
        ],
    )
    got = rows(
        facts.fast_contacts(
            leads,
            since=datetime(2026, 7, 1),
            until=datetime(2026, 8, 1),
            within_minutes=60,
            people=PEOPLE,
        ),
        sort="week",
    )
    assert [(r["owner_name"], r["week"], r["contacts"], sorted(r["lead_ids"])) for r in got] == [
        ("Dana Reyes", date(2026, 7, 6), 2, ["L1", "L2"]),
        ("Dana Reyes", date(2026, 7, 13), 1, ["L5"]),
    ]
    assert got[0]["last_at"] == datetime(2026, 7, 7, 10)


def test_first_reactivation_is_the_first_paid_order_of_a_contacted_account_after_the_list_day() -> (
    None
):
    # list as of 30 Sep: A1 ordered on 30 Sep (the same day: not after), A2 on 5 Oct with a zero
    # amount, A1 again on 9 Oct (first), A2 on 12 Oct; A3 (held out) is not in the spec.
    orders = table(
        "orders",
        [
            {"account_id": "A1", "ordered_at": datetime(2026, 9, 30, 12), "amount": 10.0},
            {"account_id": "A2", "ordered_at": datetime(2026, 10, 5), "amount": 0.0},
            {"account_id": "A1", "ordered_at": datetime(2026, 10, 9), "amount": 40.0},
            {"account_id": "A2", "ordered_at": datetime(2026, 10, 12), "amount": 20.0},
            {"account_id": "A3", "ordered_at": datetime(2026, 10, 1), "amount": 90.0},
        ],
    )
    spec = {"wb-1": (date(2026, 9, 30), ["A1", "A2"]), "wb-2": (date(2026, 10, 10), ["A1"])}
    got = rows(
        facts.first_reactivations(orders, lists=spec, until=datetime(2026, 11, 1)), sort="list_id"
    )
    assert [(r["list_id"], r["account_id"], r["ordered_at"], r["amount"]) for r in got] == [
        ("wb-1", "A1", datetime(2026, 10, 9), 40.0)
    ]


def test_first_accepted_and_lead_people() -> None:
    leads = table(
        "leads",
        [
            _lead(
                "L1", datetime(2026, 7, 1), None, accepted_at=datetime(2026, 7, 9), campaign_id="C1"
            ),
            _lead("L2", datetime(2026, 7, 1), None, accepted_at=datetime(2026, 7, 3)),
            _lead("L3", datetime(2026, 7, 1), None, accepted_at=datetime(2026, 6, 30)),
        ],
    )
    (first,) = rows(
        facts.first_accepted(leads, since=datetime(2026, 7, 1), until=datetime(2026, 8, 1))
    )
    assert first == {"lead_id": "L2", "accepted_at": datetime(2026, 7, 3)}
    (who,) = rows(facts.lead_people(leads, lead_ids=["L1"], campaigns=CAMPAIGNS, people=PEOPLE))
    assert (who["owner_name"], who["campaign_name"], who["campaign_owner_name"]) == (
        "Dana Reyes",
        "Webinar",
        "Lee Park",
    )


def test_campaign_acceptance_counts_decided_mqls_of_campaigns_that_ended_in_the_window() -> None:
    # C1 ended 31 Jul: L1 accepted, L2 rejected, L3 became an opportunity (accepted), L4 open.
    # C2 has not ended: left out.
    campaigns = table(
        "campaigns",
        [
            {"campaign_id": "C1", "name": "Webinar", "channel": "webinar",
             "started_on": date(2026, 7, 1), "ended_on": date(2026, 7, 31), "owner_id": "P1"},
            {"campaign_id": "C2", "name": "Ads", "channel": "paid",
             "started_on": date(2026, 7, 1), "ended_on": None, "owner_id": "P1"},
        ],
    )  # fmt: skip
    mql = datetime(2026, 7, 10)
    leads = table(
        "leads",
        [
            _lead("L1", mql, None, campaign_id="C1", accepted_at=datetime(2026, 7, 11)),
            _lead("L2", mql, None, campaign_id="C1", rejected_at=datetime(2026, 7, 11)),
            _lead("L3", mql, None, campaign_id="C1", opportunity_id="O3"),
            _lead("L4", mql, None, campaign_id="C1"),
            _lead("L5", mql, None, campaign_id="C2", accepted_at=datetime(2026, 7, 11)),
        ],
    )
    (row,) = rows(
        facts.campaign_acceptance(
            leads, campaigns, since=date(2026, 7, 1), until=datetime(2026, 8, 15), people=PEOPLE
        )
    )
    assert (row["campaign_id"], row["owner_name"], row["ended_on"]) == (
        "C1",
        "Lee Park",
        date(2026, 7, 31),
    )
    assert (row["mqls"], row["accepted"], row["rejected"]) == (4, 2, 1)
