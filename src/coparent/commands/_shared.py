"""What every command shares: the workspace and setting options, the consoles, JSON output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from coparent.plain import dumps
from coparent.settings import Settings, SettingSource, parse_setting_value
from coparent.workspace import Workspace, resolve_workspace_path

__all__ = [
    "JsonOpt",
    "SettingOpt",
    "WorkspaceOpt",
    "decided_settings",
    "err",
    "open_workspace",
    "out",
    "print_json",
    "progress_bar",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $COPARENT_HOME, else ~/.local/share/coparent).",
        show_default=False,
    ),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option("--setting", "-s", help="Override a setting for this run: name=value."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def open_workspace(workspace: Path | None, setting: list[str] | None) -> tuple[Workspace, Settings]:
    """The selected workspace and its settings with this run's ``--setting`` overrides."""
    ws = Workspace(resolve_workspace_path(workspace))
    return ws, ws.settings(dict(parse_setting_value(s) for s in setting or []))


def decided_settings(
    ws: Workspace, setting: list[str] | None, *, period: Callable[[Settings], str | None]
) -> tuple[Settings, dict[str, SettingSource]]:
    """The settings with the app's decisions (goal, SLA terms) for a period, and their sources.

    Precedence: ``--setting``, then the app database, then the environment and
    the settings file. Without an app database Django is not even imported;
    ``period(settings)`` (the period to look the goal up for) is only called
    when there is one, as it may need to read the warehouse.
    """
    from coparent.services.webapp import webapp_open

    overrides = dict(parse_setting_value(s) for s in setting or [])
    plain = ws.settings_sourced(overrides)
    if not webapp_open(ws, overrides=overrides):
        return plain
    from coparent.app.goals.selectors import app_decisions

    fy = plain[0].fiscal_year_start_month
    app = app_decisions(period=period(plain[0]), fiscal_year_start_month=fy)
    return ws.settings_sourced(overrides, app=app) if app else plain


def print_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None] | None]:
    """A Rich bar fed by a service's progress(stage, fraction) callback (None when disabled)."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=1.0)

        def report(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=fraction)

        yield report
