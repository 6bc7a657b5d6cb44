"""coparent connect / coparent sync as a user runs them: separate processes, secrets, kill -9."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from coparent.sync import state_load, sync_folder
from coparent.workspace import Workspace
from tests._processes import clean_env, run_coparent
from tests.sync.conftest import TOKEN, tables
from tests.sync.fake_hubspot import FakeHubSpot

CANONICAL = ("people", "accounts", "leads", "opportunities", "stage_changes")


def _run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coparent", *args],
        input=stdin,
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_connect_stores_the_token_at_mode_600_tests_it_and_sync_loads_and_never_shows_it(
    fake: FakeHubSpot, base_url: str, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    outputs: list[str] = []

    def keep(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
        outputs.extend([result.stdout, result.stderr])
        return result

    keep(run_coparent("init", "--workspace", str(ws), check=True))
    # An app database, so the post-import hooks run after each sync and its rows are checked.
    keep(
        run_coparent(
            "user",
            "create",
            "ceo",
            "--role",
            "owner",
            "--password-stdin",
            "-w",
            str(ws),
            stdin="a-long-enough-password-1\n",
            check=True,
        )
    )
    done = keep(
        run_coparent(
            "connect",
            "hubspot",
            "--base-url",
            base_url,
            "--test",
            "-w",
            str(ws),
            stdin=TOKEN + "\n",
        )
    )
    assert done.returncode == 0, done.stderr
    assert "can read companies, contacts, deals, owners" in done.stdout
    secret = ws / "connections" / "hubspot.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert (ws / "connections").stat().st_mode & 0o777 == 0o700
    assert secret.read_text() == TOKEN

    synced = keep(run_coparent("sync", "-w", str(ws), "--json"))
    assert synced.returncode == 0, synced.stderr
    summary = json.loads(synced.stdout)
    assert summary["tables"]["opportunities"]["rows"] == 4
    assert summary["full"] is True
    assert summary["hooks"]
    assert all(h["ok"] for h in summary["hooks"]), summary["hooks"]

    human = keep(run_coparent("sync", "hubspot", "-w", str(ws)))
    assert "wins" in human.stdout  # the post-import hooks ran, as after coparent import
    assert human.returncode == 0
    assert "incremental" in human.stdout

    # A missing scope is reported per object by --test, and exits 1.
    fake.fail("GET", r"/crm/v3/objects/deals$", 403, body={"category": "MISSING_SCOPES"})
    partial = keep(run_coparent("connect", "hubspot", "--test", "-w", str(ws)))
    assert partial.returncode == 1
    assert "cannot read deals" in partial.stderr

    # A refused token: the error names the credential, never its value.
    fake.token = "rotated"
    refused = keep(run_coparent("sync", "-w", str(ws)))
    assert refused.returncode == 1
    assert "COPARENT_HUBSPOT_TOKEN or coparent connect hubspot" in refused.stderr
    env_refused = keep(_run("sync", "-w", str(ws), env={"COPARENT_HUBSPOT_TOKEN": TOKEN + "x"}))
    assert env_refused.returncode == 1

    for text in outputs:
        assert TOKEN not in text
    assert (ws / "app.sqlite3").exists()
    for path in ws.rglob("*"):
        if path.is_file() and path != secret:
            assert TOKEN.encode() not in path.read_bytes(), path


def test_connect_without_a_token_fails_and_the_environment_variable_is_enough(
    fake: FakeHubSpot, base_url: str, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    run_coparent("init", "--workspace", str(ws), check=True)
    empty = run_coparent("connect", "hubspot", "-w", str(ws))
    assert empty.returncode == 1
    assert "no HubSpot token given" in empty.stderr
    none = run_coparent("sync", "-w", str(ws))
    assert none.returncode == 1
    assert "no source is connected" in none.stderr
    done = _run(
        "sync",
        "hubspot",
        "--base-url",
        base_url,
        "-w",
        str(ws),
        "--json",
        env={"COPARENT_HUBSPOT_TOKEN": TOKEN},
    )
    assert done.returncode == 0, done.stderr
    assert not (ws / "connections" / "hubspot.secret").exists()


def _start_sync(ws: Path, base_url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coparent",
            "sync",
            "hubspot",
            "--base-url",
            base_url,
            "-w",
            str(ws),
            *extra,
        ],
        env=clean_env(COPARENT_HUBSPOT_TOKEN=TOKEN),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ok(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err


def _killed(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def _change(fake: FakeHubSpot) -> None:
    fake.put("deals", "303", {"dealstage": "closedlost"}, at="2024-04-02T10:00:00Z")
    fake.archive("deals", "302", at="2024-04-03T10:00:00Z")


def test_kill_9_in_the_middle_of_a_sync_leaves_the_data_and_the_cursor_as_they_were(
    fake: FakeHubSpot, base_url: str, tmp_path: Path, httpserver: object
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    first = _start_sync(ws.path, base_url)
    _ok(first)
    before, state = tables(ws, CANONICAL), state_load(ws.path, "hubspot")
    _change(fake)

    # Hold the sync's last HTTP call until it has been killed.
    entered, release = threading.Event(), threading.Event()
    handle = fake.handle

    def slow(request: Request) -> Response:
        if request.path.startswith("/crm/v4/associations/deals/contacts"):
            entered.set()
            release.wait(30)
        return handle(request)

    fake.handle = slow  # type: ignore[method-assign]
    proc = _start_sync(ws.path, base_url)
    try:
        assert entered.wait(120), "the sync never reached its last call"
        _killed(proc)
    finally:
        release.set()
        fake.handle = handle  # type: ignore[method-assign]
    assert proc.returncode == -signal.SIGKILL
    assert state_load(ws.path, "hubspot") == state
    after = tables(ws, CANONICAL)
    assert all(after[k].equals(v) for k, v in before.items())
    assert len(list(sync_folder(ws.path, "hubspot").glob("gen-*"))) == 2  # the orphan, for now

    again = _start_sync(ws.path, base_url)
    _ok(again)
    assert [p.name for p in sync_folder(ws.path, "hubspot").glob("gen-*")] == [
        f"gen-{state_load(ws.path, 'hubspot').generation}"
    ]
    opps = {
        r["opportunity_id"]: r for r in tables(ws, ("opportunities",))["opportunities"].to_pylist()
    }
    assert "302" not in opps
    assert opps["303"]["status"] == "lost"


def test_kill_9_at_random_moments_never_leaves_a_half_sync(
    fake: FakeHubSpot, base_url: str, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    first = _start_sync(ws.path, base_url)
    started = time.monotonic()
    _ok(first)
    took = time.monotonic() - started
    before = tables(ws, CANONICAL)
    _change(fake)
    expected_ws = Workspace(tmp_path / "expected")
    expected_ws.init()
    _ok(_start_sync(expected_ws.path, base_url))
    after = tables(expected_ws, CANONICAL)
    rng = random.Random(14)
    for _ in range(4):
        proc = _start_sync(ws.path, base_url)
        time.sleep(rng.uniform(0.4 * took, 1.1 * took))
        _killed(proc)
        now = tables(ws, CANONICAL)
        whole = [all(now[k].equals(v) for k, v in t.items()) for t in (before, after)]
        assert any(whole), "the warehouse holds neither the old nor the new sync"
    final = _start_sync(ws.path, base_url)
    _ok(final)
    now = tables(ws, CANONICAL)
    assert all(now[k].equals(v) for k, v in after.items())


@pytest.mark.parametrize("args", [["sync", "salesforce"], ["connect", "pipedrive"]])
def test_sources_not_built_yet_are_refused_clearly(args: list[str], tmp_path: Path) -> None:
    result = run_coparent(*args, "-w", str(tmp_path))
    assert result.returncode == 2
    assert "not a source coparent can sync yet" in result.stderr
