"""Verdict rules, one scenario each, built from small aggregated tables (no engine needed)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pytest

from coparent.diagnosis.report import ReportInputs, build_report

STAGES = ("mqls", "accepted", "opportunities", "closed", "won")


@dataclass
class Period:
    """One segment's period: stage counts, loss and rejection reasons, won amounts."""

    mqls: int = 1000
    accepted: int = 600
    opportunities: int = 300
    closed: int = 250
    won: int = 100
    losses: dict[str, int] = field(
        default_factory=lambda: {"Price": 90, "Went dark": 40, "Missing feature": 20}
    )
    rejections: dict[str, int] = field(
        default_factory=lambda: {"No budget": 250, "Bad contact data": 150}
    )
    deal: float = 1000.0

    def amounts(self) -> list[float]:
        # a fixed spread of deal sizes around `deal`, the same shape in every period
        return [self.deal * f for f in (0.5, 0.8, 1.0, 1.2, 1.5)] * (self.won // 5)


def _tables(segments: dict[str, tuple[Period, Period]]) -> tuple[pa.Table, pa.Table, pa.Table]:
    flows: list[dict[str, Any]] = []
    deals: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    for name, pair in segments.items():
        for label, p in zip(("baseline", "current"), pair, strict=True):
            amounts = p.amounts()
            flows.append(
                {"period": label, "segment": name, **{s: getattr(p, s) for s in STAGES}}
                | {"revenue": sum(amounts)}
            )
            logs = [math.log(a) for a in amounts]
            deals.append(
                {
                    "period": label,
                    "segment": name,
                    "status": "won",
                    "loss_reason": None,
                    "deals": p.won,
                    "amount": sum(amounts),
                    "positive_amounts": len(amounts),
                    "log_amount": sum(logs),
                    "log_amount_squares": sum(x * x for x in logs),
                }
            )
            for reason, n in p.losses.items():
                deals.append(
                    {"period": label, "segment": name, "status": "lost", "loss_reason": reason}
                    | {"deals": n, "amount": 0.0, "positive_amounts": 0}
                    | {"log_amount": 0.0, "log_amount_squares": 0.0}
                )
            for reason, n in p.rejections.items():
                rejections.append(
                    {"period": label, "segment": name, "rejection_reason": reason, "leads": n}
                )
    return (
        pa.Table.from_pylist(flows),
        pa.Table.from_pylist(deals),
        pa.Table.from_pylist(rejections),
    )


def _report(segments: dict[str, tuple[Period, Period]]) -> dict[str, Any]:
    flows, deals, rejections = _tables(segments)
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


def _verdict(report: dict[str, Any], segment: str) -> dict[str, Any]:
    verdicts: list[dict[str, Any]] = report["verdicts"]
    return next(v for v in verdicts if v["segment"] == segment)


def test_a_win_rate_drop_led_by_product_losses_is_a_product_signal() -> None:
    after = Period(won=50, losses={"Price": 80, "Went dark": 30, "Missing feature": 90})
    verdict = _verdict(_report({"p": (Period(), after)}), "p")
    assert verdict["signal"] == "product"
    assert "win rate went from 40% (100 of 250 closed) to 20% (50 of 250)" in verdict["evidence"][0]
    assert (
        "were given for 90 of 200 lost deals (45%), against 20 of 150 (13%)"
        in (verdict["evidence"][1])
    )


def test_a_win_rate_drop_led_by_market_losses_is_no_product_or_process_signal() -> None:
    after = Period(won=50, losses={"Price": 150, "Went dark": 30, "Missing feature": 20})
    verdict = _verdict(_report({"m": (Period(), after)}), "m")
    assert verdict["signal"] == "none"
    assert any("win rate went from 40%" in s for s in verdict["evidence"])


def test_a_conversion_drop_is_a_process_signal() -> None:
    after = Period(opportunities=180)
    verdict = _verdict(_report({"c": (Period(), after)}), "c")
    assert verdict["signal"] == "process"
    assert "conversion" in verdict["evidence"][0]


def test_an_acceptance_drop_with_process_rejections_is_a_process_signal() -> None:
    after = Period(accepted=400, rejections={"No budget": 250, "Bad contact data": 350})
    verdict = _verdict(_report({"a": (Period(), after)}), "a")
    assert verdict["signal"] == "process"
    assert any("process-category reasons" in s for s in verdict["evidence"])


def test_fewer_mqls_at_unchanged_rates_is_a_volume_signal() -> None:
    after = Period(mqls=600, accepted=360, opportunities=180, closed=150, won=60)
    after.losses = {"Price": 54, "Went dark": 24, "Missing feature": 12}
    after.rejections = {"No budget": 150, "Bad contact data": 90}
    verdict = _verdict(_report({"v": (Period(), after)}), "v")
    assert verdict["signal"] == "volume"
    assert verdict["evidence"][0].startswith("v: MQLs went from 1,000 to 600")


def test_small_changes_are_within_normal_variation_and_no_signal() -> None:
    after = Period(mqls=980, accepted=590, opportunities=290, closed=245, won=95)
    report = _report({"n": (Period(), after)})
    verdict = _verdict(report, "n")
    assert verdict["signal"] == "none"
    assert "within normal variation" in verdict["evidence"][-1]
    assert not any(e["significant"] for e in report["effects"])


def test_a_significant_improvement_is_listed_as_went_well() -> None:
    after = Period(
        won=150, closed=250, losses={"Price": 60, "Went dark": 25, "Missing feature": 15}
    )
    verdict = _verdict(_report({"w": (Period(), after)}), "w")
    assert verdict["signal"] == "none"
    assert any("win rate went from 40%" in s for s in verdict["went_well"])


def test_when_several_signals_hold_the_largest_loss_names_the_verdict() -> None:
    after = Period(mqls=750, won=40, losses={"Price": 80, "Went dark": 30, "Missing feature": 100})
    verdict = _verdict(_report({"x": (Period(), after)}), "x")
    assert verdict["signal"] == "product"
    assert any("MQLs went from" in s for s in verdict["evidence"][2:])


def test_effect_rows_partition_the_company_effects_and_segments_keep_their_own() -> None:
    report = _report(
        {
            "p": (Period(), Period(won=50, losses={"Price": 80, "Missing feature": 120})),
            "q": (Period(), Period(accepted=500)),
        }
    )
    effects = report["effects"]
    change = report["revenue"]["change"]
    assert sum(e["amount"] for e in effects) == pytest.approx(change, abs=1e-6)
    for total in report["factor_totals"]:
        rows = [e for e in effects if total["factor"] in (e["factor"], e.get("of"))]
        assert sum(e["amount"] for e in rows) == pytest.approx(total["amount"], abs=1e-6)
    for seg in report["segments"]:
        own = {f["factor"]: f["amount"] for f in seg["factors"]}
        assert sum(own.values()) == pytest.approx(seg["revenue"]["change"], abs=1e-6)
        # the loss categories partition the segment's own win-rate effect
        assert sum(m["amount"] for m in seg["loss_mix"]) == pytest.approx(own["win_rate"], abs=1e-6)
        rows = [e for e in effects if e["segment"] == seg["segment"] and e["factor"] == "win_rate"]
        assert {e["category"] for e in rows} >= {"product", "market"}
