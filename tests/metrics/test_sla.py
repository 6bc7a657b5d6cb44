"""The Sales and Marketing SLAs and their series over time: golden cases and the demo."""

from __future__ import annotations

import pytest

from coparent.metrics.periods import parse_period
from coparent.metrics.sla import marketing_sla, sales_sla, sla_compliance

from ._tables import d, demo, demo_con, one, rec, rows, table

Q3 = parse_period("2026-Q3")

# Sales SLA of Q3, read at Sep 30 12:00 with a 24 h SLA:
# L1 MQL Jul 1, contacted after 10 h: met
# L2 MQL Aug 1, contacted after 48 h: missed
# L3 MQL Sep 29, never contacted, 36 h old: missed
# L4 MQL Sep 30 06:00, never contacted, 6 h old: pending
# L5 MQL in Q2: not in the period
SALES_LEADS = table(
    "leads",
    [
        rec(lead_id="L1", product_id="pro", mql_at=d(7, 1), first_contacted_at=d(7, 1, 10)),
        rec(lead_id="L2", product_id="pro", mql_at=d(8, 1), first_contacted_at=d(8, 3)),
        rec(lead_id="L3", product_id="starter", mql_at=d(9, 29)),
        rec(lead_id="L4", product_id="starter", mql_at=d(9, 30, 6)),
        rec(lead_id="L5", product_id="pro", mql_at=d(6, 30), first_contacted_at=d(6, 30, 1)),
    ],
)
READ_AT = d(9, 30, 12)


def test_sales_sla_leaves_too_young_mqls_out_of_the_share() -> None:
    # met 1, missed 2 (L2 late, L3 never), pending 1: share 1 / 3; median of 10 h and 48 h.
    row = one(sales_sla(SALES_LEADS, period=Q3, as_of=READ_AT))
    assert (row["mqls"], row["met"], row["missed"], row["pending"]) == (4, 1, 2, 1)
    assert row["share_within_sla"] == pytest.approx(1 / 3)
    assert (row["never_contacted"], row["median_hours"], row["sla_hours"]) == (2, 29.0, 24.0)
    assert (row["attempts"], row["attempts_per_mql"]) == (None, None)


def test_sales_sla_by_product_and_the_boundary_is_inclusive() -> None:
    got = rows(sales_sla(SALES_LEADS, period=Q3, as_of=READ_AT, by="product_id"), sort="product_id")
    keys = ("product_id", "met", "missed", "pending", "share_within_sla")
    assert [tuple(r[k] for k in keys) for r in got] == [
        ("pro", 1, 1, 0, 0.5),
        ("starter", 0, 1, 1, 0.0),
    ]
    # With a 48 h SLA, L2's contact after exactly 48 h is within it.
    pro = rows(sales_sla(SALES_LEADS, period=Q3, as_of=READ_AT, by="product_id", sla_hours=48))[0]
    assert (pro["product_id"], pro["share_within_sla"]) == ("pro", 1.0)


def test_sales_sla_counts_attempts_when_activities_are_given() -> None:
    # L1: two activities before its (unknown) decision; L2: one; L3, L4: none.
    acts = table(
        "activities",
        [
            rec(lead_id="L1", occurred_at=d(7, 1, 10)),
            rec(lead_id="L1", occurred_at=d(7, 2)),
            rec(lead_id="L2", occurred_at=d(8, 3)),
        ],
    )
    row = one(sales_sla(SALES_LEADS, activities=acts, period=Q3, as_of=READ_AT))
    assert (row["attempts"], row["attempts_per_mql"]) == (3, 0.75)


# Marketing SLA of Q3 with a commitment of 10 MQLs a month (30 for the quarter):
# L1 Jul 5 accepted Jul 6      L4 Aug 10 opportunity, no accepted_at (accepted)
# L2 Jul 20 accepted Aug 20    L5 Sep 1 undecided
# L3 Aug 1 rejected Aug 2      L6 Sep 10 rejected Sep 11
MARKETING_LEADS = table(
    "leads",
    [
        rec(lead_id="L1", channel="paid", mql_at=d(7, 5), accepted_at=d(7, 6)),
        rec(lead_id="L2", channel="paid", mql_at=d(7, 20), accepted_at=d(8, 20)),
        rec(lead_id="L3", channel="webinar", mql_at=d(8, 1), rejected_at=d(8, 2)),
        rec(lead_id="L4", channel="webinar", mql_at=d(8, 10), opportunity_id="O4"),
        rec(lead_id="L5", channel="webinar", mql_at=d(9, 1)),
        rec(lead_id="L6", channel="webinar", mql_at=d(9, 10), rejected_at=d(9, 11)),
    ],
)


def test_marketing_sla_compares_delivery_with_the_commitment_and_rates_acceptance() -> None:
    # 6 delivered of 30 committed; accepted L1 L2 L4, rejected L3 L6: 3 / 5.
    row = one(marketing_sla(MARKETING_LEADS, period=Q3, commitment_per_month=10))
    assert (row["mqls"], row["committed"], row["committed_to_date"]) == (6, 30.0, 30.0)
    assert row["delivery_rate"] == pytest.approx(0.2)
    assert (row["accepted"], row["rejected"], row["undecided"]) == (3, 2, 1)
    assert row["acceptance_rate"] == pytest.approx(0.6)


def test_marketing_sla_mid_quarter_prorates_the_commitment_and_waits_for_decisions() -> None:
    # Read at Aug 16 00:00: 46 of 92 days, so 15 committed to date; MQLs L1..L4;
    # L2's acceptance (Aug 20) has not happened yet: accepted L1 L4, rejected L3.
    row = one(marketing_sla(MARKETING_LEADS, period=Q3, as_of=d(8, 16), commitment_per_month=10))
    assert (row["mqls"], row["committed"], row["committed_to_date"]) == (4, 30.0, 15.0)
    assert row["delivery_rate"] == pytest.approx(4 / 15)
    assert (row["accepted"], row["rejected"], row["undecided"]) == (2, 1, 1)
    assert row["acceptance_rate"] == pytest.approx(2 / 3)


def test_marketing_sla_has_no_commitment_per_segment_or_when_none_is_set() -> None:
    got = rows(
        marketing_sla(MARKETING_LEADS, period=Q3, by="channel", commitment_per_month=10),
        sort="channel",
    )
    assert [(r["channel"], r["mqls"], r["committed"], r["acceptance_rate"]) for r in got] == [
        ("paid", 2, None, 1.0),
        ("webinar", 4, None, pytest.approx(1 / 3)),
    ]
    row = one(marketing_sla(MARKETING_LEADS, period=Q3, commitment_per_month=0))
    assert (row["committed"], row["delivery_rate"]) == (None, None)


def test_sla_compliance_month_by_month() -> None:
    # Two MQLs a month against a commitment of 2. Contacts: L1 after 1 h (met),
    # L2 never (missed); L3 after 3 h, L4 after 5 h (met); L5 after 30 h and L6
    # never (missed). Acceptance: Jul L1 L2 accepted; Aug L3 rejected, L4
    # accepted (opportunity); Sep L5 undecided, L6 rejected.
    leads = table(
        "leads",
        [
            rec(mql_at=d(7, 1), first_contacted_at=d(7, 1, 1), accepted_at=d(7, 2)),
            rec(mql_at=d(7, 9), accepted_at=d(7, 10)),
            rec(mql_at=d(8, 1), first_contacted_at=d(8, 1, 3), rejected_at=d(8, 2)),
            rec(mql_at=d(8, 2), first_contacted_at=d(8, 2, 5), opportunity_id="O1"),
            rec(mql_at=d(9, 1), first_contacted_at=d(9, 2, 6)),
            rec(mql_at=d(9, 2), rejected_at=d(9, 3)),
        ],
    )
    got = rows(
        sla_compliance(leads, period=Q3, every="month", commitment_per_month=2), sort="bucket"
    )
    keys = ("mqls", "share_within_sla", "acceptance_rate", "delivery_rate")
    assert [(r["bucket"].isoformat(), *(r[k] for k in keys)) for r in got] == [
        ("2026-07-01", 2, 0.5, 1.0, 1.0),
        ("2026-08-01", 2, 1.0, 0.5, 1.0),
        ("2026-09-01", 2, 0.0, 0.0, 1.0),
    ]
    weekly = rows(
        sla_compliance(leads, period=Q3, every="week", commitment_per_month=2), sort="bucket"
    )
    # Jul 1 and Jul 9 2026 are a Wednesday and a Thursday of two ISO weeks; Aug 1
    # (Saturday) and Aug 2 (Sunday) share the week of Monday Jul 27.
    assert [(r["bucket"].isoformat(), r["mqls"], r["committed"]) for r in weekly] == [
        ("2026-06-29", 1, None),
        ("2026-07-06", 1, None),
        ("2026-07-27", 2, None),
        ("2026-08-31", 2, None),
    ]
    with pytest.raises(ValueError, match="week"):
        sla_compliance(leads, period=Q3, every="day")  # type: ignore[arg-type]


def test_demo_acceptance_by_channel_over_both_fiscal_years_matches_the_truth() -> None:
    # The demo runs Oct 2024 - Sep 2026: fiscal years 2025 and 2026 starting in October.
    truth = demo().truth("slow_channel").facts["observed"]
    con = demo_con()
    totals: dict[str, list[int]] = {}
    for label in ("FY2025", "FY2026"):
        year = parse_period(label, fiscal_year_start_month=10)
        for r in rows(marketing_sla(con.table("leads"), period=year, by="channel")):
            acc, rej = totals.setdefault(r["channel"], [0, 0])
            totals[r["channel"]] = [acc + r["accepted"], rej + r["rejected"]]
    for channel, (acc, rej) in totals.items():
        assert acc / (acc + rej) == pytest.approx(truth[channel]["acceptance_rate"], abs=1e-4)
    assert min(totals, key=lambda c: totals[c][0] / sum(totals[c])) == "webinar"
