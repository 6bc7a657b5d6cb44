"""Speed to lead: per-MQL response, summary, histogram; golden cases and the demo truth."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.metrics.speed import lead_response, speed_histogram, speed_to_lead

from ._tables import T0, demo, demo_con, one, rec, rows, table


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# MQLs at T0 (Jul 1 00:00) unless noted; read at T0 + 48 h with a 24 h SLA.
# L1 CRM says contacted at 5 h, but a call at 2 h came first; an email at 10 h;
#    accepted at 24 h, then a meeting at 30 h (after the decision: no attempt);
#    an activity 3 h before the MQL counts for nothing.
# L2 no CRM contact; activities at 30 h and 40 h.
# L3 contacted 2 h before its MQL: 0 hours.
# L4 never contacted, 48 h old: a miss.
# L5 contacted at 50 h, after as_of (and an activity at 49 h): not yet, a miss.
# L6 MQL at 40 h, not contacted, 8 h old: pending.
# L7 never an MQL.
LEADS = table(
    "leads",
    [
        rec(lead_id="L1", mql_at=T0, first_contacted_at=h(5), accepted_at=h(24), channel="paid"),
        rec(lead_id="L2", mql_at=T0, channel="paid"),
        rec(lead_id="L3", mql_at=T0, first_contacted_at=h(-2), channel="webinar"),
        rec(lead_id="L4", mql_at=T0, channel="webinar"),
        rec(lead_id="L5", mql_at=T0, first_contacted_at=h(50), channel="webinar"),
        rec(lead_id="L6", mql_at=h(40), channel="webinar"),
        rec(lead_id="L7"),
    ],
)
ACTIVITIES = table(
    "activities",
    [
        rec(lead_id="L1", occurred_at=h(-3)),
        rec(lead_id="L1", occurred_at=h(2)),
        rec(lead_id="L1", occurred_at=h(10)),
        rec(lead_id="L1", occurred_at=h(30)),
        rec(lead_id="L2", occurred_at=h(30)),
        rec(lead_id="L2", occurred_at=h(40)),
        rec(lead_id="L5", occurred_at=h(49)),
        rec(lead_id=None, opportunity_id="O1", occurred_at=h(1)),
    ],
)
AS_OF = h(48)


def test_lead_response_uses_the_first_contact_from_either_source_and_counts_attempts() -> None:
    got = rows(lead_response(LEADS, activities=ACTIVITIES, as_of=AS_OF), sort="lead_id")
    assert [(r["lead_id"], r["hours_to_contact"], r["sla_status"], r["attempts"]) for r in got] == [
        ("L1", 2.0, "met", 2),
        ("L2", 30.0, "missed", 2),
        ("L3", 0.0, "met", 0),
        ("L4", None, "missed", 0),
        ("L5", None, "missed", 0),
        ("L6", None, "pending", 0),
    ]
    assert got[0]["contacted_at"] == h(2)


def test_lead_response_without_activities_reads_the_crm_field_only() -> None:
    # L1 at 5 h; L2 has no CRM contact (missed); attempts are unknown.
    got = rows(lead_response(LEADS, as_of=AS_OF), sort="lead_id")
    assert [(r["hours_to_contact"], r["sla_status"], r["attempts"]) for r in got] == [
        (5.0, "met", None),
        (None, "missed", None),
        (0.0, "met", None),
        (None, "missed", None),
        (None, "missed", None),
        (None, "pending", None),
    ]


def test_without_as_of_the_data_is_complete_and_nothing_is_pending() -> None:
    # L5's contact at 50 h now counts (missed); L6 has no contact at all (missed).
    got = rows(lead_response(LEADS), sort="lead_id")
    assert [r["sla_status"] for r in got] == ["met", "missed", "met", "missed", "missed", "missed"]
    assert got[4]["hours_to_contact"] == 50.0


def test_speed_to_lead_summary_of_the_golden_leads() -> None:
    # Contacted: L1 2 h, L2 30 h, L3 0 h. Sorted [0, 2, 30]: median 2, mean 32/3,
    # p75 at position 1.5 -> 2 + 0.5 x 28 = 16, p90 at 1.8 -> 2 + 0.8 x 28 = 24.4.
    # met L1 L3, missed L2 L4 L5, pending L6: share 2 / 5.
    row = one(speed_to_lead(LEADS, activities=ACTIVITIES, as_of=AS_OF))
    assert (row["mqls"], row["contacted"], row["never_contacted"]) == (6, 3, 3)
    assert row["median_hours"] == 2.0
    assert row["mean_hours"] == pytest.approx(32 / 3)
    assert row["p75_hours"] == pytest.approx(16.0)
    assert row["p90_hours"] == pytest.approx(24.4)
    assert (row["met"], row["missed"], row["pending"]) == (2, 3, 1)
    assert row["share_within_sla"] == pytest.approx(0.4)


def test_speed_to_lead_by_channel_and_a_stricter_sla() -> None:
    # With a 1 h SLA L1 (2 h) misses; paid = L1 L2: 0 of 2, webinar = L3..L6:
    # L3 met, L4 L5 missed, L6 (8 h old > 1 h) missed: 1 of 4.
    got = rows(
        speed_to_lead(LEADS, activities=ACTIVITIES, as_of=AS_OF, by="channel", sla_hours=1),
        sort="channel",
    )
    assert [(r["channel"], r["met"], r["missed"], r["share_within_sla"]) for r in got] == [
        ("paid", 0, 2, 0.0),
        ("webinar", 1, 3, 0.25),
    ]


def test_histogram_has_every_bin_for_every_segment_and_shares_add_up() -> None:
    # paid: 2 h (1-4 h bin) and 30 h (24-48 h); webinar: 0 h (0-1 h) and three
    # not contacted.
    got = rows(
        speed_histogram(LEADS, activities=ACTIVITIES, as_of=AS_OF, by="channel"),
        sort=["channel", "bin"],
    )
    assert len(got) == 2 * 9
    counts = {(r["channel"], r["label"]): r["count"] for r in got if r["count"]}
    assert counts == {
        ("paid", "1-4 h"): 1,
        ("paid", "24-48 h"): 1,
        ("webinar", "0-1 h"): 1,
        ("webinar", "not contacted"): 3,
    }
    for channel in ("paid", "webinar"):
        assert sum(r["share"] for r in got if r["channel"] == channel) == pytest.approx(1.0)
    assert [(r["lower_hours"], r["upper_hours"]) for r in got[:9]][-2:] == [
        (168.0, None),
        (None, None),
    ]


def test_histogram_refuses_bins_that_do_not_start_at_zero_or_do_not_increase() -> None:
    with pytest.raises(ValueError, match="start at 0"):
        speed_histogram(LEADS, bins_hours=(1, 2))
    with pytest.raises(ValueError, match="increase"):
        speed_histogram(LEADS, bins_hours=(0, 4, 2))


_offset = st.none() | st.floats(-10, 200, allow_nan=False).map(lambda x: round(x, 2))


@given(
    leads=st.lists(st.tuples(st.floats(0, 100).map(lambda x: round(x, 2)), _offset), max_size=20),
    as_of=st.none() | st.floats(0, 300).map(h),
    sla=st.floats(0.5, 72),
)
def test_share_within_sla_is_always_between_0_and_1(
    leads: list[tuple[float, float | None]], as_of: datetime | None, sla: float
) -> None:
    t = table(
        "leads",
        [
            rec(
                mql_at=h(m), first_contacted_at=None if c is None else h(m + c), channel=f"c{i % 3}"
            )
            for i, (m, c) in enumerate(leads)
        ],
    )
    for r in rows(speed_to_lead(t, as_of=as_of, sla_hours=sla, by="channel")):
        share = r["share_within_sla"]
        assert share is None or 0.0 <= share <= 1.0
        assert (share is None) == (r["met"] + r["missed"] == 0)
        assert r["met"] + r["missed"] + r["pending"] == r["mqls"]
        assert r["contacted"] + r["never_contacted"] == r["mqls"]


def test_demo_webinar_leads_wait_two_days_and_have_the_worst_sla_share() -> None:
    truth = demo().truth("slow_channel").facts
    con = demo_con()
    got = {
        r["channel"]: r
        for r in rows(
            speed_to_lead(con.table("leads"), activities=con.table("activities"), by="channel")
        )
    }
    slow = truth["channel"]
    assert got[slow]["median_hours"] > 24
    assert min(got, key=lambda c: got[c]["share_within_sla"]) == slow
    assert max(r["median_hours"] for c, r in got.items() if c != slow) < 8
    for channel, observed in truth["observed"].items():
        assert got[channel]["median_hours"] == pytest.approx(
            observed["median_hours_to_first_contact"], abs=1e-3
        )
