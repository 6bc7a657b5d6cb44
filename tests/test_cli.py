from __future__ import annotations

import json
import time
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


def _workspace(isolated_env: Path) -> str:
    ws = str(isolated_env / "ws")
    assert runner.invoke(app, ["init", "-w", ws]).exit_code == 0
    return ws


def test_import_check_then_load_then_tables_then_export(isolated_env: Path) -> None:
    ws = _workspace(isolated_env)
    people = isolated_env / "people.csv"
    people.write_text("person_id,name,team,active\np1,Ann,sales,true\np2,Bo,marketing,false\n")
    checked = runner.invoke(app, ["import", "people", str(people), "-w", ws, "--check"])
    assert checked.exit_code == 0, checked.output
    assert "2 rows would load" in checked.output
    assert json.loads(runner.invoke(app, ["tables", "-w", ws, "--json"]).output) == []
    loaded = runner.invoke(app, ["import", "people", str(people), "-w", ws])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(runner.invoke(app, ["tables", "-w", ws, "--json"]).output) == [
        {"table": "people", "rows": 2}
    ]
    out_file = isolated_env / "out.csv"
    assert runner.invoke(app, ["export", "people", str(out_file), "-w", ws]).exit_code == 0
    assert out_file.read_text().splitlines()[1].startswith('"p1","Ann"')


def test_a_rejected_import_prints_located_lines_exits_1_and_loads_nothing(
    isolated_env: Path,
) -> None:
    ws = _workspace(isolated_env)
    good = isolated_env / "good.csv"
    good.write_text("person_id,name,team,active\np1,Ann,sales,true\n")
    runner.invoke(app, ["import", "people", str(good), "-w", ws])
    bad = isolated_env / "bad.csv"
    bad.write_text("person_id,name,team,active\np1,Ann,sales,true\np2,Bo,finance,maybe\n")
    result = runner.invoke(app, ["import", "people", str(bad), "-w", ws])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{bad}:3:team: error ingest.E206") for line in lines)
    assert any(line.startswith(f"{bad}:3:active: error ingest.E205") for line in lines)
    assert any(line.startswith("    hint: ") for line in lines)
    assert lines[-1] == f"{bad}: 2 error(s); nothing was loaded."
    assert "Traceback" not in result.output
    assert json.loads(runner.invoke(app, ["tables", "-w", ws, "--json"]).output) == [
        {"table": "people", "rows": 1}
    ]


def test_import_of_a_missing_file_is_located(isolated_env: Path) -> None:
    ws = _workspace(isolated_env)
    result = runner.invoke(app, ["import", "people", str(isolated_env / "nope.csv"), "-w", ws])
    assert result.exit_code == 1
    assert "ingest.E100" in result.stderr


def test_demo_builds_a_company_through_the_import_path(isolated_env: Path) -> None:
    ws = isolated_env / "demo-ws"
    result = runner.invoke(
        app,
        ["demo", "-w", str(ws), "--scale", "leads=800,accounts=300", "--no-serve", "--seed", "5"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    counts = {
        r["table"]: r["rows"]
        for r in json.loads(runner.invoke(app, ["tables", "-w", str(ws), "--json"]).output)
    }
    assert counts["leads"] == 800
    assert counts["accounts"] == 300
    assert set(counts) == set(TABLES)
    truths = json.loads((ws / "demo-truths.json").read_text())
    assert {t["kind"] for t in truths["truths"]} >= {
        "product_gap",
        "slow_channel",
        "lapsed_accounts",
        "offer_lift",
        "noise_change",
    }
    assert "product_gap:" in result.output


def test_demo_without_a_workspace_uses_the_demo_folder_of_the_default(isolated_env: Path) -> None:
    result = runner.invoke(app, ["demo", "--scale", "leads=300,accounts=100", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert (isolated_env / "xdg" / "coparent" / "demo" / "warehouse.duckdb").exists()


def test_demo_rejects_a_bad_scale_in_one_line(isolated_env: Path) -> None:
    result = runner.invoke(app, ["demo", "-w", str(isolated_env / "d"), "--scale", "huge"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: not a scale: 'huge'")


def test_tables_waits_for_a_warehouse_another_process_holds_then_answers(
    isolated_env: Path,
) -> None:
    from tests.test_workspace import holding

    ws = isolated_env / "ws"
    runner.invoke(app, ["init", "-w", str(ws)])
    started = time.monotonic()
    with holding(ws / "warehouse.duckdb", seconds=1.0):
        result = runner.invoke(app, ["tables", "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    assert time.monotonic() - started < 15


def test_tables_on_a_warehouse_held_past_the_wait_is_one_line_naming_the_holder(
    isolated_env: Path,
) -> None:
    from tests.test_workspace import holding

    ws = isolated_env / "ws"
    runner.invoke(app, ["init", "-w", str(ws)])
    with holding(ws / "warehouse.duckdb") as pid:
        result = runner.invoke(app, ["tables", "-w", str(ws), "-s", "warehouse_wait_seconds=0.5"])
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()
    assert error.startswith(f"error: the warehouse {ws / 'warehouse.duckdb'} is busy: ")
    assert f"process {pid} (" in error
    assert "waited 0.5 s" in error
    assert hint.startswith("  hint: ")
    assert "Traceback" not in result.output
