from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coparent.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    ws = tmp_path_factory.mktemp("reports") / "ws"
    result = runner.invoke(app, ["demo", "-w", str(ws), "--no-serve"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Scorecard 2026-Q3" in result.output
    assert "Diagnosis 2026-Q3 against 2026-Q2:" in result.output
    return str(ws)


def test_scorecard_json_has_the_contract_fields(demo_ws: str) -> None:
    result = runner.invoke(app, ["scorecard", "-w", demo_ws, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"period", "revenue", "win_rate", "funnel", "sla", "goal", "products"} <= set(report)
    assert [row["stage"] for row in report["funnel"]] == ["mql", "accepted", "opportunity", "won"]
    assert {"sales", "marketing"} <= set(report["sla"])
    assert report["goal"] is None
    for row in report["products"]:
        assert {"product_id", "won", "lost", "win_rate", "revenue"} <= set(row)


def test_a_goal_setting_appears_on_the_scorecard(demo_ws: str) -> None:
    result = runner.invoke(
        app, ["scorecard", "-w", demo_ws, "--json", "-s", "goal_won_revenue=1000000"]
    )
    goal = json.loads(result.output)["goal"]
    assert goal["target"] == 1_000_000
    text = runner.invoke(
        app, ["scorecard", "-w", demo_ws, "-s", "goal_won_revenue=1000000"], terminal_width=200
    ).output
    assert "Shared goal:" in text


def test_diagnose_json_has_the_contract_fields_and_finds_the_product_gap(demo_ws: str) -> None:
    result = runner.invoke(app, ["diagnose", "-w", demo_ws, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {
        "period",
        "baseline",
        "segment_by",
        "revenue",
        "effects",
        "verdicts",
        "narrative",
    } <= set(report)
    assert {"current", "baseline", "change"} <= set(report["revenue"])
    for effect in report["effects"]:
        assert effect["factor"] in {
            "volume",
            "acceptance",
            "conversion",
            "pace",
            "win_rate",
            "deal_size",
        }
        assert {"segment", "category", "amount", "significant"} <= set(effect)
    signals = {v["segment"]: v["signal"] for v in report["verdicts"]}
    assert signals["insight-cloud"] == "product"
    total = sum(e["amount"] for e in report["effects"])
    assert total == pytest.approx(report["revenue"]["change"], rel=1e-9)


def test_diagnose_by_channel_against_last_year_renders(demo_ws: str) -> None:
    result = runner.invoke(
        app,
        ["diagnose", "-w", demo_ws, "--by", "channel", "--against", "last-year"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "against 2025-Q3" in result.output


def test_a_bad_period_is_a_usage_error_naming_the_forms(demo_ws: str) -> None:
    result = runner.invoke(app, ["scorecard", "-w", demo_ws, "--period", "Q3"])
    assert result.exit_code == 2
    assert "2026-Q3" in result.output


def test_reports_on_an_empty_workspace_say_what_to_import(tmp_path: Path) -> None:
    ws = str(tmp_path / "empty")
    runner.invoke(app, ["init", "-w", ws])
    result = runner.invoke(app, ["scorecard", "-w", ws])
    assert result.exit_code == 1
    assert "import" in result.stderr
    assert "Traceback" not in result.output
