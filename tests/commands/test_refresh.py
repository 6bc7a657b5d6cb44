"""``coparent import`` runs the app's post-import hooks; ``coparent refresh`` runs them for cron.

Each step runs as its own process, as a user types it: Django is configured
once per process, for one workspace (tests/commands/test_users.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coparent.cli import app
from tests._processes import clean_env as _env
from tests._processes import run_coparent as coparent

HUBSPOT = Path(__file__).resolve().parents[1] / "data" / "crm" / "hubspot"
WON = (
    "opportunity_id,account_id,created_at,closed_at,stage,status,amount,product_id\n"
    "OPPNEW1,ACC000001,2026-08-01,2026-09-15,closed won,won,5000,insight-pro\n"
)


def _wins(ws: str) -> int:
    code = "from coparent.app.wins.models import Win; print(Win.objects.count())"
    done = coparent("manage", "-w", ws, "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("refresh") / "ws"
    assert coparent("init", "-w", str(path)).returncode == 0
    return str(path)


def test_without_an_app_database_an_import_derives_nothing_and_creates_none(
    ws: str, tmp_path: Path
) -> None:
    won = tmp_path / "won.csv"
    won.write_text(WON, encoding="utf-8")
    done = coparent("import", "opportunities", str(won), "-w", ws)
    assert done.returncode == 0, done.stderr
    assert "wins:" not in done.stdout
    assert not (Path(ws) / "app.sqlite3").exists()
    refresh = coparent("refresh", "-w", ws)
    assert refresh.returncode == 0
    assert "has no app database: nothing to refresh" in refresh.stdout
    assert not (Path(ws) / "app.sqlite3").exists()


def test_an_import_finds_the_wins_and_refresh_runs_the_same_hooks(ws: str) -> None:
    assert coparent("manage", "-w", ws, "migrate", "-v0").returncode == 0
    done = coparent("import", "--dir", str(HUBSPOT), "-w", ws)
    assert done.returncode == 0, done.stderr
    assert "wins: 1 found, 1 new" in done.stdout
    # the default cache is on disk in the workspace, shared: the import warms it for the server
    assert "report cache: scorecard and diagnosis of 2024-Q1 computed" in done.stdout
    assert (Path(ws) / "cache").is_dir()
    assert _wins(ws) == 1
    again = coparent("refresh", "-w", ws)
    assert again.returncode == 0, again.stderr
    assert "wins: nothing changed since the last run" in again.stdout
    forced = coparent("refresh", "--force", "--json", "-w", ws)
    assert forced.returncode == 0, forced.stderr
    wins = json.loads(forced.stdout)[0]
    assert (wins["name"], wins["ok"], wins["detail"]) == ("wins", True, "1 found, 0 new")
    assert _wins(ws) == 1


def test_a_failing_hook_is_a_warning_and_the_import_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coparent.services import webapp

    failed = [{"name": "wins", "ok": False, "detail": "CoparentError: busy", "seconds": 0.1}]
    monkeypatch.setattr(webapp, "webapp_refresh", lambda ws, **kw: failed)
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "-w", str(ws)]).exit_code == 0
    won = tmp_path / "won.csv"
    won.write_text(WON, encoding="utf-8")
    done = runner.invoke(app, ["import", "opportunities", str(won), "-w", str(ws)])
    assert done.exit_code == 0, done.output
    assert "Loaded 1 rows into opportunities" in done.output
    assert "Warning: wins failed: CoparentError: busy" in done.output
    assert "coparent refresh" in done.output
    refresh = runner.invoke(app, ["refresh", "-w", str(ws)])
    assert refresh.exit_code == 1


def test_with_a_shared_cache_the_hooks_warm_it_for_every_process(tmp_path: Path) -> None:
    """COPARENT_CACHE_DIR: what ``coparent refresh`` computed, another process (a server
    worker) reads without computing it again."""
    env = {**_env(), "COPARENT_CACHE_DIR": str(tmp_path / "cache")}
    ws = str(tmp_path / "demo")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "coparent", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )

    built = run("demo", "--workspace", ws, "--no-serve")
    assert built.returncode == 0, built.stderr
    warmed = run("refresh", "-w", ws)
    assert warmed.returncode == 0, warmed.stderr
    assert "report cache: scorecard and diagnosis of" in warmed.stdout
    code = (
        "from coparent.app.dashboards import selectors as s\n"
        "def computed(*a, **k): raise SystemExit('computed again: not warmed')\n"
        "s.scorecard_report = s.diagnosis_report = computed\n"
        "r, report = s.scorecard_get(period=None)\n"
        "print(report.ok, s.diagnosis_for(r)[0].ok)\n"
    )
    worker = run("manage", "-w", ws, "shell", "-c", code)
    assert worker.returncode == 0, worker.stderr + worker.stdout
    assert worker.stdout.split()[-2:] == ["True", "True"]
