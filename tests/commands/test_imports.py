"""coparent import: the table form, CRM exports with presets, whole export folders, the listings."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coparent.cli import app

CRM = Path(__file__).parents[1] / "data" / "crm"
runner = CliRunner()


@pytest.fixture
def ws(isolated_env: Path) -> str:
    path = str(isolated_env / "ws")
    assert runner.invoke(app, ["init", "-w", path]).exit_code == 0
    return path


def _tables(ws: str) -> dict[str, int]:
    out = runner.invoke(app, ["tables", "-w", ws, "--json"]).output
    return {t["table"]: t["rows"] for t in json.loads(out)}


def test_an_export_with_preset_auto_says_which_preset_and_why_then_loads(ws: str) -> None:
    deals = CRM / "hubspot" / "deals.csv"
    result = runner.invoke(app, ["import", str(deals), "--preset", "auto", "-w", ws])
    assert result.exit_code == 0, result.output
    assert f"{deals}: hubspot-deals (HubSpot deals export): 17 of 18 headers matched" in (
        result.stdout
    )
    assert "Loaded (replace) in one transaction" in result.stdout
    assert "ingest.W205" in result.stderr
    assert _tables(ws) == {"people": 2, "opportunities": 3, "stage_changes": 5}


def test_table_then_file_with_a_preset_loads_only_that_table(ws: str) -> None:
    deals = str(CRM / "hubspot" / "deals.csv")
    result = runner.invoke(app, ["import", "opportunities", deals, "-p", "hubspot", "-w", ws])
    assert result.exit_code == 0, result.output
    assert _tables(ws) == {"people": 2, "opportunities": 3}


def test_a_whole_export_folder_loads_in_one_go(ws: str) -> None:
    result = runner.invoke(app, ["import", "--dir", str(CRM / "salesforce-report"), "-w", ws])
    assert result.exit_code == 0, result.output
    for name in ("accounts.csv", "campaign_members.csv", "opportunity_history.csv", "tasks.csv"):
        assert name in result.stdout
    assert _tables(ws) == {
        "people": 3,
        "campaigns": 2,
        "accounts": 2,
        "leads": 3,
        "touches": 3,
        "activities": 2,
        "opportunities": 3,
        "stage_changes": 7,
    }


def test_a_folder_with_a_bad_file_exits_1_with_located_lines_and_loads_nothing(
    ws: str, isolated_env: Path
) -> None:
    folder = isolated_env / "export"
    shutil.copytree(CRM / "pipedrive", folder)
    deals = folder / "deals-7771-1.csv"
    deals.write_text(deals.read_text().replace('"18000"', '"lots"'))
    result = runner.invoke(app, ["import", "--dir", str(folder), "-w", ws])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(
        line.startswith(f"{deals}:2:Deal - Value: error ingest.E202: 'lots'") for line in lines
    )
    assert lines[-1] == f"{folder}: 1 error(s); nothing was loaded."
    assert _tables(ws) == {}


def test_an_ambiguous_export_asks_for_a_preset(ws: str) -> None:
    path = CRM / "quirks" / "ambiguous.csv"
    result = runner.invoke(app, ["import", str(path), "--preset", "auto", "-w", ws])
    assert result.exit_code == 1
    assert f"{path}:1: error ingest.E109: cannot tell which export this is" in result.stderr
    assert "--preset salesforce-account or --preset salesforce-campaign" in result.stderr


def test_list_presets_names_every_preset_in_full() -> None:
    result = runner.invoke(app, ["import", "--list-presets"], terminal_width=80)
    assert result.exit_code == 0
    for name in ("hubspot-deals", "salesforce-opportunityhistory", "pipedrive-organizations"):
        assert name in result.stdout


def test_show_preset_prints_toml_a_user_can_edit_and_use(ws: str, isolated_env: Path) -> None:
    shown = runner.invoke(app, ["import", "--show-preset", "hubspot-deals"])
    assert shown.exit_code == 0
    assert tomllib.loads(shown.stdout)["preset"]["name"] == "hubspot-deals"
    mine = isolated_env / "mine.toml"
    mine.write_text(
        shown.stdout.replace('"Closed Lost" = "lost"', '"Closed Lost" = "lost"\nSigned = "won"')
    )
    custom = str(CRM / "quirks" / "hubspot-deals-custom-stage.csv")
    refused = runner.invoke(app, ["import", custom, "--preset", "hubspot-deals", "-w", ws])
    assert refused.exit_code == 1
    assert "ingest.E206" in refused.stderr
    loaded = runner.invoke(app, ["import", custom, "--preset", str(mine), "-w", ws])
    assert loaded.exit_code == 0, loaded.output
    assert "chosen with --preset" in loaded.stdout


def test_an_unknown_preset_is_one_line_with_the_list(ws: str) -> None:
    result = runner.invoke(app, ["import", "x.csv", "--preset", "hubspot-dealz", "-w", ws])
    assert result.exit_code == 1
    assert "error: unknown preset 'hubspot-dealz'" in result.stderr
    assert "hubspot-deals" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["people.csv"],  # a file without a table or a preset
        ["x.csv", "--preset", "auto", "--mapping", "m.toml"],
        ["people", "p.csv", "--dayfirst"],
        ["x.csv", "--dir", "folder"],
    ],
)
def test_options_that_do_not_go_together_are_a_usage_error(ws: str, args: list[str]) -> None:
    result = runner.invoke(app, ["import", *args, "-w", ws])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
