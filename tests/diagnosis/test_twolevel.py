"""Company level first, segments second: the same facts sliced two ways give one company bridge.

The facts are small "cells" of leads and deals (counts per stage in two periods, one
amount per won deal). A partition assigns every cell to a segment; two random
partitions of the same cells are two ways of slicing one company (by product, by
channel). The company-level effects must not move by a bit, and each one must be split
exactly into its segments' intensity and mix parts, zeros included: segments that
appear or disappear, stages with no count anywhere, deals with no amount.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ibis.backends import BaseBackend

from coparent.diagnosis._lmdi import DELTA
from coparent.diagnosis._twolevel import company_effects, segment_split
from coparent.diagnosis.bridge import LEAD_STAGES, StageCounts, revenue_bridge
from coparent.diagnosis.report import ReportInputs, build_report
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings

COUNTS = ("mqls", "accepted", "opportunities", "lost", "won", "rejected")
LOSS_REASONS = ("Price", "Missing feature", "Went dark", "Other")
REJECTION_REASONS = ("No budget", "Bad contact data", "Student")


@st.composite
def _period(draw: st.DrawFn) -> dict[str, Any]:
    counts = {c: draw(st.integers(0, 4)) for c in COUNTS}
    return counts | {
        "amount": draw(st.sampled_from([0, 1, 250, 1000, 4321, 90_000])),
        "loss_reason": draw(st.sampled_from(LOSS_REASONS)),
        "rejection_reason": draw(st.sampled_from(REJECTION_REASONS)),
    }


@st.composite
def _facts(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]]], list[int], list[int]]:
    """Cells (two periods each), a stage blanked company-wide now and then, two partitions."""
    cells = draw(st.lists(st.tuples(_period(), _period()), min_size=1, max_size=7))
    periods = [[dict(c[t]) for c in cells] for t in (0, 1)]
    for t in (0, 1):  # no acceptance data, no MQLs, no deals opened, no amounts ...
        for blank in draw(st.sets(st.sampled_from([*COUNTS, "amount"]), max_size=2)):
            for cell in periods[t]:
                cell[blank] = 0
    n = len(cells)
    parts = st.lists(st.integers(0, 3), min_size=n, max_size=n)
    return periods, draw(parts), draw(parts)


def _tables(
    periods: list[list[dict[str, Any]]], labels: list[int]
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The aggregates the engine would return for this partition of the cells."""
    flows: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    deals: dict[tuple[str, str, str, str | None], dict[str, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    rejected: dict[tuple[str, str, str], float] = defaultdict(float)
    for name, cells in zip(("baseline", "current"), periods, strict=True):
        for cell, label in zip(cells, labels, strict=True):
            seg = f"s{label}"
            row = flows[(name, seg)]
            won, lost, amount = cell["won"], cell["lost"], cell["amount"]
            for stage in ("mqls", "accepted", "opportunities"):
                row[stage] += cell[stage]
            row["closed"] += won + lost
            row["won"] += won
            row["revenue"] += won * amount
            w = deals[(name, seg, "won", None)]
            w["deals"] += won
            w["amount"] += won * amount
            if amount > 0:
                w["positive_amounts"] += won
                w["log_amount"] += won * math.log(amount)
                w["log_amount_squares"] += won * math.log(amount) ** 2
            deals[(name, seg, "lost", cell["loss_reason"])]["deals"] += lost
            rejected[(name, seg, cell["rejection_reason"])] += cell["rejected"]
    numbers = ("deals", "amount", "positive_amounts", "log_amount", "log_amount_squares")
    return (
        pa.Table.from_pylist(
            [
                {"period": p, "segment": s} | {k: r[k] for k in LEAD_STAGES}
                for (p, s), r in flows.items()
            ]
        ),
        pa.Table.from_pylist(
            [
                {"period": p, "segment": s, "status": st_, "loss_reason": reason}
                | {k: v[k] for k in numbers}
                for (p, s, st_, reason), v in deals.items()
            ]
        ),
        pa.Table.from_pylist(
            [
                {"period": p, "segment": s, "rejection_reason": r, "leads": int(n)}
                for (p, s, r), n in rejected.items()
            ]
        ),
    )


def _report(periods: list[list[dict[str, Any]]], labels: list[int]) -> dict[str, Any]:
    flows, deals, rejections = _tables(periods, labels)
    return build_report(
        ReportInputs(
            period="2026-Q3",
            baseline="2026-Q2",
            against="previous",
            segment_by="product",
            period_kind="quarter",
            flows=flows,
            deals=deals,
            rejections=rejections,
        )
    )


def _reconciles(report: dict[str, Any]) -> None:
    """The JSON contract: effects add up to the change, and per factor to its company effect."""
    revenue = report["revenue"]
    tol = 1e-9 * max(revenue["baseline"], revenue["current"], 1.0)
    effects = report["effects"]
    assert abs(sum(e["amount"] for e in effects) - revenue["change"]) <= tol
    totals = {t["factor"]: t["amount"] for t in report["factor_totals"]}
    assert list(totals) == report["factors"]
    for factor, amount in totals.items():
        intensity = [e["amount"] for e in effects if e["factor"] == factor]
        mix = [e["amount"] for e in effects if e["factor"] == "mix" and e["of"] == factor]
        assert abs(sum(intensity) + sum(mix) - amount) <= tol, factor
    assert {e["factor"] for e in effects} <= {*totals, "mix"}
    assert all(e["category"] is None for e in effects if e["factor"] == "mix")
    for seg in report["segments"]:  # each segment keeps its own one-level bridge
        own = sum(f["amount"] for f in seg["factors"])
        assert abs(own - seg["revenue"]["change"]) <= tol


@given(_facts())
def test_company_effects_do_not_depend_on_the_slicing_and_segments_split_them_exactly(
    facts: tuple[list[list[dict[str, Any]]], list[int], list[int]],
) -> None:
    periods, by_one, by_other = facts
    a, b = _report(periods, by_one), _report(periods, by_other)
    assert a["factors"] == b["factors"]
    assert [t["amount"] for t in a["factor_totals"]] == [t["amount"] for t in b["factor_totals"]]
    assert a["revenue"] == b["revenue"]
    assert a["notes"] == b["notes"]  # stages and factors left out are company-level decisions
    _reconciles(a)
    _reconciles(b)


def _stage_counts(periods: list[list[dict[str, Any]]], labels: list[int], t: int) -> StageCounts:
    names = sorted({f"s{x}" for x in labels})
    values = np.zeros((len(names), len(LEAD_STAGES)))
    for cell, label in zip(periods[t], labels, strict=True):
        won = cell["won"]
        row = [cell["mqls"], cell["accepted"], cell["opportunities"], won + cell["lost"], won]
        values[names.index(f"s{label}")] += [*row, won * cell["amount"]]
    return StageCounts(tuple(names), LEAD_STAGES, values)


@given(_facts())
def test_the_bridge_of_any_partition_has_the_same_company_effects_bit_for_bit(
    facts: tuple[list[list[dict[str, Any]]], list[int], list[int]],
) -> None:
    periods, by_one, by_other = facts
    bridges = [
        revenue_bridge(_stage_counts(periods, p, 0), _stage_counts(periods, p, 1))
        for p in (by_one, by_other)
    ]
    assert bridges[0].company.tolist() == bridges[1].company.tolist()
    assert bridges[0].dropped == bridges[1].dropped
    for bridge in bridges:
        scale = max(bridge.baseline.revenue.sum(), bridge.current.revenue.sum(), 1.0)
        assert abs(bridge.company.sum() - bridge.change) <= 1e-9 * scale
        parts = bridge.intensity.sum(axis=0) + bridge.mix.sum(axis=0)
        assert np.abs(parts - bridge.company).max() <= 1e-9 * scale
        assert not bridge.mix[:, 0].any()  # volume has no mix


def test_volume_has_the_sign_of_the_change_in_volume_whatever_the_segments_did() -> None:
    # more MQLs overall, but the big segment shrank: one-level sums call volume negative
    x0 = np.array([[100.0, 10, 100_000], [10, 5, 1_000]])
    x1 = np.array([[90.0, 9, 90_000], [40, 20, 4_000]])
    effects = company_effects(x0.sum(axis=0), x1.sum(axis=0))
    assert effects[0] > 0
    assert sum(x1[:, 0]) > sum(x0[:, 0])


def _split(x0: list[list[float]], x1: list[list[float]]) -> tuple[Any, Any, Any]:
    a0, a1 = np.array(x0), np.array(x1)
    effects = company_effects(a0.sum(axis=0), a1.sum(axis=0))
    intensity, mix = segment_split(a0, a1, effects)
    assert np.allclose(intensity.sum(axis=0) + mix.sum(axis=0), effects, rtol=0, atol=1e-9)
    return effects, intensity, mix


def test_a_segment_that_appears_moves_the_company_rates_by_mix_only() -> None:
    # leads, won, revenue: "b" is new and wins less; its own rates are undefined before
    effects, intensity, mix = _split([[10, 5, 500], [0, 0, 0]], [[10, 5, 500], [10, 1, 100]])
    assert intensity[1, 0] == pytest.approx(effects[0])  # its leads are the volume
    assert np.abs(intensity[:, 1:]).max() < 1e-9  # no segment's rate moved
    # the company's win rate fell from 50% to 30% by mix alone: "a" holds half the leads
    # now (-), "b" adds its few wins (+)
    assert effects[1] < 0
    assert mix[0, 1] < 0 < mix[1, 1]
    assert mix[:, 1].sum() == pytest.approx(effects[1])


def test_a_rate_that_falls_to_zero_is_all_intensity() -> None:
    # "b" keeps its leads but wins nothing: the limit of the small-value strategy
    effects, intensity, mix = _split([[10, 5, 500], [10, 2, 200]], [[10, 5, 500], [10, 0, 0]])
    assert mix[1, 1] == 0.0
    assert intensity[1, 1] < 0
    assert intensity[1, 1] + intensity[0, 1] + mix[0, 1] == pytest.approx(effects[1])


def test_deals_without_a_stage_before_them_are_mix() -> None:
    # "(no lead)": opportunities with no accepted lead in either period (its ratio is x/0)
    x0 = [[10, 6, 3, 300], [0, 0, 4, 400]]
    x1 = [[10, 6, 3, 300], [0, 0, 8, 800]]
    _, intensity, mix = _split(x0, x1)
    assert intensity[1, 2] == 0.0
    assert mix[1, 2] > 0


def test_revenue_gone_in_one_period_puts_the_change_on_the_factor_that_went_to_zero() -> None:
    # the company wins nothing this period: win rate takes the change, deal size is 0/0
    x0 = [[10, 5, 500], [10, 1, 100]]
    x1 = [[12, 0, 0], [8, 0, 0]]
    effects, intensity, mix = _split(x0, x1)
    assert effects.sum() == pytest.approx(-600.0, rel=1e-12)
    assert effects[2] == 0.0
    assert not intensity[:, 2].any()
    assert not mix[:, 2].any()
    assert effects[1] / -600 > 1 - 1 / math.log(1 / DELTA)
    assert mix[:, 1].tolist() == [0.0, 0.0]  # both rates fell to zero: intensity only


@pytest.mark.parametrize("seed", [0, 1])
def test_against_a_goal_the_rows_and_their_categories_reconcile_by_product_and_by_channel(
    seed: int, demo_con: Callable[[int], BaseBackend]
) -> None:
    settings = Settings(goal_won_revenue=1_200_000.0, marketing_mql_commitment=250)
    reports = [
        diagnosis_report(demo_con(seed), against="goal", by=by, settings=settings)
        for by in ("product", "channel")
    ]
    for report in reports:
        _reconciles(report)
        assert report["revenue"]["baseline"] == pytest.approx(1_200_000.0)
        categories = {e["category"] for e in report["effects"] if e["factor"] == "win_rate"}
        assert {"product", "market"} <= categories
        assert any(e["category"] for e in report["effects"] if e["factor"] == "acceptance")
    by_product, by_channel = ([t["amount"] for t in r["factor_totals"]] for r in reports)
    assert by_product == pytest.approx(by_channel, rel=1e-12)
