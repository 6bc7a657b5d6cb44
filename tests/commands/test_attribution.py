"""``coparent attribution`` as a command: tables, JSON, path files, bad options and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coparent import warehouse
from coparent.commands.attribution import attribution
from coparent.demo import Scale, generate
from coparent.errors import PeriodOutOfRange
from coparent.models.attribution import PathFileRejected
from coparent.workspace import Workspace
from tests.conftest import SHARED_DATA, needs_shared

app = typer.Typer()
app.command("attribution")(attribution)


@app.command("version")
def _version() -> None:
    """A second command, so the app keeps ``attribution`` as a subcommand."""


DATA_CSV = SHARED_DATA / "channel-attribution-paths" / "Data.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding a small demo company's touches, activities, leads and deals."""
    path = tmp_path_factory.mktemp("ws")
    ws = Workspace(path)
    ws.init()
    company = generate(Scale(leads=400, accounts=150, experiment_subjects=20, lapsed_accounts=0))
    con = ws.connect(ws.settings())
    for name in ("touches", "activities", "leads", "opportunities"):
        warehouse.write_table(con, name, company.tables[name])
    con.disconnect()
    return path


def _run(*args: str) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, ["attribution", *args], terminal_width=120)
    return result.exit_code, result.output, result.exception


def test_default_run_prints_every_model_side_by_side_and_the_shared_revenue_table(
    workspace: Path,
) -> None:
    code, output, _ = _run("-w", str(workspace))
    assert code == 0, output
    assert "Conversions credited" in output
    assert "Value credited" in output
    for name in ("first", "last", "linear", "position", "time-decay", "markov"):
        assert name in output
    assert "Sourced by Marketing" in output
    assert "Worked by both teams" in output
    assert "removal effect" in output


def test_json_has_model_and_credits_with_removal_effects_for_markov(workspace: Path) -> None:
    code, output, _ = _run("-w", str(workspace), "--model", "markov", "--json", "--order", "2")
    assert code == 0, output
    report = json.loads(output)
    assert report["model"] == "markov"
    assert report["markov"]["order"] == 2
    for row in report["credits"]:
        assert {"channel", "conversions", "value", "removal_effect"} <= set(row)
    total = sum(r["conversions"] for r in report["credits"])
    assert total == pytest.approx(report["totals"]["conversions"])


def test_by_campaign_and_won_conversion_are_passed_through(workspace: Path) -> None:
    args = ("-w", str(workspace), "--model", "first", "--by", "campaign", "--json")
    code, output, _ = _run(*args, "--conversion", "won", "--journey", "account")
    assert code == 0, output
    report = json.loads(output)
    assert report["by"] == "campaign"
    assert report["source"] == {
        "kind": "warehouse",
        "journey": "account",
        "conversion": "won",
        "period": None,
    }
    assert report["campaign_returns"] is None  # no campaigns table imported: no cost, no ROI
    assert all("campaign" in r for r in report["credits"])


@needs_shared(DATA_CSV, "ChannelAttribution example paths")
def test_a_path_file_runs_without_a_workspace(tmp_path: Path) -> None:
    code, output, _ = _run(
        "--paths", str(DATA_CSV), "--model", "markov", "--json", "-w", str(tmp_path / "none")
    )
    assert code == 0, output
    report = json.loads(output)
    assert report["source"]["kind"] == "path_file"
    assert len(report["credits"]) == 12


def test_a_path_file_with_another_separator_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "paths.tsv"
    path.write_text(
        "path\ttotal_conversions\ttotal_conversion_value\ttotal_null\n"
        "search|email\t2\t30\t1\nemail\t1\t5\t3\n"
    )
    code, output, _ = _run("--paths", str(path), "--sep", "|", "--delimiter", "tab",
                           "--model", "last", "--json")  # fmt: skip
    assert code == 0, output
    credits = {r["channel"]: r["conversions"] for r in json.loads(output)["credits"]}
    assert credits == {"email": 3.0, "search": 0.0}


def test_a_bad_path_file_raises_the_located_rejection(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("path;total_conversions;total_conversion_value;total_null\na > b;-1;0;2\n")
    code, _, exception = _run("--paths", str(path))
    assert isinstance(exception, PathFileRejected)  # the app's handler prints its issues
    assert code == 1
    assert exception.issues[0].format().startswith("bad.csv:2:total_conversions: error")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--paths", "x.csv", "--by", "campaign"), "not to a path file"),
        (("--sep", "|"), "applies to a path file"),
        (("--position", "50/50/50"), "sum to 100"),
        (("--order", "5"), "--order"),
        (("--model", "best"), "--model"),
    ],
)
def test_options_that_do_not_fit_are_refused_with_exit_code_2(
    args: tuple[str, ...], message: str
) -> None:
    code, output, _ = _run(*args)
    assert code == 2
    assert message in " ".join(output.replace("│", " ").split())  # the error box wraps lines


# --period: only the period's steps and conversions, parsed and refused as the scorecard does.


def test_a_period_counts_only_its_conversions_and_names_itself_in_the_json(
    workspace: Path,
) -> None:
    args = ("-w", str(workspace), "--model", "linear", "--json")
    code, output, _ = _run(*args)
    assert code == 0, output
    whole = json.loads(output)
    ws = Workspace(workspace)
    with ws.open(ws.settings()) as con:
        last = con.table("opportunities").created_at.max().execute()
    quarter = f"{last.year}-Q{(last.month - 1) // 3 + 1}"
    code, output, _ = _run(*args, "--period", quarter)
    assert code == 0, output
    report = json.loads(output)
    assert report["source"]["period"]["label"] == quarter
    assert 0 < report["totals"]["conversions"] < whole["totals"]["conversions"]
    code, output, _ = _run("-w", str(workspace), "--model", "linear", "-p", quarter)
    assert code == 0, output
    assert "Conversions credited" in output


def test_a_bad_period_is_a_usage_error_naming_the_forms(workspace: Path) -> None:
    code, output, _ = _run("-w", str(workspace), "--period", "Q3")
    assert code == 2
    assert "--period" in output
    assert "2026-Q3" in output


def test_a_period_the_data_do_not_reach_is_the_scorecards_user_error(workspace: Path) -> None:
    code, _, exception = _run("-w", str(workspace), "--period", "2090-Q1", "--json")
    assert isinstance(exception, PeriodOutOfRange)  # the app's handler prints it and its hint
    assert code == 1
    assert str(exception).startswith("2090-Q1 starts after the data end")


def test_a_period_does_not_apply_to_a_path_file(tmp_path: Path) -> None:
    code, output, _ = _run("--paths", str(tmp_path / "x.csv"), "--period", "2026-Q1")
    assert code == 2
    assert "Invalid value for --period: applies to the warehouse's journeys" in output
