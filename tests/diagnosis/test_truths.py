"""On the demo company, the diagnosis finds what was planted, and only that, for several seeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pytest
from ibis.backends import BaseBackend

from coparent.demo import DemoCompany
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings

from ._approx import differences
from .conftest import SEEDS

Report = dict[str, Any]
BY: tuple[Literal["product", "channel"], ...] = ("product", "channel")


@pytest.fixture(scope="module")
def reports(
    demo: Callable[[int], DemoCompany], demo_con: Callable[[int], BaseBackend]
) -> dict[tuple[int, str], Report]:
    out: dict[tuple[int, str], Report] = {}
    for seed in SEEDS:
        for by in BY:
            out[(seed, by)] = diagnosis_report(demo_con(seed), by=by, settings=Settings())
    return out


def _verdicts(report: Report) -> dict[str, Report]:
    return {v["segment"]: v for v in report["verdicts"]}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_product_gap_product_gets_a_product_verdict_in_the_latest_quarter(
    seed: int, demo: Callable[[int], DemoCompany], reports: dict[tuple[int, str], Report]
) -> None:
    truth: dict[str, Any] = demo(seed).truth("product_gap").facts
    report = reports[(seed, "product")]
    assert (report["period"], report["baseline"]) == (truth["quarter"], truth["baseline_quarter"])
    verdicts = _verdicts(report)
    assert verdicts[truth["product_id"]]["signal"] == "product"
    assert all(v["signal"] != "product" for s, v in verdicts.items() if s != truth["product_id"])
    product_part = [
        e
        for e in report["effects"]
        if e["segment"] == truth["product_id"]
        and e["factor"] == "win_rate"
        and e["category"] == "product"
    ]
    assert len(product_part) == 1
    assert product_part[0]["amount"] < 0
    assert product_part[0]["significant"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_slow_channel_shows_the_process_signal_through_speed_to_lead(
    seed: int, demo: Callable[[int], DemoCompany], reports: dict[tuple[int, str], Report]
) -> None:
    truth: dict[str, Any] = demo(seed).truth("slow_channel").facts
    slow = truth["channel"]
    speed = reports[(seed, "product")]["speed_to_lead"]
    assert speed["correlational"] is True
    rows = {r["channel"]: r for r in speed["channels"]}
    assert rows[slow]["signal"] is True
    assert rows[slow]["late_share"] > 0.8
    assert rows[slow]["extra_opportunities"] > 0
    assert rows[slow]["extra_revenue"] > 0
    assert [c for c, r in rows.items() if r["signal"]] == [slow]
    by_channel = _verdicts(reports[(seed, "channel")])[slow]
    assert any("first contact more than 24 hours" in s for s in by_channel["evidence"])
    assert by_channel["signal"] in ("process", "product")  # the product gap also flows through it
    narrative = reports[(seed, "channel")]["narrative"]
    assert f"For {slow} MQLs: agree together on a first-contact plan" in narrative


@pytest.mark.parametrize("seed", SEEDS)
def test_the_noise_only_product_is_within_normal_variation_with_no_verdict(
    seed: int, demo: Callable[[int], DemoCompany], reports: dict[tuple[int, str], Report]
) -> None:
    truth: dict[str, Any] = demo(seed).truth("noise_change").facts
    segment = truth["segment"]["product_id"]
    report = reports[(seed, "product")]
    assert (report["period"], report["baseline"]) == (truth["quarter"], truth["baseline_quarter"])
    rows = [e for e in report["effects"] if e["segment"] == segment]
    assert rows
    assert not any(e["significant"] for e in rows)
    seg = next(s for s in report["segments"] if s["segment"] == segment)
    assert not any(f["significant"] for f in seg["factors"])
    verdict = _verdicts(report)[segment]
    assert verdict["signal"] == "none"
    assert "within normal variation" in verdict["evidence"][-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_effects_add_up_to_the_revenue_change_on_the_demo(
    seed: int, reports: dict[tuple[int, str], Report]
) -> None:
    for by in ("product", "channel"):
        report = reports[(seed, by)]
        change = report["revenue"]["change"]
        total = sum(e["amount"] for e in report["effects"])
        assert total == pytest.approx(change, abs=1e-9 * report["revenue"]["current"])


def test_unknown_loss_reasons_of_the_demo_are_listed_not_dropped(
    reports: dict[tuple[int, str], Report],
) -> None:
    listed = {(r["kind"], r["reason"]) for r in reports[(0, "product")]["unclassified_reasons"]}
    assert ("loss", "Other") in listed
    assert ("loss", None) in listed  # blank reasons are counted too


@pytest.mark.parametrize("seed", SEEDS)
def test_the_headline_names_the_product_gap_as_a_product_signal(
    seed: int, demo: Callable[[int], DemoCompany], reports: dict[tuple[int, str], Report]
) -> None:
    truth: dict[str, Any] = demo(seed).truth("product_gap").facts
    products = demo(seed).tables["products"].to_pylist()
    name = next(p["name"] for p in products if p["product_id"] == truth["product_id"])
    report = reports[(seed, "product")]
    assert f"a product signal in {name} (-" in report["headline"]
    assert len(report["headline"].split()) <= 30
    (signal,) = [
        f
        for f in report["findings"]
        if f["kind"] == "verdict" and f["segment"] == truth["product_id"]
    ]
    assert (signal["factor"], signal["significant"]) == ("win_rate", True)
    intensity = sum(
        e["amount"]
        for e in report["effects"]
        if e["segment"] == truth["product_id"] and e["factor"] == "win_rate"
    )
    assert signal["amount"] == pytest.approx(intensity)


@pytest.mark.parametrize("seed", SEEDS)
def test_findings_are_ranked_by_size_and_agree_with_the_factor_totals(
    seed: int, reports: dict[tuple[int, str], Report]
) -> None:
    for by in BY:
        report = reports[(seed, by)]
        findings = report["findings"]
        sizes = [abs(f["amount"]) for f in findings]
        assert sizes == sorted(sizes, reverse=True)
        factors = {f["factor"]: f for f in findings if f["kind"] == "factor"}
        for total in report["factor_totals"]:
            found = factors[total["factor"]]
            assert (found["amount"], found["significant"]) == (
                total["amount"],
                total["significant"],
            )
            if not total["significant"]:
                assert "within normal variation" in found["text"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_company_bridge_is_the_same_by_product_and_by_channel(
    seed: int, demo_con: Callable[[int], BaseBackend], reports: dict[tuple[int, str], Report]
) -> None:
    pairs = [(reports[(seed, "product")], reports[(seed, "channel")])]
    if seed == 0:
        pairs.append(
            tuple(  # type: ignore[arg-type]
                diagnosis_report(
                    demo_con(seed),
                    period="2026-Q3",
                    against="last-year",
                    by=by,
                    settings=Settings(),
                )
                for by in BY
            )
        )
    for by_product, by_channel in pairs:
        a, b = by_product["factor_totals"], by_channel["factor_totals"]
        assert [t["amount"] for t in a] == [t["amount"] for t in b]  # exactly
        assert differences(a, b, rel=1e-12) == []  # values and intervals too
        volume = next(t for t in a if t["factor"] == "volume")
        assert (volume["amount"] > 0) == (volume["current"] > volume["baseline"])
