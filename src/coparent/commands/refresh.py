"""``coparent refresh``, and the post-import hooks every ``coparent import`` runs after its commit.

The hooks live in the app (`coparent.app.common.hooks`: the wins engine, the
report cache); this module reaches them through `coparent.services.webapp`
by name, and only when the workspace has an app database: without one there
is nothing to derive and none is created. A hook that fails is printed and
never undoes the import.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out, print_json
from coparent.commands._shared import open_workspace as _open
from coparent.settings import parse_setting_value
from coparent.workspace import Workspace

__all__ = ["after_import", "refresh"]


def _run(
    ws: Workspace, setting: list[str] | None, *, force: bool = False
) -> list[dict[str, object]] | None:
    from coparent.services.webapp import webapp_refresh

    overrides = dict(parse_setting_value(s) for s in setting or [])
    return webapp_refresh(ws, overrides=overrides, force=force)


def _print(results: list[dict[str, object]]) -> bool:
    for r in results:
        line = f"{r['name']}: {r['detail']} ({float(str(r['seconds'])):.1f} s)"
        if r["ok"]:
            out.print(line, markup=False)
        else:
            err.print(f"Warning: {r['name']} failed: {r['detail']}", markup=False)
    return all(bool(r["ok"]) for r in results)


def after_import(ws: Workspace, setting: list[str] | None) -> None:
    """Run the post-import hooks after a committed import (its connection closed first)."""
    try:
        results = _run(ws, setting)
    except Exception as exc:  # the import stands whatever happens here
        err.print(f"Warning: the post-import hooks did not run: {exc}", markup=False)
        err.print("run them again with: coparent refresh", markup=False)
        return
    if results is not None and not _print(results):
        err.print("the import stands; run the hooks again with: coparent refresh", markup=False)


def refresh(
    force: Annotated[
        bool, typer.Option("--force", help="Run the wins engine even if nothing it reads changed.")
    ] = False,
    json_: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Recompute what the web app derives from the data (wins, report cache); for cron.

    The same hooks run after every import; pages never compute them. Exit 1
    when a hook failed, 0 otherwise (also without an app database: nothing to do).
    """
    ws, _ = _open(workspace, setting)
    results = _run(ws, setting, force=force)
    if json_:
        print_json(results or [])
        ok = all(bool(r["ok"]) for r in results or [])
    elif results is None:
        out.print(f"{ws.path} has no app database: nothing to refresh")
        ok = True
    else:
        ok = _print(results)
    if not ok:
        raise typer.Exit(1)
