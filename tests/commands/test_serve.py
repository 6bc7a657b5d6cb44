"""``coparent serve``: its options and what it calls (the server: tests/services/test_webapp.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from coparent.commands.serve import serve


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("serve")(serve)
    app.command("noop")(lambda: None)  # two commands, so "serve" is a sub-command
    return app


def test_serve_help_lists_host_port_workspace_and_setting() -> None:
    result = CliRunner().invoke(_app(), ["serve", "--help"], terminal_width=100)
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workspace", "--setting"):
        assert option in result.output


def test_serve_prepares_then_serves_the_workspace(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from coparent.services import webapp
    from coparent.workspace import Workspace

    Workspace(tmp_path).init()
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(webapp, "webapp_prepare", lambda ws, **kw: calls.append(("prepare", kw)))
    monkeypatch.setattr(webapp, "webapp_serve", lambda ws, **kw: calls.append(("serve", kw)))
    monkeypatch.setattr(webapp, "webapp_owner_exists", lambda ws: True)
    result = CliRunner().invoke(
        _app(),
        ["serve", "--workspace", str(tmp_path), "--port", "9001", "--setting", "sales_sla_hours=6"],
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9001/" in result.output
    assert calls[1] == (
        "serve",
        {"host": "127.0.0.1", "port": 9001, "workers": 0, "overrides": {"sales_sla_hours": "6"}},
    )


def test_a_bad_setting_fails_before_the_server_starts(tmp_path: Path) -> None:
    from coparent.errors import SettingsError

    result = CliRunner().invoke(
        _app(), ["serve", "--workspace", str(tmp_path), "--setting", "sales_sla_hours=soon"]
    )
    assert isinstance(result.exception, SettingsError)


@pytest.mark.parametrize("has_owner", [True, False])
def test_serve_says_how_to_make_the_first_owner_when_there_is_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, has_owner: bool
) -> None:
    from coparent.services import webapp
    from coparent.workspace import Workspace

    Workspace(tmp_path).init()
    monkeypatch.setattr(webapp, "webapp_prepare", lambda ws, **kw: None)
    monkeypatch.setattr(webapp, "webapp_serve", lambda ws, **kw: None)
    monkeypatch.setattr(webapp, "webapp_owner_exists", lambda ws: has_owner)
    result = CliRunner().invoke(_app(), ["serve", "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    hint = f"coparent user create NAME --role owner --workspace {tmp_path}"
    assert (hint in result.output) is not has_owner
