"""Speed to lead: contact timing per channel and the correlational counterfactual."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pyarrow as pa
import pytest

from coparent.diagnosis.speed import MIN_REFERENCE, contact_cohorts, speed_to_lead
from coparent.metrics.periods import parse_period
from coparent.schema import TABLES

Q3 = parse_period("2026-Q3")
T0 = datetime(2026, 7, 10, 9)


def _leads(rows: list[tuple[str, float | None, bool, bool, datetime]]) -> pa.Table:
    """(channel, hours to first contact or None, accepted, opportunity, mql_at) per lead."""
    n = len(rows)
    cols: dict[str, list[object]] = {c.name: [None] * n for c in TABLES["leads"]}
    cols["lead_id"] = [f"L{i}" for i in range(n)]
    cols["created_at"] = [r[4] - timedelta(hours=1) for r in rows]
    cols["channel"] = [r[0] for r in rows]
    cols["mql_at"] = [r[4] for r in rows]
    cols["first_contacted_at"] = [
        None if r[1] is None else r[4] + timedelta(hours=r[1]) for r in rows
    ]
    cols["accepted_at"] = [r[4] + timedelta(days=2) if r[2] else None for r in rows]
    cols["opportunity_id"] = [f"O{i}" if r[3] else None for i, r in enumerate(rows)]
    return pa.table(cols, schema=TABLES["leads"].arrow_schema())


def test_contact_cohorts_split_mqls_of_the_period_at_the_sla() -> None:
    rows = [
        ("webinar", 23.9, True, True, T0),
        ("webinar", 24.0, True, False, T0),  # exactly at the SLA counts as on time
        ("webinar", 24.1, False, False, T0),
        ("webinar", None, False, False, T0),
        ("organic", 2.0, True, True, T0),
        ("organic", 2.0, True, True, datetime(2026, 6, 30, 23)),  # MQL of the quarter before
    ]
    table = contact_cohorts(ibis.memtable(_leads(rows)), period=Q3, sla_hours=24.0)
    assert table.to_pyarrow().to_pylist() == [
        {"channel": "organic", "contact": "on_time", "mqls": 1, "accepted": 1, "opportunities": 1},
        {"channel": "webinar", "contact": "late", "mqls": 1, "accepted": 0, "opportunities": 0},
        {
            "channel": "webinar",
            "contact": "not_contacted",
            "mqls": 1,
            "accepted": 0,
            "opportunities": 0,
        },
        {"channel": "webinar", "contact": "on_time", "mqls": 2, "accepted": 2, "opportunities": 1},
    ]


def _cohorts(rows: list[tuple[str, str, int, int, int]]) -> pa.Table:
    keys = ("channel", "contact", "mqls", "accepted", "opportunities")
    return pa.table({k: [r[i] for r in rows] for i, k in enumerate(keys)})


def test_the_counterfactual_prices_extra_opportunities_at_win_rate_times_deal() -> None:
    """paid_search: 100 on time (60 accepted, 30 opportunities), 50 late (20, 10).

    Gap in opportunities = 30/100 - 10/50 = 0.1 -> 50 * 0.1 = 5 extra opportunities,
    worth 5 * 0.25 * 8000 = 10,000. Acceptance gap 0.6 - 0.4 = 0.2 -> 10 extra accepted.
    """
    speed = speed_to_lead(
        _cohorts([("paid_search", "on_time", 100, 60, 30), ("paid_search", "late", 50, 20, 10)]),
        sla_hours=24.0,
        win_rate=0.25,
        deal_size=8000.0,
    )
    row = speed.channels[0]
    assert row.reference == "channel"
    assert row.extra_opportunities == pytest.approx(5.0)
    assert row.extra_revenue == pytest.approx(10_000.0)
    assert row.extra_accepted == pytest.approx(10.0)
    assert row.late_share == pytest.approx(1 / 3)
    assert speed.correlational


def test_a_channel_that_is_almost_always_late_is_compared_with_all_channels_on_time() -> None:
    speed = speed_to_lead(
        _cohorts(
            [
                ("organic", "on_time", 400, 240, 120),
                ("organic", "late", 20, 8, 4),
                ("webinar", "on_time", 2, 2, 1),
                ("webinar", "late", 150, 60, 24),
                ("webinar", "not_contacted", 9, 0, 0),
            ]
        ),
        sla_hours=24.0,
        win_rate=0.3,
        deal_size=1000.0,
    )
    webinar = speed.channel("webinar")
    organic = speed.channel("organic")
    assert webinar is not None
    assert organic is not None
    assert webinar.on_time < MIN_REFERENCE
    assert webinar.reference == "all channels"
    assert webinar.acceptance.on_time_rate == pytest.approx(242 / 402)
    assert webinar.not_contacted == 9
    assert webinar.mqls == 161
    assert webinar.signal
    assert webinar.acceptance.significant
    # organic's late MQLs also converted worse, but they are a small share: no signal
    assert organic.reference == "channel"
    assert not organic.signal
    assert speed.all.late == 170


def test_without_a_win_rate_the_counterfactual_has_no_revenue() -> None:
    speed = speed_to_lead(
        _cohorts([("events", "on_time", 50, 25, 10), ("events", "late", 50, 20, 5)]),
        sla_hours=24.0,
        win_rate=None,
        deal_size=None,
    )
    assert speed.channels[0].extra_opportunities == pytest.approx(5.0)
    assert speed.channels[0].extra_revenue is None
    assert speed.to_dict()["channels"][0]["acceptance"]["late_rate"] == pytest.approx(0.4)  # type: ignore[index]
