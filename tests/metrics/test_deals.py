"""Win rate, revenue, sales cycle and open pipeline: golden cases and the demo truths."""

from __future__ import annotations

import pytest
from ibis.expr import types as ir

from coparent.metrics.deals import deal_summaries, deal_summary, open_pipeline
from coparent.metrics.periods import Period, parse_period

from ._tables import d, demo, demo_con, one, rec, rows, table

Q3 = parse_period("2026-Q3")

# O1 pro, won 100 after 10 days (Jul 1 -> Jul 11), lead L1 (paid), owner A
# O2 pro, won 300 after 30 days (Jul 1 -> Jul 31), lead L2 (webinar), owner B
# O3 pro, lost Aug 1 (created Jun 1), no lead, owner A
# O4 starter, won Aug 15 without an amount nor a creation date, lead L3 (paid), owner B
# O5 starter, won 70 on Jun 1 (Q2)
# O6 starter, open since Jul 1, worth 20
# O7 starter, lost Sep 30 23:00 (created Jul 2), no lead, owner A
# O8 starter, won with no close date (the CRM lost it): in no period, never open
OPPS = table(
    "opportunities",
    [
        rec(opportunity_id="O1", product_id="pro", status="won", created_at=d(7, 1),
            closed_at=d(7, 11), amount=100.0, lead_id="L1", owner_id="A"),
        rec(opportunity_id="O2", product_id="pro", status="won", created_at=d(7, 1),
            closed_at=d(7, 31), amount=300.0, lead_id="L2", owner_id="B"),
        rec(opportunity_id="O3", product_id="pro", status="lost", created_at=d(6, 1),
            closed_at=d(8, 1), amount=50.0, owner_id="A"),
        rec(opportunity_id="O4", product_id="starter", status="won", closed_at=d(8, 15),
            lead_id="L3", owner_id="B"),
        rec(opportunity_id="O5", product_id="starter", status="won", created_at=d(5, 1),
            closed_at=d(6, 1), amount=70.0),
        rec(opportunity_id="O6", product_id="starter", status="open", created_at=d(7, 1),
            amount=20.0),
        rec(opportunity_id="O7", product_id="starter", status="lost", created_at=d(7, 2),
            closed_at=d(9, 30, 23), amount=10.0, owner_id="A"),
        rec(opportunity_id="O8", product_id="starter", status="won", created_at=d(7, 1),
            amount=5.0),
    ],
)  # fmt: skip
LEADS = table(
    "leads",
    [
        rec(lead_id="L1", channel="paid"),
        rec(lead_id="L2", channel="webinar"),
        rec(lead_id="L3", channel="paid"),
    ],
)
OUTCOME = ("closed", "won", "lost", "win_rate", "revenue")


def test_q3_win_rate_revenue_and_cycle() -> None:
    # Closed in Q3: O1 O2 O3 O4 O7 -> won 3, lost 2, win rate 3 / 5; revenue
    # 100 + 300 (O4 has no amount); average 400 / 2 deals with an amount; the
    # cycle of O1 and O2 (O4 has no creation date): median and mean 20 days.
    row = one(deal_summary(OPPS, period=Q3))
    assert tuple(row[k] for k in OUTCOME) == (5, 3, 2, 0.6, 400.0)
    assert (row["won_without_amount"], row["average_deal"]) == (1, 200.0)
    assert (row["cycle_median_days"], row["cycle_mean_days"], row["cycle_deals"]) == (20.0, 20.0, 2)


def test_deals_by_product_owner_and_lead_channel() -> None:
    by_product = rows(deal_summary(OPPS, period=Q3, by="product_id"), sort="product_id")
    assert [(r["product_id"], *(r[k] for k in OUTCOME), r["average_deal"]) for r in by_product] == [
        ("pro", 3, 2, 1, pytest.approx(2 / 3), 400.0, 200.0),
        ("starter", 2, 1, 1, 0.5, 0.0, None),  # O4 won without an amount, O7 lost
    ]
    by_owner = rows(deal_summary(OPPS, period=Q3, by="owner_id"), sort="owner_id")
    assert [(r["owner_id"], r["won"], r["lost"]) for r in by_owner] == [("A", 1, 2), ("B", 2, 0)]
    by_channel = rows(deal_summary(OPPS, period=Q3, by="channel", leads=LEADS), sort="channel")
    assert [(r["channel"], *(r[k] for k in OUTCOME)) for r in by_channel] == [
        ("(no lead)", 2, 0, 2, 0.0, 0.0),  # O3 O7
        ("paid", 2, 2, 0, 1.0, 100.0),  # O1 O4
        ("webinar", 1, 1, 0, 1.0, 300.0),  # O2
    ]


def test_deals_by_close_month_over_all_time_and_cut_at_as_of() -> None:
    by_month = rows(deal_summary(OPPS, by="month"), sort="month")
    assert [(r["month"].isoformat(), r["won"], r["lost"], r["revenue"]) for r in by_month] == [
        ("2026-06-01", 1, 0, 70.0),  # O5
        ("2026-07-01", 2, 0, 400.0),  # O1 O2
        ("2026-08-01", 1, 1, 0.0),  # O4, O3
        ("2026-09-01", 0, 1, 0.0),  # O7
    ]
    # Q3 read at Aug 1 00:00: only July's closes (O3 closes at Aug 1 00:00 itself).
    row = one(deal_summary(OPPS, period=Q3, as_of=d(8, 1)))
    assert tuple(row[k] for k in OUTCOME) == (2, 2, 0, 1.0, 400.0)


def test_a_period_without_closes_has_zero_counts_and_no_rates() -> None:
    row = one(deal_summary(OPPS, period=parse_period("2025-Q1")))
    assert tuple(row[k] for k in OUTCOME) == (0, 0, 0, None, 0.0)
    assert rows(deal_summary(OPPS, period=parse_period("2025-Q1"), by="product_id")) == []


def test_open_pipeline_at_a_moment_counts_unknown_amounts_apart() -> None:
    # Open at Jul 15: O2 (300), O3 (50), O4 (no amount), O6 (20), O7 (10); O1
    # closed Jul 11, O5 Jun 1, O8 is won without a date (not open).
    assert rows(open_pipeline(OPPS, as_of=d(7, 15))) == [
        {"open_deals": 5, "open_amount": 380.0, "unknown_amount": 1}
    ]
    by_product = rows(open_pipeline(OPPS, as_of=d(7, 15), by="product_id"), sort="product_id")
    assert [(r["product_id"], r["open_deals"], r["open_amount"]) for r in by_product] == [
        ("pro", 2, 350.0),
        ("starter", 3, 30.0),
    ]
    # At Jun 1 00:00: O3 is created that very moment (not yet), O5 closes then
    # (still open), O4 has no creation date (open since ever).
    assert one(open_pipeline(OPPS, as_of=d(6, 1))) == {
        "open_deals": 2,
        "open_amount": 70.0,
        "unknown_amount": 1,
    }
    # Now: the deals with status open.
    assert one(open_pipeline(OPPS)) == {"open_deals": 1, "open_amount": 20.0, "unknown_amount": 0}


def test_open_pipeline_is_a_stock_and_refuses_period_buckets() -> None:
    with pytest.raises(ValueError, match="stock"):
        open_pipeline(OPPS, by=["product_id", "month"])


def test_demo_product_gap_win_rates_match_the_truths_observed_counts() -> None:
    facts = demo().truth("product_gap").facts
    opps = demo_con().table("opportunities")
    for quarter in (facts["baseline_quarter"], facts["quarter"]):
        got = {
            r["product_id"]: r
            for r in rows(deal_summary(opps, period=parse_period(quarter), by="product_id"))
        }
        gap = got[facts["product_id"]]
        observed = facts["observed"][quarter]
        assert (gap["won"], gap["lost"]) == (observed["won"], observed["lost"])
        others = [got[p] for p in facts["other_product_ids"]]
        assert sum(r["won"] for r in others) == facts["observed_others"][quarter]["won"]
        assert sum(r["lost"] for r in others) == facts["observed_others"][quarter]["lost"]
    noise = demo().truth("noise_change").facts
    for quarter, observed in noise["observed"].items():
        starter = rows(deal_summary(opps, period=parse_period(quarter), by="product_id"))
        (row,) = [r for r in starter if r["product_id"] == noise["segment"]["product_id"]]
        assert (row["won"], row["lost"], row["revenue"]) == (
            observed["won"],
            observed["lost"],
            observed["won_revenue"],
        )


def _summaries_match_single(
    opps: ir.Table, periods: dict[str, Period], *, by: str | None, leads: ir.Table | None = None
) -> None:
    """`deal_summaries` gives, per period and segment, exactly `deal_summary`'s figures."""
    names = [by] if by else []

    def key(r: dict[str, object]) -> tuple[str, ...]:
        return tuple(str(r[n]) for n in names)

    got = rows(deal_summaries(opps, periods=periods, as_of=d(9, 15), by=by, leads=leads))
    for name, period in periods.items():
        mine = [{k: v for k, v in r.items() if k != "period"} for r in got if r["period"] == name]
        want = [one(deal_summary(opps, period=period, as_of=d(9, 15))) | dict.fromkeys(names)]
        if by:
            want += rows(deal_summary(opps, period=period, as_of=d(9, 15), by=by, leads=leads))
        mine, want = sorted(mine, key=key), sorted(want, key=key)
        assert [r.keys() for r in mine] == [r.keys() for r in want]
        for have, expected in zip(mine, want, strict=True):
            for k, v in expected.items():
                # floats as in test_scorecard: the engine may add them in another order
                assert have[k] == (pytest.approx(v, rel=1e-12) if isinstance(v, float) else v)


@pytest.mark.parametrize("by", [None, "product_id", "owner_id", "channel", "month"])
def test_deal_summaries_are_deal_summary_of_each_period(by: str | None) -> None:
    periods = {"q3": Q3, "q2": parse_period("2026-Q2"), "empty": parse_period("2025-Q1")}
    _summaries_match_single(OPPS, periods, by=by, leads=LEADS)


def test_deal_summaries_on_the_demo_are_deal_summary_of_each_period() -> None:
    periods = {"current": Q3, "previous": parse_period("2026-Q2")}
    _summaries_match_single(demo_con().table("opportunities"), periods, by="product_id")


def test_deal_summaries_refuse_overlapping_periods() -> None:
    with pytest.raises(ValueError, match="overlap"):
        deal_summaries(OPPS, periods={"q3": Q3, "july": parse_period("2026-07")})
