from __future__ import annotations

import json
from collections.abc import Iterator

import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from coparent import warehouse
from coparent.cli import _Group
from coparent.commands import offer
from coparent.demo import generate
from coparent.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = Workspace(tmp_path_factory.mktemp("offer") / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    warehouse.write_table(con, "experiments", generate("small", seed=0).tables["experiments"])
    con.disconnect()
    return str(ws.path)


def _root() -> typer.Typer:
    root = typer.Typer(cls=_Group, rich_markup_mode=None)
    root.add_typer(offer.app, name="offer")

    @root.callback()
    def _main() -> None:
        """Root."""

    return root


def test_offer_alone_prints_help() -> None:
    result = runner.invoke(offer.app, [])
    assert "economics" in result.output
    assert "analyze" in result.output
    assert "plan" in result.output


def test_analyze_json_has_the_contract_fields(demo_ws: str) -> None:
    result = runner.invoke(offer.app, ["analyze", "-w", demo_ws, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in ("variants", "z", "p_value", "prob_best", "srm_p_value", "verdict"):
        assert key in report
    assert set(report["variants"][0]) >= {
        "variant",
        "n",
        "conversions",
        "rate",
        "ci_low",
        "ci_high",
    }
    assert report["verdict"] == "ship"
    assert report["winner"] == "first_month_free"
    assert set(report["prob_best"]) == {"discount_20", "first_month_free"}


def test_analyze_prints_a_table_and_the_verdict(demo_ws: str) -> None:
    result = runner.invoke(offer.app, ["analyze", "-w", demo_ws], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Experiment offer-2026-q3 (control: discount_20)" in result.stdout
    assert "Verdict: SHIP: first_month_free +2.80 points against discount_20" in result.stdout


def test_economics_and_plan_print_their_answers() -> None:
    econ = runner.invoke(
        offer.app,
        [
            "economics",
            "--price",
            "100",
            "--discount",
            "0.2",
            "--margin",
            "0.6",
            "--lift",
            "0.6",
            "--baseline",
            "0.05",
        ],
        terminal_width=200,
    )
    assert econ.exit_code == 0, econ.output
    assert "50.0%" in econ.stdout
    assert "+6.7%" in econ.stdout
    assert "lifts conversions by more than 50.0%" in econ.stdout
    data = json.loads(
        runner.invoke(offer.app, ["plan", "--baseline", "0.1", "--mde", "0.02", "--json"]).stdout
    )
    assert data["n_per_variant"] == 3841
    assert data["total"] == 7682
    text = runner.invoke(offer.app, ["plan", "--baseline", "0.1", "--mde", "0.02"]).stdout
    assert text.startswith("3,841 subjects per variant (7,682 in all)")


def test_a_srm_warning_goes_to_stderr_loudly(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    n_a, n_b = 1000, 1300
    warehouse.write_table(
        con,
        "experiments",
        pa.table(
            {
                "experiment_id": ["e"] * (n_a + n_b),
                "subject_id": [f"s{i}" for i in range(n_a + n_b)],
                "variant": ["control"] * n_a + ["new"] * n_b,
                "assigned_at": pa.array([0] * (n_a + n_b), pa.timestamp("us")),
                "converted": [i % 10 == 0 for i in range(n_a + n_b)],
            }
        ),
    )
    con.disconnect()
    result = runner.invoke(offer.app, ["analyze", "-w", str(ws.path)], terminal_width=200)
    assert result.exit_code == 0
    assert result.stderr.startswith("WARNING: sample ratio mismatch")
    assert "Verdict: STOP: sample ratio mismatch" in result.stdout


def test_bad_numbers_are_one_line_and_a_hint_with_exit_1() -> None:
    result = runner.invoke(
        _root(), ["offer", "economics", "--price", "100", "--discount", "20", "--margin", "0.6"]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: discount must be a share of the price, from 0 up to 1 (0.2 for 20%)",
        "  hint: shares are fractions: --discount 0.2 --margin 0.6 for 20% and 60%",
    ]


def test_a_srm_watch_goes_to_stderr_without_stopping(tmp_path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    con = ws.connect(ws.settings())
    n_a, n_b = 1000, 1125  # chi-square p = 0.0067: below the watch level, above the alarm
    warehouse.write_table(
        con,
        "experiments",
        pa.table(
            {
                "experiment_id": ["e"] * (n_a + n_b),
                "subject_id": [f"s{i}" for i in range(n_a + n_b)],
                "variant": ["control"] * n_a + ["new"] * n_b,
                "assigned_at": pa.array([0] * (n_a + n_b), pa.timestamp("us")),
                "converted": [i % 10 == 0 for i in range(n_a + n_b)],
            }
        ),
    )
    con.disconnect()
    result = runner.invoke(offer.app, ["analyze", "-w", str(ws.path)], terminal_width=300)
    assert result.exit_code == 0
    assert result.stderr.startswith("WATCH: the split between variants looks off (p = 0.0067")
    assert "sample ratio" not in result.stdout.split("Verdict:", 1)[1]
