"""The ``coparent`` command: a thin Typer shell over the services.

Every command parses its options, calls one service and prints the result as
a Rich table (or JSON with ``--json``). A `CoparentError` becomes one line and
its hint on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable
from typer._click.core import Context  # typer vendors click since 0.23
from typer.core import TyperGroup

from coparent import __version__
from coparent.commands import (
    attribution,
    imports,
    offer,
    refresh,
    reports,
    serve,
    users,
    winback,
)
from coparent.commands import digest as digest_cmd
from coparent.commands import notify as notify_cmd
from coparent.commands import pairs as pairs_cmd
from coparent.commands import sync as sync_cmd
from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out
from coparent.commands._shared import open_workspace as _open
from coparent.commands._shared import print_json as _print_json
from coparent.commands._shared import progress_bar as _progress
from coparent.errors import CoparentError, ImportRejected
from coparent.settings import parse_setting_value
from coparent.workspace import Workspace, default_workspace_path, resolve_workspace_path


class _Group(TyperGroup):
    """Turns a CoparentError raised by any command into one line + hint, exit 1."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ImportRejected as exc:
            for issue in exc.issues:
                err.print(issue.format(), markup=False)
            errors = sum(i.count for i in exc.issues if i.level == "error")
            err.print(f"{exc.file}: {errors:,} error(s); nothing was loaded.", markup=False)
            raise typer.Exit(1) from None
        except CoparentError as exc:
            err.print(f"error: {exc.message}", markup=False)
            if exc.hint:
                err.print(f"  hint: {exc.hint}", markup=False)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="coparent",
    help="Run Sales and Marketing as one team: shared numbers, calm diagnosis, shared wins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command()
def init(workspace: WorkspaceOpt = None) -> None:
    """Create a workspace: a settings file and an empty warehouse."""
    ws = Workspace(resolve_workspace_path(workspace))
    created = ws.init()
    with ws.open(ws.settings(), write=True):  # creates the warehouse file
        pass
    verb = "Created" if created else "Already a workspace:"
    out.print(f"{verb} {ws.path}")
    out.print(f"  settings:  {ws.settings_file}")
    out.print(f"  warehouse: {ws.warehouse_url(ws.settings())}")


app.command("import")(imports.import_)


@app.command()
def export(
    table: Annotated[str, typer.Argument(help="Canonical table to write out.")],
    file: Annotated[Path, typer.Argument(help="Target .csv, .parquet or .xlsx file.")],
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Write a warehouse table to a file; formula-like text is neutralised for spreadsheets."""
    from coparent.ingest.export import export_table
    from coparent.schema import get_table
    from coparent.warehouse import read_table

    get_table(table)
    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        data = read_table(con, table).to_pyarrow()
    if file.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        raise typer.BadParameter("use a .csv, .parquet or .xlsx file name", param_hint="FILE")
    export_table(data, file)
    out.print(f"Wrote {data.num_rows:,} rows of {table} to {file}")


@app.command()
def schema(
    table: Annotated[str | None, typer.Argument(help="One table; all when omitted.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the canonical tables: columns, types, keys, references."""
    from coparent.schema import TABLES, get_table

    tables = [get_table(table)] if table else list(TABLES.values())
    if as_json:
        _print_json(
            [
                {
                    "table": t.name,
                    "doc": t.doc,
                    "columns": [
                        {
                            "name": c.name,
                            "type": c.type,
                            "nullable": c.nullable,
                            "key": c.key,
                            "references": c.ref,
                            "values": list(c.values) if c.values else None,
                            "doc": c.doc,
                        }
                        for c in t
                    ],
                }
                for t in tables
            ]
        )
        return
    for t in tables:
        grid = RichTable(title=f"{t.name}: {t.doc}", title_justify="left", expand=False)
        for header in ("column", "type", "null?", "key", "references", "doc"):
            grid.add_column(header, overflow="fold")
        for c in t:
            doc = c.doc + (f" One of: {', '.join(c.values)}." if c.values else "")
            grid.add_row(
                c.name,
                c.type,
                "yes" if c.nullable else "",
                "key" if c.key else "",
                c.ref or "",
                doc,
            )
        out.print(grid)


@app.command()
def tables(
    workspace: WorkspaceOpt = None, setting: SettingOpt = None, as_json: JsonOpt = False
) -> None:
    """List the warehouse's canonical tables with their row counts."""
    from coparent.warehouse import row_counts

    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        counts = row_counts(con)
    if as_json:
        _print_json([{"table": name, "rows": rows} for name, rows in counts.items()])
        return
    if not counts:
        out.print(f"The warehouse in {ws.path} is empty: import a table (coparent import --help).")
        return
    grid = RichTable("table", "rows")
    for name, rows in counts.items():
        grid.add_row(name, f"{rows:,}")
    out.print(grid)


@app.command()
def demo(
    workspace: WorkspaceOpt = None,
    scale: Annotated[
        str,
        typer.Option(
            help="small (seconds), medium (~100k leads), large (~1M leads), "
            "or explicit counts like leads=20000,accounts=3000."
        ),
    ] = "small",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same company.")
    ] = 0,
    single_team: Annotated[
        bool, typer.Option("--single-team", help="One team does both jobs.")
    ] = False,
    serve_ui: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web UI afterwards.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    setting: SettingOpt = None,
) -> None:
    """Build a demo company, load it through the import path, and show what was loaded."""
    from coparent.services.demo import demo_build

    path = workspace or resolve_workspace_path(None)
    if workspace is None and path == default_workspace_path():
        path = path / "demo"  # never mix a demo into the real default workspace
    ws = Workspace(Path(path).resolve())
    ws.init()
    settings = ws.settings(dict(parse_setting_value(s) for s in setting or []))
    started = time.perf_counter()
    with _progress(err.is_terminal) as progress:
        result = demo_build(
            ws,
            settings=settings,
            scale=scale,
            seed=seed,
            single_team=single_team,
            progress=progress,
        )
    grid = RichTable(
        "table", "rows", title=f"Demo company loaded into {ws.path}", title_justify="left"
    )
    for name, rows in result.rows.items():
        grid.add_row(name, f"{rows:,}")
    out.print(grid)
    out.print(f"Planted truths the analytics should find (also in {result.truths_file}):")
    for truth in result.truths:
        out.print(f"  - {truth.kind}: {truth.statement}")
    from coparent.services.diagnosis import diagnosis_report
    from coparent.services.scorecard import scorecard_report

    with ws.open(settings) as con:  # closed: the web server opens the warehouse next
        out.print()
        reports.print_scorecard(scorecard_report(con, settings=settings), out)
        out.print()
        reports.print_diagnosis_headline(diagnosis_report(con, settings=settings), out)
    out.print(f"Done in {time.perf_counter() - started:.1f} s.")
    from coparent.services.webapp import demo_users_create, webapp_serve, webapp_url

    overrides = dict(parse_setting_value(s) for s in setting or [])
    demo_users = demo_users_create(ws, overrides=overrides, host=host)
    out.print()
    where = webapp_url(host, port) if serve_ui else f"coparent serve --workspace {ws.path}"
    password = demo_users[0]["password"]
    out.print(f"Open {where} and sign in as (password for all: {password}):")
    for user in demo_users:
        team = f" ({user['team']})" if user.get("team") else ""
        out.print(f"  {user['username']:<16} {user['role']}{team}")
    if not serve_ui:
        return
    out.print("Press Ctrl+C to stop.")
    webapp_serve(ws, host=host, port=port, overrides=overrides)


@app.command(
    "manage",
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "allow_interspersed_args": False,
    },
)
def manage(ctx: typer.Context, workspace: WorkspaceOpt = None) -> None:
    """Django's management commands for the workspace's app: coparent manage migrate, ...

    Options for Django go after the command's name: coparent manage -w DIR
    createsuperuser --username ceo. "coparent manage help" lists them all.
    """
    from coparent.services.webapp import webapp_manage

    webapp_manage(Workspace(resolve_workspace_path(workspace)), list(ctx.args))


app.command("scorecard")(reports.scorecard)
app.command("diagnose")(reports.diagnose)
app.add_typer(winback.app, name="winback")
app.add_typer(offer.app, name="offer")
app.add_typer(users.app, name="user")
app.command("attribution")(attribution.attribution)
app.command("serve")(serve.serve)
app.command("refresh")(refresh.refresh)
app.command("pairs")(pairs_cmd.pairs)
app.command("digest")(digest_cmd.digest)
app.add_typer(notify_cmd.app, name="notify")
app.command("connect")(sync_cmd.connect)
app.command("sync")(sync_cmd.sync)


def _version(value: bool) -> None:
    if value:
        out.print(f"coparent {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Run Sales and Marketing as one team: shared numbers, calm diagnosis, shared wins."""


def main() -> None:
    """Console-script entry point."""
    app()
