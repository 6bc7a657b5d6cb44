from __future__ import annotations

import ast
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis
import pytest

import coparent
from coparent.errors import WarehouseBusy, WorkspaceError
from coparent.settings import SETTINGS
from coparent.workspace import Workspace, default_workspace_path, resolve_workspace_path


def test_option_beats_coparent_home_beats_the_xdg_default(tmp_path: Path) -> None:
    env = {"COPARENT_HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert resolve_workspace_path(tmp_path / "opt", env) == tmp_path / "opt"
    assert resolve_workspace_path(None, env) == tmp_path / "home"
    del env["COPARENT_HOME"]
    assert resolve_workspace_path(None, env) == tmp_path / "xdg" / "coparent"
    assert default_workspace_path({"XDG_DATA_HOME": "/x"}) == Path("/x/coparent")


def test_init_writes_a_settings_file_listing_every_setting_commented(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    assert ws.init() is True
    text = ws.settings_file.read_text()
    assert tomllib.loads(text) == {}  # all commented out: defaults apply
    for s in SETTINGS:
        assert f"# {s.name} = " in text
    assert ws.init() is False


def test_the_default_warehouse_is_a_duckdb_file_in_the_workspace(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    settings = ws.settings()
    assert ws.warehouse_url(settings) == f"duckdb://{tmp_path / 'ws' / 'warehouse.duckdb'}"
    ws.connect(settings)
    assert (tmp_path / "ws" / "warehouse.duckdb").exists()


def test_connecting_to_a_folder_that_is_not_a_workspace_says_how_to_make_one(
    tmp_path: Path,
) -> None:
    ws = Workspace(tmp_path / "nowhere")
    with pytest.raises(WorkspaceError) as info:
        ws.connect(ws.settings())
    assert "coparent init" in info.value.hint


def test_init_in_an_unwritable_place_is_a_workspace_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WorkspaceError):
        Workspace(blocker / "ws").init()


# Workspace.open: the one way to open the warehouse (read-only reads, waiting, closing).

_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
"""


@contextmanager
def holding(file: Path, *, mode: str = "write", seconds: float = 30.0) -> Iterator[int]:
    """Another process holding the DuckDB ``file`` open for ``seconds``; yields its PID."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(file), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    with proc.stdout:
        try:
            assert proc.stdout.readline().strip() == "ready"
            yield proc.pid
        finally:
            proc.kill()
            proc.wait()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    with ws.open(ws.settings(), write=True) as con:
        con.create_table("t", schema=ibis.schema({"a": "int64"}))
    return ws


def _file(ws: Workspace) -> Path:
    return ws.path / "warehouse.duckdb"


def test_open_creates_the_warehouse_file_and_reads_it_read_only(ws: Workspace) -> None:
    with ws.open(ws.settings()) as con:
        assert con.list_tables() == ["t"]
        with pytest.raises(Exception, match="read-only"):
            con.raw_sql("CREATE TABLE u (a INT)")


def test_open_closes_the_connection_even_on_an_exception(ws: Workspace) -> None:
    settings = ws.settings()
    with pytest.raises(RuntimeError), ws.open(settings):
        raise RuntimeError("boom")
    # Still open read-only, a writer in this process would be refused (another configuration).
    with ws.open(settings, write=True, timeout=0) as con:
        assert con.list_tables() == ["t"]


def test_two_processes_read_at_once(ws: Workspace) -> None:
    with holding(_file(ws), mode="read"), ws.open(ws.settings(), timeout=0) as con:
        assert con.list_tables() == ["t"]


def test_a_read_in_a_process_that_writes_goes_through_its_connection(ws: Workspace) -> None:
    settings = ws.settings()
    with ws.open(settings, write=True) as writer, ws.open(settings, timeout=0) as reader:
        writer.create_table("u", schema=ibis.schema({"a": "int64"}))
        assert sorted(reader.list_tables()) == ["t", "u"]


def test_a_holder_past_the_wait_is_warehouse_busy_naming_its_pid(ws: Workspace) -> None:
    with (
        holding(_file(ws)) as pid,
        pytest.raises(WarehouseBusy) as info,
        ws.open(ws.settings(), timeout=0.3),
    ):
        pass
    assert info.value.pid == pid
    assert f"process {pid} (" in info.value.message
    assert "waited 0.3 s" in info.value.message
    assert info.value.code == "warehouse.busy"
    assert info.value.status == 503
    assert "warehouse_wait_seconds" in info.value.hint


def test_open_waits_for_a_holder_that_lets_go_in_time(ws: Workspace) -> None:
    started = time.monotonic()
    with holding(_file(ws), seconds=1.0), ws.open(ws.settings(), write=True, timeout=20) as con:
        assert con.list_tables() == ["t"]
    assert time.monotonic() - started < 15


def test_the_wait_comes_from_the_warehouse_wait_seconds_setting(ws: Workspace) -> None:
    settings = ws.settings({"warehouse_wait_seconds": "0"})
    started = time.monotonic()
    with holding(_file(ws)), pytest.raises(WarehouseBusy), ws.open(settings):
        pass
    assert time.monotonic() - started < 5


def test_without_a_pid_in_the_message_the_holder_is_another_program() -> None:
    from coparent.workspace import _busy

    busy = _busy("IO Error: Could not set lock", file=Path("w.duckdb"), write=True, timeout=20)
    assert busy.pid is None
    assert "another program holds it" in busy.message


def test_an_in_memory_warehouse_just_connects(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    with ws.open(ws.settings({"warehouse_url": "duckdb://"}), write=True) as con:
        con.create_table("t", schema=ibis.schema({"a": "int64"}))
        assert con.list_tables() == ["t"]
    assert not _file(ws).exists()


def test_open_in_a_folder_that_is_not_a_workspace_says_how_to_make_one(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "nowhere")
    with pytest.raises(WorkspaceError) as info, ws.open(ws.settings()):
        pass
    assert "coparent init" in info.value.hint


def test_the_web_and_the_core_share_one_busy_error() -> None:
    from coparent.app.common import facts

    assert facts.WarehouseBusy is WarehouseBusy


_CONNECTORS = {"ibis", "duckdb", "warehouse", "_warehouse"}  # modules, not a Workspace


def test_nothing_in_src_opens_the_warehouse_but_through_workspace_open() -> None:
    """Every caller uses `Workspace.open` (it waits and closes); `connect` is for tests only."""
    src = Path(coparent.__file__).parent
    found = []
    for file in sorted(src.rglob("*.py")):
        if file.name in ("workspace.py", "warehouse.py") and file.parent == src:
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "connect":
                continue
            owner = node.func.value
            while isinstance(owner, ast.Attribute):  # ibis.duckdb.connect
                owner = owner.value
            if not (isinstance(owner, ast.Name) and owner.id in _CONNECTORS):
                found.append(f"{file.relative_to(src)}:{node.lineno}")
    assert found == [], "use `with ws.open(settings) as con:` instead of ws.connect"
