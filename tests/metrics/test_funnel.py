"""The MQL cohort funnel and cohort conversion: golden cases, properties, the demo."""

from __future__ import annotations

from datetime import datetime as dt
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.metrics.funnel import cohort_conversion, mql_funnel
from coparent.metrics.periods import parse_period

from ._tables import d, demo, demo_con, one, rec, rows, table

JULY = parse_period("2026-07")


# Seven leads, derivations in the tests below:
# L1 MQL Jul 1, accepted, opportunity O1 (created Jul 3, won Aug 1)
# L2 MQL Jul 2, accepted, opportunity O2 (created Jul 4, lost Jul 20)
# L3 MQL Jul 3, accepted Jul 4, no opportunity
# L4 MQL Jul 4, rejected Jul 5
# L5 MQL Jul 5, undecided
# L6 MQL Jun 30 (before July), accepted, opportunity O3 won
# L7 never an MQL
# L8 MQL Jul 6, no accepted_at but opportunity O4 (open): reached a later stage
LEADS = table(
    "leads",
    [
        rec(lead_id="L1", channel="paid", mql_at=d(7, 1), accepted_at=d(7, 2), opportunity_id="O1"),
        rec(lead_id="L2", channel="paid", mql_at=d(7, 2), accepted_at=d(7, 3), opportunity_id="O2"),
        rec(lead_id="L3", channel="webinar", mql_at=d(7, 3), accepted_at=d(7, 4)),
        rec(lead_id="L4", channel="webinar", mql_at=d(7, 4), rejected_at=d(7, 5)),
        rec(lead_id="L5", channel="webinar", mql_at=d(7, 5)),
        rec(
            lead_id="L6", channel="paid", mql_at=d(6, 30), accepted_at=d(7, 1), opportunity_id="O3"
        ),
        rec(lead_id="L7", channel="paid"),
        rec(lead_id="L8", channel=None, mql_at=d(7, 6), opportunity_id="O4"),
    ],
)
OPPS = table(
    "opportunities",
    [
        rec(opportunity_id="O1", created_at=d(7, 3), closed_at=d(8, 1), status="won"),
        rec(opportunity_id="O2", created_at=d(7, 4), closed_at=d(7, 20), status="lost"),
        rec(opportunity_id="O3", created_at=d(7, 2), closed_at=d(7, 9), status="won"),
        rec(opportunity_id="O4", created_at=d(7, 8), status="open"),
    ],
)

COUNTS = ("mqls", "accepted", "opportunities", "won")


def _counts(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[c] for c in COUNTS)


def test_july_funnel_counts_each_mql_at_the_furthest_stage_it_reached() -> None:
    # MQLs in July: L1 L2 L3 L4 L5 L8 = 6; accepted: L1 L2 L3 and L8 (it has an
    # opportunity) = 4; opportunities: L1 L2 L8 = 3; won: L1 = 1.
    row = one(mql_funnel(LEADS, opportunities=OPPS, period=JULY))
    assert _counts(row) == (6, 4, 3, 1)
    assert row["mql_to_accepted"] == pytest.approx(4 / 6)
    assert row["accepted_to_opportunity"] == pytest.approx(3 / 4)
    assert row["opportunity_to_won"] == pytest.approx(1 / 3)
    assert row["mql_to_won"] == pytest.approx(1 / 6)


def test_as_of_cuts_the_cohort_and_ignores_later_stages() -> None:
    # Read at Jul 31: O1 closes Aug 1, so nothing is won yet.
    assert _counts(
        one(mql_funnel(LEADS, opportunities=OPPS, period=JULY, as_of=dt(2026, 7, 31)))
    ) == (6, 4, 3, 0)
    # Read at Jul 4 00:00: MQLs L1 L2 L3; L3's acceptance at Jul 4 00:00 is not
    # before it; O1 (created Jul 3) is, O2 (Jul 4) is not.
    assert _counts(
        one(mql_funnel(LEADS, opportunities=OPPS, period=JULY, as_of=dt(2026, 7, 4)))
    ) == (3, 2, 1, 0)


def test_without_opportunities_won_is_unknown_and_the_link_still_counts() -> None:
    row = one(mql_funnel(LEADS, period=JULY))
    assert _counts(row) == (6, 4, 3, None)
    assert row["opportunity_to_won"] is None


def test_funnel_by_channel_and_by_month() -> None:
    by_channel = rows(
        mql_funnel(LEADS, opportunities=OPPS, period=JULY, by="channel"), sort="channel"
    )
    assert [(r["channel"], *_counts(r)) for r in by_channel] == [
        ("(none)", 1, 1, 1, 0),  # L8
        ("paid", 2, 2, 2, 1),  # L1 L2
        ("webinar", 3, 1, 0, 0),  # L3 L4 L5
    ]
    by_month = rows(mql_funnel(LEADS, opportunities=OPPS, by="month"), sort="month")
    assert [(r["month"].isoformat(), *_counts(r)) for r in by_month] == [
        ("2026-06-01", 1, 1, 1, 1),  # L6
        ("2026-07-01", 6, 4, 3, 1),
    ]


def test_an_empty_period_gives_one_row_of_zeros_and_null_conversions() -> None:
    row = one(mql_funnel(LEADS, opportunities=OPPS, period=parse_period("2025-01")))
    assert _counts(row) == (0, 0, 0, 0)
    assert row["mql_to_accepted"] is None


# Cohorts: MQL->close days of finished deals are 10 (L1), 30 (L2) and 50 (L3);
# their 0.8 quantile (linear interpolation) is 30 + 0.6 x 20 = 42 days.
COHORT_LEADS = table(
    "leads",
    [
        {"lead_id": "L1", "mql_at": dt(2026, 1, 1), "opportunity_id": "O1"},
        {"lead_id": "L2", "mql_at": dt(2026, 1, 1), "opportunity_id": "O2"},
        {"lead_id": "L3", "mql_at": dt(2026, 2, 1), "opportunity_id": "O3"},
        {"lead_id": "L4", "mql_at": dt(2026, 2, 10), "opportunity_id": "O4"},
        {"lead_id": "L5", "mql_at": dt(2026, 3, 5), "accepted_at": dt(2026, 3, 6)},
    ],
)
COHORT_OPPS = table(
    "opportunities",
    [
        rec(opportunity_id="O1", created_at=d(1, 2), closed_at=d(1, 11), status="won"),
        rec(opportunity_id="O2", created_at=d(1, 2), closed_at=d(1, 31), status="lost"),
        rec(opportunity_id="O3", created_at=d(2, 2), closed_at=d(3, 23), status="won"),
        rec(opportunity_id="O4", created_at=d(2, 11), status="open"),
    ],
)


def test_cohorts_mature_after_the_80th_percentile_of_the_mql_to_close_cycle() -> None:
    # Read at Apr 1: January ended 59 days before (>= 42: matured), February
    # 31 days before, March 0.
    got = rows(
        cohort_conversion(COHORT_LEADS, opportunities=COHORT_OPPS, as_of=dt(2026, 4, 1)),
        sort="cohort",
    )
    keys = ("mqls", "accepted_share", "opportunity_share", "won_share", "age_days", "matured")
    assert [(r["cohort"].isoformat(), *(r[k] for k in keys)) for r in got] == [
        ("2026-01-01", 2, 1.0, 1.0, 0.5, 59.0, True),
        ("2026-02-01", 2, 1.0, 1.0, 0.5, 31.0, False),
        ("2026-03-01", 1, 1.0, 0.0, 0.0, 0.0, False),
    ]
    assert [r["maturity_days"] for r in got] == pytest.approx([42.0] * 3)


def test_without_as_of_cohorts_are_aged_to_the_latest_event_in_the_data() -> None:
    # The latest event is O3's close on Mar 23: January is 50 days old, February 22.
    got = rows(cohort_conversion(COHORT_LEADS, opportunities=COHORT_OPPS), sort="cohort")
    assert [(r["age_days"], r["matured"]) for r in got] == [
        (50.0, True),
        (22.0, False),
        (-9.0, False),
    ]


def test_without_opportunities_the_cycle_is_mql_to_sales_decision() -> None:
    # Decisions after 2, 4 and 6 days: the median is 4 days.
    leads = table(
        "leads",
        [
            {"mql_at": dt(2026, 1, 1), "accepted_at": dt(2026, 1, 3)},
            {"mql_at": dt(2026, 1, 1), "rejected_at": dt(2026, 1, 5)},
            {"mql_at": dt(2026, 1, 1), "accepted_at": dt(2026, 1, 7)},
        ],
    )
    row = one(cohort_conversion(leads, maturity_quantile=0.5, as_of=dt(2026, 2, 3)))
    assert (row["maturity_days"], row["age_days"], row["matured"], row["won_share"]) == (
        4.0,
        2.0,
        False,
        None,
    )


# -- properties -----------------------------------------------------------------

_day = st.integers(0, 60).map(lambda d: dt(2026, 6, 1) + timedelta(days=d))


@st.composite
def _companies(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    n = draw(st.integers(0, 25))
    leads, opps = [], []
    for i in range(n):
        mql = draw(st.none() | _day)
        lead: dict[str, Any] = {
            "lead_id": f"L{i}",
            "channel": draw(st.sampled_from(["paid", "webinar", None])),
            "mql_at": mql,
            "accepted_at": draw(st.none() | _day),
            "rejected_at": draw(st.none() | _day),
        }
        if draw(st.booleans()):
            lead["opportunity_id"] = f"O{i}"
            if draw(st.booleans()):  # some links point at no known opportunity
                status = draw(st.sampled_from(["open", "won", "lost"]))
                opps.append(
                    {
                        "opportunity_id": f"O{i}",
                        "created_at": draw(st.none() | _day),
                        "closed_at": None if status == "open" else draw(st.none() | _day),
                        "status": status,
                    }
                )
        leads.append(lead)
    return leads, opps


@given(company=_companies(), as_of=st.none() | _day, by=st.sampled_from([None, "channel", "month"]))
def test_funnel_counts_never_rise_from_one_stage_to_the_next(
    company: tuple[list[dict[str, Any]], list[dict[str, Any]]], as_of: dt | None, by: str | None
) -> None:
    leads, opps = company
    out = rows(
        mql_funnel(
            table("leads", leads), opportunities=table("opportunities", opps), as_of=as_of, by=by
        )
    )
    for r in out:
        assert r["mqls"] >= r["accepted"] >= r["opportunities"] >= r["won"] >= 0
        for step in (
            "mql_to_accepted",
            "accepted_to_opportunity",
            "opportunity_to_won",
            "mql_to_won",
        ):
            assert r[step] is None or 0.0 <= r[step] <= 1.0


# -- the demo company -------------------------------------------------------------


def test_demo_funnel_matches_a_direct_count_of_the_q3_cohort() -> None:
    con = demo_con()
    leads, opps = con.table("leads"), con.table("opportunities")
    row = one(mql_funnel(leads, opportunities=opps, period=parse_period("2026-Q3")))
    # The same count in plain Python over the generator's rows.
    lead_rows = demo().tables["leads"].to_pylist()
    status = {o["opportunity_id"]: o["status"] for o in demo().tables["opportunities"].to_pylist()}
    q3 = [r for r in lead_rows if r["mql_at"] and dt(2026, 7, 1) <= r["mql_at"] < dt(2026, 10, 1)]
    assert row["mqls"] == len(q3)
    assert row["accepted"] == sum(1 for r in q3 if r["accepted_at"] or r["opportunity_id"])
    assert row["opportunities"] == sum(1 for r in q3 if r["opportunity_id"])
    assert row["won"] == sum(1 for r in q3 if status.get(r["opportunity_id"]) == "won")
    assert row["mqls"] > row["accepted"] > row["opportunities"] > row["won"] > 0


def test_demo_cohorts_are_all_matured_except_the_last_few_months() -> None:
    con = demo_con()
    got = rows(
        cohort_conversion(con.table("leads"), opportunities=con.table("opportunities")),
        sort="cohort",
    )
    flags = [r["matured"] for r in got]
    assert len(got) == 24  # two years of MQL months
    assert flags[:18] == [True] * 18
    assert flags[-1] is False
    assert flags == sorted(flags, reverse=True)  # once young, every later cohort is young
    assert 20 < got[0]["maturity_days"] < 200


# Links checked both ways (issue 13): the same July cohort, linked differently.
# L1 names O1 (forward); L2 names nothing but O2 names L2 (back); L3 names O9,
# which is not in the table (dangling); L8 names O4 and O5 also names L8
# (forward wins); O6 names L4 too, but created after O7 which also names L4
# (the earliest counts: O7, won).
LINKED_LEADS = table(
    "leads",
    [
        rec(lead_id="L1", channel="paid", mql_at=d(7, 1), accepted_at=d(7, 2), opportunity_id="O1"),
        rec(lead_id="L2", channel="paid", mql_at=d(7, 2), accepted_at=d(7, 3)),
        rec(lead_id="L3", channel="paid", mql_at=d(7, 3), accepted_at=d(7, 4), opportunity_id="O9"),
        rec(lead_id="L4", channel="paid", mql_at=d(7, 4)),
        rec(lead_id="L8", channel="paid", mql_at=d(7, 6), opportunity_id="O4"),
    ],
)
LINKED_OPPS = table(
    "opportunities",
    [
        rec(opportunity_id="O1", lead_id="L1", created_at=d(7, 3), closed_at=d(8, 1), status="won"),
        rec(opportunity_id="O2", lead_id="L2", created_at=d(7, 5), closed_at=d(7, 9), status="won"),
        rec(opportunity_id="O4", lead_id=None, created_at=d(7, 8), status="open"),
        rec(opportunity_id="O5", lead_id="L8", created_at=d(7, 7), closed_at=d(7, 9), status="won"),
        rec(opportunity_id="O6", lead_id="L4", created_at=d(7, 20), status="open"),
        rec(
            opportunity_id="O7", lead_id="L4", created_at=d(7, 10), closed_at=d(7, 12), status="won"
        ),
    ],
)


def test_either_direction_of_the_link_fills_the_funnel_and_a_dangling_one_does_not() -> None:
    # MQLs L1 L2 L3 L4 L8 = 5. Opportunities: L1 (O1), L2 (O2 back), L4 (O7 back), L8 (O4
    # forward) = 4; L3's O9 is not loaded. Accepted: L1 L2 L3 + the ones with opportunities
    # (L4, L8) = 5. Won: L1 (O1), L2 (O2), L4 (O7) = 3; L8's own O4 is open (O5 is not its).
    row = one(mql_funnel(LINKED_LEADS, opportunities=LINKED_OPPS, period=JULY))
    assert _counts(row) == (5, 5, 4, 3)


def test_dangling_links_are_counted_for_the_note() -> None:
    from coparent.metrics._stages import dangling_links

    assert dangling_links(LINKED_LEADS, LINKED_OPPS).execute() == 1
    assert dangling_links(LEADS, OPPS).execute() == 0
