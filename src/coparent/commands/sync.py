"""``coparent connect SOURCE`` and ``coparent sync [SOURCE]``: live CRM sync from a terminal.

Thin shells over `coparent.services.sync`: the token is read from a hidden
prompt or from stdin (never from an option, which would land in the shell
history), stored at mode 600, and never printed. After a committed sync the
post-import hooks run exactly as after ``coparent import``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table as RichTable

from coparent.commands._shared import (
    JsonOpt,
    SettingOpt,
    WorkspaceOpt,
    err,
    out,
    print_json,
)
from coparent.commands._shared import open_workspace as _open
from coparent.commands.refresh import after_import
from coparent.errors import SyncError, WorkspaceError
from coparent.settings import parse_setting_value
from coparent.workspace import Workspace

__all__ = ["connect", "sync"]

_ENV = {"hubspot": "COPARENT_HUBSPOT_TOKEN"}
_TITLE = {"hubspot": "HubSpot"}

SourceArg = Annotated[
    str, typer.Argument(metavar="SOURCE", help="The CRM: hubspot.", show_default=False)
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="The API's base URL (default: the stored one, else https://api.hubapi.com).",
        show_default=False,
    ),
]


def _known(source: str) -> str:
    from coparent.services.sync import SOURCES

    name = source.lower()
    if name not in SOURCES:
        raise typer.BadParameter(
            f"{source!r} is not a source coparent can sync yet; sources: " + ", ".join(SOURCES),
            param_hint="SOURCE",
        )
    return name


def _read_token(title: str) -> str:
    """The token from a hidden prompt on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        text: str = typer.prompt(
            f"{title} private-app access token (Enter keeps the stored one)",
            default="",
            hide_input=True,
            show_default=False,
        )
        return text.strip()
    line = sys.stdin.readline()
    return line.strip()


def connect(
    source: SourceArg,
    base_url: BaseUrlOpt = None,
    test: Annotated[
        bool,
        typer.Option("--test", help="Check the credentials with one cheap call per object."),
    ] = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Store what a sync needs (the token is asked for, never echoed; kept at mode 600)."""
    from coparent.services.sync import connection_store, connection_test
    from coparent.sync import connection_load

    name = _known(source)
    ws, settings = _open(workspace, setting)
    if not ws.exists():
        raise WorkspaceError(
            f"no workspace at {ws.path}", hint=f"create one: coparent init --workspace {ws.path}"
        )
    title, env_var = _TITLE[name], _ENV[name]
    token = _read_token(title) or None
    before = connection_load(ws.path, source=name, env_var=env_var, environ={})
    if token is None and before.secret is None and not os.environ.get(env_var):
        raise SyncError(
            f"no {title} token given",
            source=name,
            hint=f"type or pipe the private app's access token, or set {env_var}",
        )
    path = connection_store(ws, source=name, secret=token, base_url=base_url or before.base_url)
    if token is not None:
        out.print(f"Stored the {title} token in {path} (mode 600).", markup=False)
    elif before.secret is not None:
        out.print(f"Kept the stored {title} token.", markup=False)
    if os.environ.get(env_var):
        out.print(f"{env_var} is set: it wins over the stored token.", markup=False)
    if test:
        results = connection_test(ws, settings, source=name, base_url=base_url)
        readable = [obj for obj, ok, _ in results if ok]
        out.print(
            f"{title}: the token works; it can read "
            + (", ".join(readable) if readable else "nothing coparent syncs"),
            markup=False,
        )
        for obj, ok, note in results:
            if not ok:
                err.print(f"  cannot read {obj}: {note}", markup=False)
        if len(readable) < len(results):
            raise typer.Exit(1)


@contextmanager
def _bars(enabled: bool) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """One Rich progress bar per object (records read of the total the CRM counts), on a
    terminal only."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(obj: str, done: int, total: int | None) -> None:
            if obj not in tasks:
                tasks[obj] = bar.add_task(obj, total=total)
            bar.update(tasks[obj], completed=done, total=total)

        yield report


def sync(
    source: Annotated[
        str | None,
        typer.Argument(
            metavar="SOURCE",
            help="The CRM: hubspot (default: every connected source).",
            show_default=False,
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Read every record again instead of the changes.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Read and validate only; load nothing, move no cursor.")
    ] = False,
    json_: JsonOpt = False,
    base_url: BaseUrlOpt = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Pull CRM changes into the warehouse through the import presets, whole or not at all."""
    from coparent.services.sync import SOURCES, sync_run
    from coparent.sync import connection_load

    ws, settings = _open(workspace, setting)
    if source is not None:
        names = [_known(source)]
    else:
        names = [
            s
            for s in SOURCES
            if connection_load(ws.path, source=s, env_var=_ENV[s]).secret_from != "none"
        ]
        if not names:
            raise SyncError(
                "no source is connected",
                source="",
                hint="run coparent connect hubspot, or set COPARENT_HUBSPOT_TOKEN",
            )
    summaries = []
    for name in names:
        with _bars(err.is_terminal and not json_) as progress:
            result = sync_run(
                ws,
                settings,
                source=name,
                full=full,
                check=check,
                base_url=base_url,
                progress=progress,
            )
        summary = result.summary()
        if not json_:
            _print(summary, _TITLE[name])
            for issue in result.warnings:
                err.print(issue.format(), markup=False)
            if not check:
                after_import(ws, setting)
        elif not check:
            summary["hooks"] = _hooks_quietly(ws, setting)
        summaries.append(summary)
    if json_:
        print_json(summaries[0] if len(summaries) == 1 else summaries)


def _hooks_quietly(ws: Workspace, setting: list[str] | None) -> list[dict[str, object]] | None:
    """The post-import hooks, as after_import runs them, reported in the JSON (stdout stays
    one JSON document); None without an app database."""
    from coparent.services.webapp import webapp_refresh

    overrides = dict(parse_setting_value(s) for s in setting or [])
    try:
        return webapp_refresh(ws, overrides=overrides)
    except Exception as exc:  # the sync stands whatever happens here
        err.print(f"Warning: the post-import hooks did not run: {exc}", markup=False)
        return [{"name": "hooks", "ok": False, "detail": str(exc), "seconds": 0.0}]


def _print(summary: dict[str, object], title: str) -> None:
    kind = "full" if summary["full"] else "incremental"
    verb = "Checked (nothing written)" if summary["checked_only"] else "Synced"
    grid = RichTable(
        "table",
        "read",
        "changed",
        "deleted",
        "skipped",
        "rows",
        title=f"{verb}: {title}, {kind}, in one transaction, {summary['seconds']:.1f} s",
        title_justify="left",
    )
    tables = summary["tables"]
    assert isinstance(tables, dict)
    for table, row in tables.items():
        grid.add_row(
            table,
            *(f"{row[k]:,}" if k in row else "" for k in ("read", "changed", "deleted", "skipped")),
            f"{row['rows']:,}",
        )
    out.print(grid)
