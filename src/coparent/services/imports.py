"""Import a file into a canonical table: all checked, then all loaded, or nothing.

The CLI, the API and the web upload all call `import_file`. It reads the file
(keeping spreadsheet row numbers), maps and checks every value, checks keys
against the file (and the warehouse when appending) and references against
the warehouse, then either raises `ImportRejected` with every issue found
(nothing loaded) or loads the whole table in one atomic write.

    result = import_file(con, table="leads", path=Path("leads.csv"), settings=settings)
    print(result.rows, "rows loaded;", len(result.issues), "warnings")

``progress(stage, fraction)`` is called with the stage name ("read",
"check", "references", "load") and the fraction of the whole import done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import ImportRejected, MappingError, SettingsError
from coparent.ingest.checks import CheckedTable, check_values
from coparent.ingest.derive import derive_source
from coparent.ingest.issues import Issue, IssueCode, IssueLog
from coparent.ingest.mapping import (
    DELIMITERS,
    ImportMapping,
    SourceOptions,
    TableMapping,
    check_timezone,
    check_value_maps,
    load_mapping,
    plan_columns,
)
from coparent.ingest.readers import SourceTable, read_arrow, read_source
from coparent.ingest.table_checks import check_keys, check_order, check_references
from coparent.schema import IMPORT_ORDER, get_table
from coparent.settings import Settings
from coparent.warehouse import WriteMode

__all__ = ["ImportResult", "Progress", "import_arrow", "import_file", "import_mapped"]

Progress = Callable[[str, float], None]

_STAGES = {"read": (0.0, 0.3), "check": (0.3, 0.8), "references": (0.8, 0.85), "load": (0.85, 1.0)}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows loaded (or that would load, with ``checked_only``) and warnings."""

    table: str
    file: str
    rows: int
    mode: WriteMode
    checked_only: bool
    issues: tuple[Issue, ...] = field(default=())
    seconds: float = 0.0

    @property
    def warning_count(self) -> int:
        return sum(i.count for i in self.issues if i.level == "warning")

    @property
    def dropped(self) -> int:
        """Rows the mapping's filters left out (``ingest.W105``): rows in = rows + dropped."""
        return sum(i.count for i in self.issues if i.code is IssueCode.W105)


def import_file(
    con: BaseBackend,
    *,
    table: str,
    path: Path,
    mapping: Path | ImportMapping | None = None,
    mode: WriteMode = "replace",
    check: bool = False,
    settings: Settings | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check ``path`` against canonical ``table`` and load it whole; `ImportRejected` on errors.

    ``mapping`` maps source columns (a TOML file or a loaded mapping); without
    one the file needs canonical headers. ``delimiter`` overrides the
    mapping's and the sniffed one. With ``check`` nothing is ever written.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    path = Path(path)
    _check_mode(mode)
    tdef = get_table(table)
    tmap = _table_mapping(mapping, table)
    if tmap.source.timezone is None:
        _check_timezone_setting(settings.timezone)
    _check_value_maps(tmap, settings)
    options = tmap.source
    if delimiter is not None:
        options = _with_delimiter(options, delimiter)
    file = str(path)
    log = IssueLog(file=file, max_examples=settings.import_max_examples)
    _report(progress, "read", 0.0)
    src = read_source(path, file=file, options=options, settings=settings, log=log)
    _report(progress, "read", 1.0)
    return _check_and_load(
        con,
        tdef.name,
        src,
        tmap,
        file=file,
        mode=mode,
        check=check,
        settings=settings,
        log=log,
        progress=progress,
        started=started,
    )


def import_arrow(
    con: BaseBackend,
    *,
    table: str,
    data: pa.Table,
    source_name: str,
    mapping: Path | ImportMapping | None = None,
    mode: WriteMode = "replace",
    check: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Like `import_file` for an in-memory Arrow table (rows numbered from 2, as if exported)."""
    started = time.perf_counter()
    settings = settings or Settings()
    _check_mode(mode)
    tdef = get_table(table)
    tmap = _table_mapping(mapping, table)
    if tmap.source.timezone is None:
        _check_timezone_setting(settings.timezone)
    _check_value_maps(tmap, settings)
    log = IssueLog(file=source_name, max_examples=settings.import_max_examples)
    src = read_arrow(data, file=source_name, settings=settings, log=log)
    return _check_and_load(
        con,
        tdef.name,
        src,
        tmap,
        file=source_name,
        mode=mode,
        check=check,
        settings=settings,
        log=log,
        progress=progress,
        started=started,
    )


def import_mapped(
    con: BaseBackend,
    *,
    mapping: Path,
    tables: Sequence[str] | None = None,
    mode: WriteMode = "replace",
    check: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import every table a mapping file maps, from the files it names, in `IMPORT_ORDER`.

    Each table is loaded atomically on its own, in dependency order so that
    references are checked; the first rejected file stops the run (tables
    loaded before it stay loaded). With ``check`` nothing is loaded, so
    references between the mapped tables are not checked (``ingest.W301``).
    """
    loaded = load_mapping(mapping)
    wanted = list(tables) if tables is not None else list(loaded.tables)
    for name in wanted:
        get_table(name)
        loaded.table(name)
    results = []
    for name in IMPORT_ORDER:
        if name in wanted:
            path = loaded.table(name).source_path()
            results.append(
                import_file(
                    con,
                    table=name,
                    path=path,
                    mapping=loaded,
                    mode=mode,
                    check=check,
                    settings=settings,
                    progress=progress,
                )
            )
    return results


def _check_mode(mode: str) -> None:
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")


def _table_mapping(mapping: Path | ImportMapping | None, table: str) -> TableMapping:
    if mapping is None:
        return TableMapping(table)
    loaded = load_mapping(mapping) if isinstance(mapping, Path) else mapping
    return loaded.table(table)


def _with_delimiter(options: SourceOptions, delimiter: str) -> SourceOptions:
    aliases = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = aliases.get(delimiter, delimiter)
    if value not in DELIMITERS:
        raise MappingError(
            f"unsupported delimiter {delimiter!r}",
            file="--delimiter",
            hint='use one of "," ";" "\\t" "|" "whitespace"',
        )
    return replace(options, delimiter=value)


def _report(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        lo, hi = _STAGES[stage]
        progress(stage, lo + (hi - lo) * fraction)


def _check_and_load(
    con: BaseBackend,
    table: str,
    src: SourceTable | None,
    tmap: TableMapping,
    *,
    file: str,
    mode: WriteMode,
    check: bool,
    settings: Settings,
    log: IssueLog,
    progress: Progress | None,
    started: float,
) -> ImportResult:
    checked = (
        None
        if src is None
        else _check(con, table, src, tmap, mode=mode, settings=settings, log=log, progress=progress)
    )
    issues = log.issues()
    if checked is None or log.error_count:
        if not log.error_count:  # pragma: no cover - a reader that stops always logs why
            log.add(IssueCode.E108, message="the file could not be read")
            issues = log.issues()
        raise ImportRejected(issues, file=file)
    warnings = tuple(i for i in issues if i.level == "warning")
    rows = len(checked.rows)
    if not check:
        _report(progress, "load", 0.0)
        warehouse.write_table(con, table, checked.to_arrow(), mode=mode)
        _report(progress, "load", 1.0)
    return ImportResult(table, file, rows, mode, check, warnings, time.perf_counter() - started)


_STRUCTURE = (
    IssueCode.E101,
    IssueCode.E102,
    IssueCode.E104,
    IssueCode.E105,
    IssueCode.E106,
    IssueCode.E107,
)


def _check(
    con: BaseBackend,
    table: str,
    src: SourceTable,
    tmap: TableMapping,
    *,
    mode: WriteMode,
    settings: Settings,
    log: IssueLog,
    progress: Progress | None,
) -> CheckedTable | None:
    tdef = get_table(table)
    if log.has(_STRUCTURE):
        return None
    plans = plan_columns(
        tmap, tdef, header=src.names, duplicates=src.duplicates, log=log, header_row=src.header_row
    )
    if plans is None:
        return None
    derived = derive_source(src, tmap, settings=settings, log=log)
    if derived is None:
        return None
    src = derived
    timezone = tmap.source.timezone or settings.timezone
    checked = check_values(
        src,
        plans,
        tdef,
        timezone=timezone,
        max_field_chars=settings.import_max_field_chars,
        log=log,
        progress=lambda f: _report(progress, "check", f),
    )
    existing = _existing_keys(con, table) if mode == "append" else None
    check_keys(checked, existing=existing, log=log)
    check_order(checked, log=log)
    _report(progress, "references", 0.0)
    check_references(checked, lookup=_lookup(con), log=log)
    _check_back_links(con, checked, mode=mode, log=log)
    _report(progress, "references", 1.0)
    return checked


# A table being loaded, the table whose rows link to it, and the linking column.
_BACK_LINKS = {"opportunities": ("leads", "opportunity_id"), "leads": ("opportunities", "lead_id")}


def _check_back_links(
    con: BaseBackend, checked: CheckedTable, *, mode: WriteMode, log: IssueLog
) -> None:
    """W303: rows already in the warehouse that link into this table to a record it lacks.

    Leads are imported before opportunities, so their ``opportunity_id`` links
    are checked only now, against the opportunities being loaded (and, when
    appending, those already there); the same the other way round.
    """
    name = checked.table.name
    if name not in _BACK_LINKS:
        return
    other, column = _BACK_LINKS[name]
    if not warehouse.has_table(con, other):
        return
    key = get_table(name).key[0]
    known = checked.arrays[key]
    if mode == "append" and warehouse.has_table(con, name):
        before = con.table(name).select(key).to_pyarrow()[key].combine_chunks()
        known = pa.concat_arrays([known.cast(pa.string()), before.cast(pa.string())])
    t = con.table(other)
    own_key = get_table(other).key[0]
    linked = t.filter(t[column].notnull()).select(own_key, column).to_pyarrow()
    dangling = pc.invert(pc.is_in(linked[column], value_set=known))
    n = int(pc.sum(dangling).as_py() or 0)
    if n == 0:
        return
    examples = linked.filter(dangling).slice(0, 3).to_pylist()
    shown = ", ".join(f"{r[own_key]} -> {r[column]}" for r in examples)
    log.add(
        IssueCode.W303,
        column=key,
        count=n,
        message=f"{n:,} {other} in the warehouse link to {name} not in this file ({shown}"
        f"{', ...' if n > 3 else ''}); they stay, and those links are not counted",
        hint=f"import the {name} export that holds them (all years), or leave them",
    )


def _check_value_maps(tmap: TableMapping, settings: Settings) -> None:
    null_values = tmap.source.null_values
    check_value_maps(
        tmap, null_values=settings.import_null_values if null_values is None else null_values
    )


def _check_timezone_setting(name: str) -> None:
    """The ``timezone`` setting must name an IANA zone; a `SettingsError` says which setting."""
    try:
        check_timezone(name, file="settings", key="timezone")
    except MappingError as exc:
        raise SettingsError(
            f"unknown time zone {name!r}", setting="timezone", source="settings", hint=exc.hint
        ) from None


def _existing_keys(con: BaseBackend, table: str) -> pa.Table | None:
    if not warehouse.has_table(con, table):
        return None
    key = list(get_table(table).key)
    result: pa.Table = con.table(table).select(key).to_pyarrow()
    return result


def _lookup(con: BaseBackend) -> Callable[[str, str], pa.Array | None]:
    present = set(con.list_tables())
    cache: dict[tuple[str, str], Any] = {}

    def lookup(table: str, column: str) -> pa.Array | None:
        if table not in present:
            return None
        if (table, column) not in cache:
            expr = con.table(table).select(column).distinct()
            cache[(table, column)] = expr.to_pyarrow()[column].combine_chunks()
        values: pa.Array = cache[(table, column)]
        return values

    return lookup
