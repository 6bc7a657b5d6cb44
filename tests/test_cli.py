from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from coparent.cli import app
from coparent.schema import TABLES

runner = CliRunner()


def test_init_creates_a_workspace_and_says_where(isolated_env: Path) -> None:
    result = runner.invoke(app, ["init", "--workspace", str(isolated_env / "ws")])
    assert result.exit_code == 0, result.output
    assert "Created" in result.output
    assert (isolated_env / "ws" / "settings.toml").exists()
    again = runner.invoke(app, ["init", "--workspace", str(isolated_env / "ws")])
    assert "Already a workspace" in again.output


def test_init_uses_coparent_home(isolated_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("COPARENT_HOME", str(isolated_env / "home-ws"))
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert (isolated_env / "home-ws" / "settings.toml").exists()


def test_schema_prints_every_table_and_json_has_every_column() -> None:
    text = runner.invoke(app, ["schema"], terminal_width=200).output
    for name in TABLES:
        assert f"{name}:" in text
    data = json.loads(runner.invoke(app, ["schema", "leads", "--json"]).output)
    assert [c["name"] for c in data[0]["columns"]] == list(TABLES["leads"].column_names)


def test_an_unknown_table_is_one_line_and_a_hint_with_exit_1() -> None:
    result = runner.invoke(app, ["schema", "deals"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: unknown table 'deals'",
        "  hint: canonical tables: " + ", ".join(TABLES),
    ]
    assert "Traceback" not in result.output


def test_tables_on_a_missing_workspace_says_how_to_create_one(isolated_env: Path) -> None:
    result = runner.invoke(app, ["tables", "-w", str(isolated_env / "none")])
    assert result.exit_code == 1
    assert "coparent init --workspace" in result.stderr


def test_tables_json_lists_row_counts(isolated_env: Path) -> None:
    ws = str(isolated_env / "ws")
    runner.invoke(app, ["init", "-w", ws])
    result = runner.invoke(app, ["tables", "-w", ws, "--json"])
    assert json.loads(result.output) == []
    assert "is empty" in runner.invoke(app, ["tables", "-w", ws]).output


def test_a_bad_setting_override_names_the_setting(isolated_env: Path) -> None:
    ws = str(isolated_env / "ws")
    runner.invoke(app, ["init", "-w", ws])
    result = runner.invoke(app, ["tables", "-w", ws, "--setting", "import_max_examples=lots"])
    assert result.exit_code == 1
    assert "import_max_examples" in result.stderr


def test_version() -> None:
    assert runner.invoke(app, ["--version"]).output.startswith("coparent ")
