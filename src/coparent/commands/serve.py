"""``coparent serve``: the web app on this machine.

cli.py registers the function: ``app.command("serve")(serve)``. It parses the
options, prints the address and calls `coparent.services.webapp.webapp_serve`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coparent.commands._shared import SettingOpt, WorkspaceOpt, out
from coparent.settings import parse_setting_value
from coparent.workspace import Workspace, resolve_workspace_path

__all__ = ["serve"]


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Server processes, each with a few threads (0: one per CPU, at most 4).",
        ),
    ] = 0,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Serve the web app: scorecard, diagnosis, feedback, wins, setup, data and the API."""
    from coparent.services.webapp import (
        NO_OWNER_HINT,
        webapp_owner_exists,
        webapp_prepare,
        webapp_serve,
        webapp_url,
    )

    ws = Workspace(resolve_workspace_path(workspace))
    overrides = dict(parse_setting_value(s) for s in setting or [])
    ws.settings(overrides)  # a bad --setting fails here, before the server starts
    webapp_prepare(ws, overrides=overrides, host=host)
    if not webapp_owner_exists(ws):
        out.print(f"Note: {NO_OWNER_HINT} --workspace {ws.path}")
    out.print(f"coparent is serving {ws.path} at {webapp_url(host, port)} (Ctrl+C to stop)")
    webapp_serve(ws, host=host, port=port, workers=workers, overrides=overrides)
