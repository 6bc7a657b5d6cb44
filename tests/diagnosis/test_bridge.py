"""The revenue bridge: DESIGN.md's worked example on real data, goals, exactness per segment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ibis.backends import BaseBackend

from coparent.diagnosis.bridge import (
    DEAL_STAGES,
    LEAD_STAGES,
    StageCounts,
    bridge_flows,
    goal_counts,
    revenue_bridge,
    stage_counts,
    what_it_would_take,
)
from coparent.metrics.periods import parse_period
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings

Q2, Q3 = parse_period("2017-Q2"), parse_period("2017-Q3")


def _maven_counts(con: BaseBackend) -> tuple[StageCounts, StageCounts]:
    flows = bridge_flows(
        con.table("opportunities"), leads=None, periods={"baseline": Q2, "current": Q3}
    ).to_pyarrow()
    segments = sorted(set(flows.column("segment").to_pylist()))
    x0, x1 = (
        stage_counts(flows, period=p, stages=DEAL_STAGES, segments=segments)
        for p in ("baseline", "current")
    )
    return x0, x1


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 1) for k, v in values.items()}


def test_maven_crm_2017_q3_against_q2_reproduces_the_design_worked_example(
    maven_con: BaseBackend,
) -> None:
    """DESIGN.md, "Revenue diagnosis": no leads, segments = products, O opened in the
    quarter, C closed in it, W won among those, R their close_value. Revenue 3,086,111 ->
    2,982,255 (-103,856). Company level (O 2,388 -> 2,770, C 2,032 -> 2,047, W 1,254 ->
    1,257): volume +450,201.9, pace -427,888.3, win rate -15,064.1, deal size -111,105.4.
    By product (Xu & Ang 2014): intensity +450,201.9, -423,096.3, -17,364.7, -16,694.0;
    mix pace -4,792.0, win rate +2,300.6, deal size -94,411.4. The one-level per-product
    sums: +300,870.1, -296,966.4, -91,066.1, -16,693.7."""
    x0, x1 = _maven_counts(maven_con)
    assert len(x0.segments) == 7
    assert (x0.revenue.sum(), x1.revenue.sum()) == (3_086_111.0, 2_982_255.0)
    assert x0.total().values[0, :3].tolist() == [2_388, 2_032, 1_254]
    assert x1.total().values[0, :3].tolist() == [2_770, 2_047, 1_257]
    bridge = revenue_bridge(x0, x1)
    factors = bridge.factors
    assert _rounded(bridge.factor_totals()) == {
        "volume": 450_201.9,
        "pace": -427_888.3,
        "win_rate": -15_064.1,
        "deal_size": -111_105.4,
    }
    intensity = dict(zip(factors, bridge.intensity.sum(axis=0).tolist(), strict=True))
    mix = dict(zip(factors, bridge.mix.sum(axis=0).tolist(), strict=True))
    assert _rounded(intensity) == {
        "volume": 450_201.9,
        "pace": -423_096.3,
        "win_rate": -17_364.7,
        "deal_size": -16_694.0,
    }
    assert _rounded(mix) == {
        "volume": 0.0,
        "pace": -4_792.0,
        "win_rate": 2_300.6,
        "deal_size": -94_411.4,
    }
    assert _rounded(bridge.segment_sums()) == {
        "volume": 300_870.1,
        "pace": -296_966.4,
        "win_rate": -91_066.1,
        "deal_size": -16_693.7,
    }
    assert sum(bridge.factor_totals().values()) == pytest.approx(-103_856.0, abs=1e-6)
    assert sum(bridge.segment_sums().values()) == pytest.approx(-103_856.0, abs=1e-6)


def test_maven_report_names_volume_pace_and_the_product_whose_deals_stopped_closing(
    maven_con: BaseBackend,
) -> None:
    report = diagnosis_report(maven_con, period="2017-Q3", settings=Settings())
    assert report["bridge_starts_at"] == "opportunities"
    assert report["revenue"] == {
        "current": 2_982_255.0,
        "baseline": 3_086_111.0,
        "change": -103_856.0,
        "change_percent": pytest.approx(-103_856 / 3_086_111),
    }
    totals = {r["factor"]: r for r in report["factor_totals"]}  # type: ignore[attr-defined]
    assert {f: round(r["amount"], 1) for f, r in totals.items()} == {
        "volume": 450_201.9,
        "pace": -427_888.3,
        "win_rate": -15_064.1,
        "deal_size": -111_105.4,
    }
    assert {f: r["significant"] for f, r in totals.items()} == {
        "volume": True,
        "pace": True,
        "win_rate": False,
        "deal_size": False,
    }
    effects: list[dict[str, Any]] = report["effects"]  # type: ignore[assignment]
    assert sum(e["amount"] for e in effects) == pytest.approx(-103_856.0, abs=1e-6)
    mix = {f: sum(e["amount"] for e in effects if e.get("of") == f) for f in totals}
    assert _rounded(mix) == {
        "volume": 0.0,
        "pace": -4_792.0,
        "win_rate": 2_300.6,
        "deal_size": -94_411.4,
    }
    one_level = {
        f["factor"]: f["amount"]
        for seg in report["segments"]  # type: ignore[attr-defined]
        for f in seg["factors"]
        if seg["segment"] == "GTX Pro"
    }
    assert sum(one_level.values()) == pytest.approx(1_096_599.0 - 1_078_522.0, abs=1e-6)
    assert any("No leads table" in n for n in report["notes"])  # type: ignore[attr-defined]
    assert report["headline"] == (
        "Revenue fell 3.4% (-$103,856) from 2017-Q2 to 2017-Q3; outside normal variation: "
        "more opportunities opened (+$450,202), fewer deals closed in the quarter "
        "(-$427,888) and a process signal in MG Special (-$136,340)."
    )


def _counts(rows: list[list[float]], stages: tuple[str, ...] = DEAL_STAGES) -> StageCounts:
    return StageCounts(tuple(f"s{i}" for i in range(len(rows))), stages, np.array(rows, float))


def test_the_goal_vector_multiplies_to_the_goal_and_asks_each_free_factor_the_same() -> None:
    base = _counts([[100, 60, 30, 25, 10, 50_000], [50, 30, 20, 10, 5, 10_000]], LEAD_STAGES)
    goal = goal_counts(base, revenue=90_000.0, volume=120.0)
    assert goal.revenue.sum() == pytest.approx(90_000.0)
    assert goal.stage("mqls").sum() == pytest.approx(120.0)
    assert goal.revenue.tolist() == pytest.approx([75_000.0, 15_000.0])  # baseline shares
    ratios = goal.factor_values()[:, 1:] / base.factor_values()[:, 1:]
    # theta = 1.5, phi = 0.8: each of the five rates is scaled by (1.5 / 0.8) ** (1/5)
    assert ratios == pytest.approx(np.full((2, 5), (1.5 / 0.8) ** 0.2))


def test_without_a_commitment_the_goal_scales_volume_with_the_rates() -> None:
    base = _counts([[10, 8, 4, 4000]])
    goal = goal_counts(base, revenue=8000.0)
    ratio = goal.factor_values() / base.factor_values()
    assert ratio == pytest.approx(np.full((1, 4), 2**0.25))


def test_a_goal_needs_baseline_revenue() -> None:
    with pytest.raises(ValueError, match="no revenue"):
        goal_counts(_counts([[10, 0, 0, 0]]), revenue=100.0)


def test_what_it_would_take_asks_each_factor_the_same_change_and_flags_the_impossible() -> None:
    now = _counts([[100, 80, 60, 60_000.0]])
    rows = {r.factor: r for r in what_it_would_take(now, goal_revenue=120_000.0)}
    assert rows["volume"].needed == pytest.approx(200.0)
    assert rows["win_rate"].current == pytest.approx(0.75)
    assert rows["win_rate"].needed == pytest.approx(1.5)
    assert not rows["win_rate"].feasible
    assert rows["deal_size"].change == pytest.approx(1000.0)
    assert [r.relative_change for r in rows.values()] == pytest.approx([1.0] * 4)


segments = st.lists(
    st.tuples(
        st.lists(st.integers(0, 500), min_size=3, max_size=3),
        st.lists(st.integers(0, 500), min_size=3, max_size=3),
        st.floats(0, 1e6),
        st.floats(0, 1e6),
    ),
    min_size=1,
    max_size=8,
)


def _pair(rows: list[tuple[list[int], list[int], float, float]]) -> tuple[StageCounts, StageCounts]:
    def period(t: int) -> StageCounts:
        values = []
        for counts0, counts1, revenue0, revenue1 in rows:
            counts = [float(c) for c in (counts0, counts1)[t]]
            revenue = (revenue0, revenue1)[t] if counts[2] > 0 else 0.0
            values.append([*counts, revenue])
        return _counts(values)

    return period(0), period(1)


@given(segments)
def test_segment_effects_sum_to_the_total_change_with_zeros_and_segments_that_come_and_go(
    rows: list[tuple[list[int], list[int], float, float]],
) -> None:
    x0, x1 = _pair(rows)
    bridge = revenue_bridge(x0, x1)
    scale = max(x0.revenue.sum(), x1.revenue.sum(), 1.0)
    assert abs(bridge.effects.sum() - bridge.change) <= 1e-9 * scale
    per_segment = bridge.effects.sum(axis=1)
    assert np.abs(per_segment - (x1.revenue - x0.revenue)).max() <= 1e-9 * scale


@given(segments, st.randoms())
def test_the_bridge_ignores_the_order_of_segments(
    rows: list[tuple[list[int], list[int], float, float]], rng: object
) -> None:
    x0, x1 = _pair(rows)
    order = list(range(len(rows)))
    rng.shuffle(order)  # type: ignore[attr-defined]
    shuffled = revenue_bridge(
        StageCounts(x0.segments, x0.stages, x0.values[order]),
        StageCounts(x1.segments, x1.stages, x1.values[order]),
    )
    original = revenue_bridge(x0, x1)
    assert shuffled.effects == pytest.approx(original.effects[order], rel=1e-12, abs=1e-9)


def test_bridge_flows_ignore_row_order(demo_con) -> None:  # type: ignore[no-untyped-def]
    import ibis

    con = demo_con(0)
    opps = con.table("opportunities").to_pyarrow()
    leads = con.table("leads").to_pyarrow()
    periods = {"baseline": parse_period("2026-Q2"), "current": parse_period("2026-Q3")}
    rng = np.random.default_rng(7)

    def shuffled(t: pa.Table) -> pa.Table:
        return t.take(pa.array(rng.permutation(t.num_rows)))

    a = bridge_flows(ibis.memtable(opps), leads=ibis.memtable(leads), periods=periods)
    b = bridge_flows(
        ibis.memtable(shuffled(opps)), leads=ibis.memtable(shuffled(leads)), periods=periods
    )
    assert a.to_pyarrow().equals(b.to_pyarrow())
