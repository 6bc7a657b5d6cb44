from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

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
            "mix",  # a segment's share of the company's effect from shifts between segments
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


# Periods are checked: a period the data do not reach is one line and a hint, exit 1.


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["scorecard", "--period", "2027-Q1"],
            "error: 2027-Q1 starts after the data end (2026-09-30)",
            "pick a quarter from 2024-Q4 to 2026-Q3",
        ),
        (
            ["scorecard", "--period", "0001-Q1"],
            "error: 0001-Q1 ends before the data start (2024-10-01)",
            "pick a quarter from 2024-Q4 to 2026-Q3",
        ),
        (
            ["scorecard", "--period", "0000-Q1"],
            "error: 0000-Q1 is outside the calendar (years 1 to 9999)",
            "pick a period with data",
        ),
        (
            ["diagnose", "--period", "2030-Q1"],
            "error: 2030-Q1 starts after the data end (2026-09-30)",
            "pick a quarter from 2024-Q4 to 2026-Q3",
        ),
        (
            ["diagnose", "--period", "2024-Q4"],
            "error: the baseline 2024-Q3 (the period before 2024-Q4) ends before the data "
            "start (2024-10-01)",
            "pick 2025-Q1 or later, or another baseline",
        ),
        (
            ["diagnose", "--period", "2025-Q2", "--against", "last-year"],
            "error: the baseline 2024-Q2 (a year before 2025-Q2) ends before the data start "
            "(2024-10-01)",
            "pick 2025-Q4 or later",
        ),
    ],
)
def test_a_period_the_data_do_not_reach_is_one_line_and_a_hint_exit_1(
    demo_ws: str, args: list[str], message: str, hint: str
) -> None:
    result = runner.invoke(app, [*args, "-w", demo_ws, "--json"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == message
    assert lines[1].startswith("  hint: the data cover 2024-10-01 to 2026-09-30") or (
        "calendar" in message
    )
    assert hint in lines[1]
    assert len(lines) == 2
    assert result.stdout == ""  # no page of zeros, no traceback


def test_a_period_the_data_end_inside_is_flagged_incomplete_with_a_note(demo_ws: str) -> None:
    card = json.loads(
        runner.invoke(
            app, ["scorecard", "-w", demo_ws, "--json", "-p", "2026-Q3", "--as-of", "2026-08-15"]
        ).output
    )
    assert card["period"]["complete"] is False
    assert "2026-Q3 is not over: its figures are to date, as of 2026-08-15" in card["notes"]
    text = runner.invoke(
        app, ["scorecard", "-w", demo_ws, "-p", "2026-Q3", "--as-of", "2026-08-15"]
    ).output
    assert "note: 2026-Q3 is not over" in text
    diagnosis = json.loads(
        runner.invoke(
            app, ["diagnose", "-w", demo_ws, "--json", "-p", "2026-Q3", "--as-of", "2026-08-15"]
        ).output
    )
    assert diagnosis["period_complete"] is False
    assert "2026-Q3 is not over: its figures are to date, as of 2026-08-15" in diagnosis["notes"]
    whole = json.loads(runner.invoke(app, ["diagnose", "-w", demo_ws, "--json"]).output)
    assert whole["period_complete"] is True


def test_without_an_app_database_the_reports_do_not_load_django(demo_ws: str) -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from coparent.cli import app; "
        f"r = CliRunner().invoke(app, ['scorecard', '-w', {demo_ws!r}, '--json']); "
        "assert r.exit_code == 0, r.output; assert 'django.conf' not in sys.modules"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not (Path(demo_ws) / "app.sqlite3").exists()  # nothing created just to read


# One source of decisions: the goal and SLA terms set in the app apply to the CLI too.


def _decide(*, goal: int = 1_200_000) -> None:
    from coparent.app.goals.services import goal_set, sla_terms_set

    goal_set(set_by=None, period="2026-Q3", won_revenue=Decimal(goal))
    sla_terms_set(
        set_by=None,
        mql_commitment_per_month=150,
        first_contact_hours=Decimal(4),
        answer_within_days=2,
    )


def _json(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.django_db
def test_the_apps_goal_and_sla_terms_feed_coparent_scorecard(workspace: Path) -> None:
    _decide()
    card = _json("scorecard", "-w", str(workspace), "--json")
    assert card["period"]["label"] == "2026-Q3"
    assert card["goal"]["target"] == 1_200_000
    assert card["goal"]["source"] == "app"
    assert card["sla"]["sales"]["sla_hours"] == 4
    assert card["sla"]["marketing"]["committed"] == 450  # 150 a month over a quarter
    assert card["settings"]["sources"] == {
        "fiscal_year_start_month": "default",
        "sales_sla_hours": "app",
        "marketing_mql_commitment": "app",
        "goal_won_revenue": "app",
    }
    text = runner.invoke(app, ["scorecard", "-w", str(workspace)], terminal_width=200).output
    assert "goal from the app's Setup" in text


@pytest.mark.django_db
def test_the_apps_goal_feeds_diagnose_against_goal(workspace: Path) -> None:
    _decide()
    report = _json("diagnose", "-w", str(workspace), "--against", "goal", "--json")
    assert report["goal"]["revenue"] == 1_200_000
    assert report["goal"]["mqls"] == 450
    assert report["goal"]["source"] == "app"
    text = runner.invoke(
        app, ["diagnose", "-w", str(workspace), "--against", "goal"], terminal_width=200
    ).output
    assert "goal from the app's Setup" in text


@pytest.mark.django_db
def test_setting_wins_over_the_app_and_the_app_over_the_settings_file(
    writable_workspace: Path,
) -> None:
    ws = str(writable_workspace)
    with (writable_workspace / "settings.toml").open("a", encoding="utf-8") as f:
        f.write("\ngoal_won_revenue = 800000\n")
    card = _json("scorecard", "-w", ws, "--json")
    assert (card["goal"]["target"], card["goal"]["source"]) == (800_000, "settings_file")
    report = _json("diagnose", "-w", ws, "--against", "goal", "--json")
    assert (report["goal"]["revenue"], report["goal"]["source"]) == (800_000, "settings_file")

    _decide()
    card = _json("scorecard", "-w", ws, "--json")
    assert (card["goal"]["target"], card["goal"]["source"]) == (1_200_000, "app")

    args = ("-w", ws, "--json", "--setting", "goal_won_revenue=900000")
    card = _json("scorecard", *args)
    assert (card["goal"]["target"], card["goal"]["source"]) == (900_000, "setting")
    assert card["settings"]["sources"]["sales_sla_hours"] == "app"  # the rest still the app's
    report = _json("diagnose", "--against", "goal", *args)
    assert (report["goal"]["revenue"], report["goal"]["source"]) == (900_000, "setting")


@pytest.mark.django_db
def test_an_app_goal_of_another_period_leaves_the_cli_without_a_goal(workspace: Path) -> None:
    from coparent.app.goals.services import goal_set

    goal_set(set_by=None, period="2026-Q2", won_revenue=Decimal(500_000))
    assert _json("scorecard", "-w", str(workspace), "--json")["goal"] is None
    q2 = _json("scorecard", "-w", str(workspace), "--json", "-p", "2026-05")["goal"]
    assert (q2["target"], q2["source"]) == (pytest.approx(500_000 / 3), "app")
