"""``coparent import``: a file into one table through a mapping, or CRM exports through presets.

Three forms share the command, so everything about getting data in stays in one
place:

- ``coparent import TABLE FILE [--mapping M.toml]``: one file, canonical or mapped headers;
- ``coparent import FILE --preset auto|hubspot|hubspot-deals|my.toml``: a CRM export,
  recognised from its headers (``TABLE FILE --preset ...`` loads only that table);
- ``coparent import --dir FOLDER``: every export in a folder, all or nothing.

``--list-presets`` and ``--show-preset NAME`` print the presets, so a user can copy
one and edit it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table as RichTable

from coparent.commands._shared import SettingOpt, WorkspaceOpt, err, out, progress_bar
from coparent.commands._shared import open_workspace as _open
from coparent.commands.refresh import after_import

__all__ = ["import_"]

_MODES = ("replace", "append")


def import_(
    first: Annotated[
        str | None,
        typer.Argument(
            metavar="TABLE|FILE",
            help="TABLE FILE loads FILE into the canonical table TABLE (see coparent schema); "
            "with --preset, FILE alone loads every table the preset fills.",
            show_default=False,
        ),
    ] = None,
    second: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE", help="The file, when TABLE comes first.", show_default=False
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", help="TOML mapping of source columns to canonical ones."),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            "-p",
            help="Read a CRM export: auto (recognise it), a CRM (hubspot, salesforce, "
            "pipedrive), a preset name (see --list-presets) or an edited preset file (.toml).",
        ),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Import every export file in this folder, in dependency order, all or "
            "nothing (presets: auto unless --preset).",
        ),
    ] = None,
    list_presets: Annotated[
        bool, typer.Option("--list-presets", help="List the presets and exit.")
    ] = False,
    show_preset: Annotated[
        str | None,
        typer.Option("--show-preset", metavar="NAME", help="Print a preset's TOML and exit."),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help="Order of 05/03/2024 in exports (default: decided from each file's dates).",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Time zone of export times without an offset, e.g. Europe/Paris "
            "(default: the timezone setting).",
        ),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="replace the table, or append to it.")
    ] = "replace",
    check: Annotated[
        bool, typer.Option("--check", help="Validate only; load nothing. Exit 1 on errors.")
    ] = False,
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help="Field separator: ',', ';', 'tab', '|' or 'whitespace'."),
    ] = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Import a file into a table, or CRM exports through presets; whole or not at all."""
    if list_presets:
        _print_presets()
        return
    if show_preset is not None:
        from coparent.ingest.presets import preset_text

        sys.stdout.write(preset_text(show_preset))
        return
    if mode not in _MODES:
        raise typer.BadParameter("must be 'replace' or 'append'", param_hint="--mode")
    delim = "\t" if delimiter == "tab" else delimiter
    if folder is not None or preset is not None:
        if mapping is not None:
            raise typer.BadParameter(
                "a mapping and a preset exclude each other; an edited preset is given with "
                "--preset FILE.toml",
                param_hint="--mapping",
            )
        _import_exports(
            first,
            second,
            folder=folder,
            preset=preset or "auto",
            dayfirst=dayfirst,
            timezone=timezone,
            mode=_mode(mode),
            check=check,
            delimiter=delim,
            workspace=workspace,
            setting=setting,
        )
        return
    if dayfirst is not None or timezone is not None:
        raise typer.BadParameter(
            "--dayfirst, --monthfirst and --timezone are for exports read with --preset or "
            "--dir; a mapping sets timezone and date formats in the file",
            param_hint="--preset",
        )
    if first is None or second is None:
        raise typer.BadParameter(
            "give TABLE FILE (with --mapping unless the headers are canonical), FILE --preset "
            "auto for a CRM export, or --dir FOLDER",
            param_hint="TABLE FILE",
        )
    _import_table(
        first,
        second,
        mapping=mapping,
        mode=_mode(mode),
        check=check,
        delimiter=delim,
        workspace=workspace,
        setting=setting,
    )


def _mode(mode: str) -> Literal["replace", "append"]:
    return "append" if mode == "append" else "replace"


def _import_table(
    table: str,
    file: Path,
    *,
    mapping: Path | None,
    mode: Literal["replace", "append"],
    check: bool,
    delimiter: str | None,
    workspace: Path | None,
    setting: list[str] | None,
) -> None:
    from coparent.services.imports import import_file

    ws, settings = _open(workspace, setting)
    size = file.stat().st_size if file.exists() else 0
    slow = size > 20_000_000 * settings.import_progress_seconds  # ~20 MB/s end to end
    # Closed before the hooks run: they read the warehouse.
    with (
        ws.open(settings, write=not check) as con,
        progress_bar(slow and err.is_terminal) as progress,
    ):
        result = import_file(
            con,
            table=table,
            path=file,
            mapping=mapping,
            mode=mode,
            check=check,
            settings=settings,
            delimiter=delimiter,
            progress=progress,
        )
    for issue in result.issues:
        err.print(issue.format(), markup=False)
    if result.checked_only:
        out.print(f"{file}: OK, {result.rows:,} rows would load into {table} (nothing written)")
    else:
        out.print(
            f"Loaded {result.rows:,} rows into {table} ({result.mode}) from {file} "
            f"in {result.seconds:.1f} s"
        )
    if not result.checked_only:
        after_import(ws, setting)


def _import_exports(
    first: str | None,
    second: Path | None,
    *,
    folder: Path | None,
    preset: str,
    dayfirst: bool | None,
    timezone: str | None,
    mode: Literal["replace", "append"],
    check: bool,
    delimiter: str | None,
    workspace: Path | None,
    setting: list[str] | None,
) -> None:
    from coparent.services.export_imports import import_export, import_export_folder

    if folder is not None and first is not None:
        raise typer.BadParameter("give a FILE or --dir FOLDER, not both", param_hint="--dir")
    if folder is None and first is None:
        raise typer.BadParameter("give the export FILE (or --dir FOLDER)", param_hint="FILE")
    ws, settings = _open(workspace, setting)
    # Closed before the hooks run: they read the warehouse.
    with ws.open(settings, write=not check) as con:
        if folder is not None:
            result = import_export_folder(
                con,
                folder=folder,
                preset=preset,
                mode=mode,
                check=check,
                settings=settings,
                dayfirst=dayfirst,
                timezone=timezone,
            )
        else:
            assert first is not None
            path, tables = (Path(first), None) if second is None else (second, [first])
            result = import_export(
                con,
                path=path,
                preset=preset,
                tables=tables,
                mode=mode,
                check=check,
                settings=settings,
                dayfirst=dayfirst,
                timezone=timezone,
                delimiter=delimiter,
            )
    for f in result.files:
        out.print(f"{f.file}: {f.preset} ({f.title}): {f.why}", markup=False)
    for name in result.skipped:
        out.print(f"{name}: not an export file, not read", markup=False)
    for issue in result.issues:
        err.print(issue.format(), markup=False)
    verb = "Would load (nothing written)" if result.checked_only else f"Loaded ({result.mode})"
    grid = RichTable(
        "table",
        "rows",
        "from",
        title=f"{verb} in one transaction, {result.seconds:.1f} s",
        title_justify="left",
    )
    for name, rows in result.rows.items():
        sources = [Path(f.file).name for f in result.files if name in f.rows]
        origin = ", ".join(sources) if sources else "owners named in the files (new people)"
        grid.add_row(name, f"{rows:,}", origin)
    out.print(grid)
    if not result.checked_only:
        after_import(ws, setting)


def _print_presets() -> None:
    from coparent.ingest.presets import builtin_presets

    grid = RichTable(title="Presets (--preset NAME)", title_justify="left")
    grid.add_column("preset", no_wrap=True)
    for header in ("reads", "fills", "what it does"):
        grid.add_column(header)
    for p in builtin_presets().values():
        grid.add_row(p.name, f"{p.crm} {p.object}", ", ".join(p.tables), p.notes.get("summary", ""))
    out.print(grid)
    out.print(
        "auto recognises the preset from the headers; a CRM name (hubspot, salesforce, "
        "pipedrive) picks among its presets; coparent import --show-preset NAME prints one "
        "to copy and edit (then --preset my-copy.toml). See docs/presets.md."
    )
