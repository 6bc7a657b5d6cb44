"""Splits by reason category: exact parts, and aggregates that agree with the bridge's flows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ibis.backends import BaseBackend

from coparent.diagnosis.bridge import bridge_flows
from coparent.diagnosis.splits import closed_deals, reason_counts, rejections, split_effect
from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
from coparent.metrics.periods import parse_period

PERIODS = {"baseline": parse_period("2026-Q2"), "current": parse_period("2026-Q3")}
finite = st.floats(-1e6, 1e6, allow_nan=False)
share = st.floats(0, 1)


@given(st.lists(st.tuples(finite, st.lists(share, min_size=4, max_size=4)), min_size=1))
def test_loss_category_parts_add_up_exactly_to_the_win_rate_effect(
    rows: list[tuple[float, list[float]]],
) -> None:
    effect = np.array([r[0] for r in rows])
    delta_shares = np.array([r[1] for r in rows]) - 0.5
    parts, rest = split_effect(effect, np.zeros(len(rows)), delta_shares, complete=True)
    totals = parts.sum(axis=1) + rest
    assert np.abs(totals - effect).max() <= 1e-9 * max(1.0, np.abs(effect).max())
    moved = delta_shares.sum(axis=1) != 0
    assert (rest[moved] == 0).all()


@given(
    st.lists(
        st.tuples(finite, st.floats(-1, 1), st.lists(share, min_size=4, max_size=4)), min_size=1
    )
)
def test_rejection_parts_and_the_rest_add_up_to_the_acceptance_effect(
    rows: list[tuple[float, float, list[float]]],
) -> None:
    effect = np.array([r[0] for r in rows])
    delta_rate = np.array([r[1] for r in rows])
    delta_shares = np.array([r[2] for r in rows]) - 0.5
    parts, rest = split_effect(effect, delta_rate, delta_shares, complete=False)
    assert np.isfinite(parts).all()
    assert np.abs(parts.sum(axis=1) + rest - effect).max() <= 1e-9 * max(
        1.0, np.abs(parts).max(), np.abs(effect).max()
    )


def test_a_rate_that_did_not_move_leaves_the_whole_effect_uncategorised() -> None:
    parts, rest = split_effect(
        np.array([50.0]), np.array([0.0]), np.array([[0.1, -0.1, 0, 0]]), complete=False
    )
    assert parts.tolist() == [[0.0] * 4]
    assert rest.tolist() == [50.0]


@pytest.mark.parametrize("by", ["product_id", "channel"])
def test_closed_deals_agree_with_the_flows_of_the_bridge(
    demo_con: Callable[[int], BaseBackend], by: str
) -> None:
    con = demo_con(0)
    opps, leads = con.table("opportunities"), con.table("leads")
    flows = bridge_flows(opps, leads=leads, periods=PERIODS, by=by).to_pyarrow()  # type: ignore[arg-type]
    deals = closed_deals(opps, leads=leads, periods=PERIODS, by=by).to_pyarrow()  # type: ignore[arg-type]
    got: dict[tuple[str, str], list[float]] = {}
    for r in deals.to_pylist():
        key = got.setdefault((r["period"], r["segment"]), [0, 0, 0.0])
        key[0] += r["deals"]
        if r["status"] == "won":
            key[1] += r["deals"]
            key[2] += r["amount"]
    expected = {
        (r["period"], r["segment"]): [r["closed"], r["won"], r["revenue"]]
        for r in flows.to_pylist()
        if r["closed"]
    }
    assert got == expected


def test_rejections_count_each_rejected_lead_of_the_period_once(
    demo_con: Callable[[int], BaseBackend],
) -> None:
    con = demo_con(0)
    leads = con.table("leads")
    table = rejections(leads, periods=PERIODS).to_pyarrow()
    q3 = PERIODS["current"]
    direct = leads.filter(
        (leads.rejected_at >= q3.start_at) & (leads.rejected_at < q3.end_at)
    ).count()
    current = sum(r["leads"] for r in table.to_pylist() if r["period"] == "current")
    assert current == direct.to_pyarrow().as_py() > 0


def test_reason_counts_categorise_the_short_list_and_list_unknown_reasons() -> None:
    table = pa.table(
        {
            "period": ["current"] * 5 + ["baseline"],
            "segment": ["a", "a", "a", "b", "a", "a"],
            "status": ["lost"] * 4 + ["won", "lost"],
            "loss_reason": ["Price", "Missing feature", "Other", None, None, "Price"],
            "deals": [3, 2, 4, 1, 9, 5],
        }
    )
    counted = reason_counts(
        table,
        period="current",
        segments=["a", "b"],
        reason_col="loss_reason",
        count_col="deals",
        taxonomy=Taxonomy.for_losses(),
        where={"status": "lost"},
    )
    assert dict(zip(CATEGORIES, counted.counts[0].tolist(), strict=True)) == {
        "product": 2,
        "process": 0,
        "market": 3,
        "unclassified": 4,
    }
    assert counted.counts[1].tolist() == [0, 0, 0, 1]
    assert counted.unknown == {"Other": 4, None: 1}
