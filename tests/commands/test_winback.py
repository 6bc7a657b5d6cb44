from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from coparent import warehouse
from coparent.cli import _Group
from coparent.commands import winback
from coparent.demo import generate
from coparent.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = Workspace(tmp_path_factory.mktemp("demo") / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    for name, table in generate("small", seed=0).tables.items():
        warehouse.write_table(con, name, table)
    con.disconnect()
    return str(ws.path)


def _root() -> typer.Typer:
    """The sub-app registered as the lead registers it in cli.py (errors as one line + hint)."""
    root = typer.Typer(cls=_Group, rich_markup_mode=None)
    root.add_typer(winback.app, name="winback")

    @root.callback()
    def _main() -> None:
        """Root."""

    return root


def test_winback_alone_prints_the_ranked_list(demo_ws: str) -> None:
    result = runner.invoke(winback.app, ["-w", demo_ws, "--top", "5"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Win-back list as of 2026-09-30" in result.stdout
    assert "Method: BG/NBD + Gamma-Gamma" in result.stdout
    assert result.stdout.count("likely still buying") == 5


def test_winback_json_has_the_documented_fields(demo_ws: str) -> None:
    result = runner.invoke(
        _root(), ["winback", "-w", demo_ws, "--top", "3", "--json", "--as-of", "2026-09-30"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "as_of",
        "method",
        "method_note",
        "time_unit",
        "horizon_days",
        "max_p_alive",
        "customers",
        "repeat_buyers",
        "lapsing",
        "total_value_at_stake",
        "model",
        "empty",
        "notes",
        "accounts",
    }
    assert report["empty"] is None  # accounts are listed, so nothing to explain
    assert [a["rank"] for a in report["accounts"]] == [1, 2, 3]
    assert set(report["accounts"][0]) == {
        "rank",
        "account_id",
        "account_name",
        "value_at_stake",
        "p_alive",
        "orders",
        "lifetime_spend",
        "first_order",
        "last_order",
        "days_since_last_order",
        "typical_interval_days",
        "expected_order_value",
        "owner_id",
        "owner_name",
        "reason",
    }


def test_winback_csv_neutralises_formula_like_text(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    start = datetime(2025, 1, 1)
    rows = [("=HYPERLINK(1)", start + timedelta(days=30 * k), 500.0) for k in range(4)]
    rows += [(f"one-{i}", start + timedelta(days=150 + 7 * i), 50.0) for i in range(10)]
    warehouse.write_table(
        con,
        "orders",
        pa.table(
            {
                "order_id": [f"o{i}" for i in range(len(rows))],
                "account_id": [r[0] for r in rows],
                "ordered_at": pa.array([r[1] for r in rows], pa.timestamp("us")),
                "amount": [r[2] for r in rows],
            }
        ),
    )
    con.disconnect()
    result = runner.invoke(winback.app, ["-w", str(ws.path), "--csv"])
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert records[0]["account_id"] == "'=HYPERLINK(1)"
    assert records[0]["rank"] == "1"
    assert "RFM" in records[0]["reason"]


def test_json_and_csv_together_are_refused(demo_ws: str) -> None:
    result = runner.invoke(winback.app, ["-w", demo_ws, "--json", "--csv"])
    assert result.exit_code == 2
    assert "choose one of --json and --csv" in result.output


def test_create_then_outcome_through_the_registered_group(demo_ws: str) -> None:
    app = _root()
    made = runner.invoke(
        app,
        [
            "winback",
            "create",
            "-w",
            demo_ws,
            "--as-of",
            "2026-02-28",
            "--top",
            "40",
            "--seed",
            "3",
            "--json",
        ],
    )
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout)
    assert (summary["members"], summary["holdout"], summary["seed"]) == (40, 4, 3)
    assert Path(summary["path"]).is_file()
    text = runner.invoke(
        app, ["winback", "outcome", summary["id"], "-w", demo_ws], terminal_width=200
    )
    assert text.exit_code == 0, text.output
    assert f"Win-back list {summary['id']}: orders after 2026-02-28" in text.stdout
    assert "Verdict:" in text.stdout
    data = json.loads(
        runner.invoke(app, ["winback", "outcome", summary["id"], "-w", demo_ws, "--json"]).stdout
    )
    assert data["contacted"]["n"] == 36
    assert data["holdout"]["n"] == 4
    human = runner.invoke(app, ["winback", "create", "-w", demo_ws, "--top", "10", "--seed", "1"])
    assert "10 accounts, 9 to contact, 1 held out (seed 1)" in human.stdout
    assert "coparent winback outcome wb-2026-09-30-" in human.stdout


def test_a_coparent_error_is_one_line_and_a_hint_with_exit_1(demo_ws: str) -> None:
    result = runner.invoke(_root(), ["winback", "outcome", "wb-nope", "-w", demo_ws])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: no win-back list 'wb-nope' in ")
    assert lines[1].startswith("  hint: lists: wb-")
    assert "Traceback" not in result.output


def test_an_unknown_date_format_is_a_usage_error(demo_ws: str) -> None:
    result = runner.invoke(winback.app, ["-w", demo_ws, "--as-of", "30/09/2026"])
    assert result.exit_code == 2


def test_help_lists_the_subcommands() -> None:
    result = runner.invoke(_root(), ["winback", "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "create" in result.stdout
    assert "outcome" in result.stdout
    assert "--as-of" in result.stdout
    assert date.today().year > 2000  # the help does not depend on the data


def test_a_short_history_prints_why_nobody_is_listed_and_how_to_change_it(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    start = datetime(2025, 1, 1)
    rows = [(f"a{i}", start + timedelta(days=i % 10), 40.0 + i) for i in range(30)]
    warehouse.write_table(
        con,
        "orders",
        pa.table(
            {
                "order_id": [f"o{i}" for i in range(len(rows))],
                "account_id": [r[0] for r in rows],
                "ordered_at": pa.array([r[1] for r in rows], pa.timestamp("us")),
                "amount": [r[2] for r in rows],
            }
        ),
    )
    con.disconnect()
    result = runner.invoke(winback.app, ["-w", str(ws.path)], terminal_width=300)
    assert result.exit_code == 0, result.output
    assert "0 lapsing accounts" in result.stdout
    assert "Nobody to list: the orders cover only 9 days, 2025-01-01 to 2025-01-10" in result.stdout
    assert "hint: import a longer order history, or rank as of 2025-04-01" in result.stdout
    assert "Method:" not in result.stdout
