"""The lead scorecard: the figures of every single lead metric, for several periods, in one query.

`lead_scorecard` must give, for each period and segment, exactly what
`mql_funnel`, `sales_sla`, `marketing_sla` and `speed_histogram` give on their
own: checked on the demo (read mid-quarter and after it) and on random
companies, plus the edge cases of its own (an empty period, overlapping ones).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ibis.expr import types as ir

from coparent.metrics import funnel, sla, speed
from coparent.metrics.periods import Period, parse_period
from coparent.metrics.scorecard import lead_scorecard

from ._tables import demo_con, one, rows, table
from .test_properties import START, Tables, _companies

Q2, Q3 = parse_period("2026-Q2"), parse_period("2026-Q3")
PERIODS = {"current": Q3, "previous": Q2}
FUNNEL = ("mqls", "accepted", "opportunities", "won", "mql_to_accepted")
FUNNEL += ("accepted_to_opportunity", "opportunity_to_won", "mql_to_won")
SALES = ("contacted", "never_contacted", "met", "missed", "pending", "share_within_sla")
SALES += ("mean_hours", "median_hours", "p75_hours", "p90_hours", "sla_hours", "attempts")
SALES += ("attempts_per_mql",)
MARKETING = ("rejected", "undecided", "acceptance_rate", "committed", "committed_to_date")
MARKETING += ("delivery_rate",)

Row = dict[str, Any]


def _expected(
    t: dict[str, ir.Table | None], period: Period, as_of: datetime | None, by: str | None
) -> dict[str | None, Row]:
    """The single metrics' figures per segment (None: all the period's MQLs)."""
    leads, opps, acts = t["leads"], t["opportunities"], t["activities"]
    assert leads is not None
    out: dict[str | None, Row] = {}
    for split in [None, by] if by else [None]:
        parts = [
            (
                funnel.mql_funnel(leads, opportunities=opps, period=period, as_of=as_of, by=split),
                FUNNEL,
            ),
            (sla.sales_sla(leads, activities=acts, period=period, as_of=as_of, by=split), SALES),
            (
                sla.marketing_sla(
                    leads,
                    opportunities=opps,
                    period=period,
                    as_of=as_of,
                    by=split,
                    commitment_per_month=150,
                ),
                MARKETING,
            ),
        ]
        for expr, keys in parts:
            for r in rows(expr):
                key = r[split] if split else None
                out.setdefault(key, {}).update({k: r[k] for k in keys})
        histogram = speed.speed_histogram(
            leads, activities=acts, period=period, as_of=as_of, by=split
        )
        for r in rows(histogram):
            key = r[split] if split else None
            out[key][f"hours_bin_{r['bin']}"] = r["count"]
    return out


def _assert_same(got: list[Row], want: dict[str, dict[str | None, Row]], by: str | None) -> None:
    seen = {(r["period"], r[by] if by else None): r for r in got}
    assert len(seen) == len(got)
    expected = {(p, seg): row for p, per in want.items() for seg, row in per.items()}
    assert seen.keys() == expected.keys()
    for key, row in expected.items():
        for name, value in row.items():
            have = seen[key][name]
            if isinstance(value, float):
                assert have == pytest.approx(value, rel=1e-12), (key, name)
            else:
                assert have == value, (key, name)


@pytest.mark.parametrize("as_of", [datetime(2026, 8, 20, 12), datetime(2026, 10, 1)])
def test_every_figure_is_the_single_metrics_figure_on_the_demo(as_of: datetime) -> None:
    con = demo_con()
    t: dict[str, ir.Table | None] = {
        n: con.table(n) for n in ("leads", "opportunities", "activities")
    }
    got = lead_scorecard(
        t["leads"],  # type: ignore[arg-type]
        periods=PERIODS,
        opportunities=t["opportunities"],
        activities=t["activities"],
        as_of=as_of,
        by="channel",
        commitment_per_month=150,
    )
    want = {name: _expected(t, p, as_of, "channel") for name, p in PERIODS.items()}
    _assert_same(rows(got), want, "channel")


@settings(max_examples=8, deadline=None)  # each example runs some twenty queries
@given(
    company=_companies(),
    read_after=st.none() | st.integers(0, 24 * 150),
    with_activities=st.booleans(),
    with_opportunities=st.booleans(),
)
def test_every_figure_is_the_single_metrics_figure_for_any_company(
    company: Tables, read_after: int | None, with_activities: bool, with_opportunities: bool
) -> None:
    as_of = None if read_after is None else START + timedelta(hours=read_after)
    t: dict[str, ir.Table | None] = {name: table(name, rs) for name, rs in company.items()}
    if not with_activities:
        t["activities"] = None
    if not with_opportunities:
        t["opportunities"] = None
    periods = {"jul": parse_period("2026-07"), "jun": parse_period("2026-06")}
    got = lead_scorecard(
        t["leads"],  # type: ignore[arg-type]
        periods=periods,
        opportunities=t["opportunities"],
        activities=t["activities"],
        as_of=as_of,
        by="channel",
        commitment_per_month=150,
    )
    want = {name: _expected(t, p, as_of, "channel") for name, p in periods.items()}
    _assert_same(rows(got), want, "channel")


def test_a_period_without_mqls_has_its_row_of_zeros() -> None:
    leads = table("leads", [{"lead_id": "L1", "mql_at": datetime(2026, 7, 2)}])
    got = rows(lead_scorecard(leads, periods=PERIODS, by="channel"), sort=["period", "channel"])
    assert [(r["period"], r["channel"], r["mqls"]) for r in got] == [
        ("current", "web", 1),
        ("current", None, 1),
        ("previous", None, 0),
    ]
    empty = got[-1]
    assert (empty["met"], empty["accepted"], empty["median_hours"]) == (0, 0, None)
    assert [empty[f"hours_bin_{i}"] for i in range(9)] == [0] * 9
    assert (empty["attempts"], empty["won"]) == (None, None)  # no activities, no opportunities


def test_without_by_there_is_one_row_per_period() -> None:
    leads = table("leads", [{"lead_id": "L1", "mql_at": datetime(2026, 4, 2)}])
    row = one(lead_scorecard(leads, periods={"q2": Q2}, commitment_per_month=10))
    assert (row["period"], row["mqls"], row["committed"], row["delivery_rate"]) == (
        "q2",
        1,
        30.0,
        1 / 30,
    )


def test_overlapping_periods_are_refused() -> None:
    leads = table("leads", [{"lead_id": "L1"}])
    with pytest.raises(ValueError, match="overlap"):
        lead_scorecard(leads, periods={"q3": Q3, "jul": parse_period("2026-07")})
    with pytest.raises(ValueError, match="at least one period"):
        lead_scorecard(leads, periods={})
