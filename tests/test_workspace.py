from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from coparent.errors import WorkspaceError
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
