"""Every metric ignores the order of its input rows (the engine may read them in any order)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ibis.expr import types as ir

from coparent.metrics import deals, funnel, goals, scorecard, sla, speed
from coparent.metrics.periods import parse_period

from ._tables import rows, table

START = datetime(2026, 6, 1)
Q3 = parse_period("2026-Q3")
_moment = st.none() | st.integers(0, 24 * 120).map(lambda h: START + timedelta(hours=h))

Tables = dict[str, list[dict[str, Any]]]


@st.composite
def _companies(draw: st.DrawFn) -> Tables:
    leads, opps, acts = [], [], []
    for i in range(draw(st.integers(0, 15))):
        mql = draw(_moment)
        leads.append(
            {
                "lead_id": f"L{i}",
                "channel": draw(st.sampled_from(["paid", "webinar"])),
                "mql_at": mql,
                "first_contacted_at": draw(_moment),
                "accepted_at": draw(_moment),
                "rejected_at": draw(_moment),
                "opportunity_id": f"O{i}" if draw(st.booleans()) else None,
            }
        )
        for _ in range(draw(st.integers(0, 2))):
            acts.append(
                {"activity_id": f"A{len(acts)}", "lead_id": f"L{i}", "occurred_at": draw(_moment)}
            )
    for i in range(draw(st.integers(0, 15))):
        status = draw(st.sampled_from(["open", "won", "lost"]))
        opps.append(
            {
                "opportunity_id": f"O{i}",
                "product_id": draw(st.sampled_from(["pro", "starter", None])),
                "lead_id": f"L{i}",
                "status": status,
                "created_at": draw(_moment),
                "closed_at": None if status == "open" else draw(_moment),
                "amount": draw(st.none() | st.integers(0, 1000).map(float)),
            }
        )
    return {"leads": leads, "opportunities": opps, "activities": acts}


LATER = START + timedelta(days=60)


def _metrics(t: dict[str, ir.Table]) -> dict[str, tuple[ir.Table, list[str]]]:
    """Each metric's expression on tables ``t``, with the columns that order its rows."""
    leads, opps, acts = t["leads"], t["opportunities"], t["activities"]
    return {
        "funnel": (funnel.mql_funnel(leads, opportunities=opps, by="channel"), ["channel"]),
        "cohorts": (funnel.cohort_conversion(leads, opportunities=opps), ["cohort"]),
        "speed": (speed.speed_to_lead(leads, activities=acts, by="channel"), ["channel"]),
        "histogram": (speed.speed_histogram(leads, period=Q3), ["bin"]),
        "sales_sla": (sla.sales_sla(leads, activities=acts, period=Q3), []),
        "marketing_sla": (sla.marketing_sla(leads, period=Q3, commitment_per_month=3), []),
        "compliance": (sla.sla_compliance(leads, period=Q3), ["bucket"]),
        "scorecard": (
            scorecard.lead_scorecard(
                leads,
                periods={"q3": Q3, "q2": parse_period("2026-Q2")},
                opportunities=opps,
                activities=acts,
                as_of=LATER,
                by="channel",
            ),
            ["period", "channel"],
        ),
        "deals": (deals.deal_summary(opps, by=["product_id", "month"]), ["product_id", "month"]),
        "pipeline": (deals.open_pipeline(opps, as_of=LATER, by="product_id"), ["product_id"]),
        "goal": (goals.goal_progress(opps, period=Q3, target=500, as_of=LATER), []),
    }


def _run(data: Tables) -> dict[str, list[dict[str, Any]]]:
    tables = {name: table(name, rs) for name, rs in data.items()}
    return {name: rows(expr, sort=keys or None) for name, (expr, keys) in _metrics(tables).items()}


@settings(max_examples=6)  # eleven metrics per example; the golden tests carry the detail
@given(company=_companies(), seed=st.integers(0, 2**16))
def test_every_metric_gives_the_same_result_for_shuffled_rows(company: Tables, seed: int) -> None:
    rng = random.Random(seed)
    shuffled = {name: rng.sample(rs, len(rs)) for name, rs in company.items()}
    assert _run(company) == _run(shuffled)
