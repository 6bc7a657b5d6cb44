"""Import CRM exports through presets: one file, or a whole export folder, all or nothing.

`import_export` reads one export (``deals.csv`` from HubSpot), recognises
its CRM and object (or takes the preset given), and loads every table the
preset fills (opportunities, and stage_changes from the same file).
`import_export_folder` does the same for every export file in a folder, in
dependency order (`coparent.schema.IMPORT_ORDER`: accounts before leads,
leads before opportunities).

Both validate everything before writing anything: every file is read,
mapped and checked, references are checked against the tables of the same
import (and the warehouse for the others), and any error rejects the whole
import with every problem located by file, row and column
(`ImportRejected`). Otherwise all tables are written in one transaction
(`coparent.warehouse.write_tables`), so a failure half-way leaves the
warehouse exactly as it was.

Owners named in the exports (deal owners, lead owners, task assignees,
campaign owners) who are not yet in ``people`` are added to it (team
``sales``, ``marketing`` for campaign owners), so references hold; people
already there are never changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import ImportRejected
from coparent.ingest.checks import CheckedTable, check_values
from coparent.ingest.issues import Issue, IssueCode, IssueLog, new_issue, show_value
from coparent.ingest.mapping import check_timezone
from coparent.ingest.presets import (
    Detection,
    HeaderMatch,
    MappedTable,
    Preset,
    apply_preset,
    choose_presets,
    detect,
    match_headers,
    read_export,
)
from coparent.ingest.readers import TEXT_SUFFIXES
from coparent.ingest.table_checks import check_keys, check_order, check_references
from coparent.schema import IMPORT_ORDER, TABLES, get_table
from coparent.settings import Settings
from coparent.warehouse import WriteMode

__all__ = [
    "EXPORT_SUFFIXES",
    "ExportFile",
    "ExportImportResult",
    "import_export",
    "import_export_folder",
]

EXPORT_SUFFIXES = (*(s for s in TEXT_SUFFIXES if s), ".xlsx", ".xlsm", ".parquet", ".pq")
_PEOPLE_REF = "people.person_id"


@dataclass(frozen=True)
class ExportFile:
    """One file of an import: the preset read it with, why, and the rows it gave each table."""

    file: str
    preset: str | None
    title: str
    why: str
    rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportImportResult:
    """What an export import did (or would do, with ``checked_only``)."""

    files: tuple[ExportFile, ...]
    rows: dict[str, int]
    """Rows loaded per table, in import order (people: the owners added)."""
    mode: WriteMode
    checked_only: bool
    issues: tuple[Issue, ...] = ()
    skipped: tuple[str, ...] = ()
    """Folder entries that are not export files (not read)."""
    seconds: float = 0.0

    @property
    def warning_count(self) -> int:
        return sum(i.count for i in self.issues if i.level == "warning")


@dataclass
class _File:
    path: Path
    log: IssueLog
    preset: Preset | None = None
    why: str = ""
    timezone: str = "UTC"
    mapped: list[MappedTable] = field(default_factory=list)
    checked: list[CheckedTable] = field(default_factory=list)


def import_export(
    con: BaseBackend,
    *,
    path: Path,
    preset: str = "auto",
    tables: Sequence[str] | None = None,
    mode: WriteMode = "replace",
    check: bool = False,
    settings: Settings | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
) -> ExportImportResult:
    """Import one CRM export with ``preset`` (``auto``, a CRM, a name or a preset file).

    ``tables`` limits the import to some of the preset's tables. ``dayfirst``
    overrides the day/month order decided from the data; ``timezone`` is the
    zone of times without an offset (default: the preset's, else the
    ``timezone`` setting). `ImportRejected` lists every problem; nothing is
    written then, nor ever with ``check``.
    """
    path = Path(path)
    return _run(
        con,
        [path],
        where=str(path),
        preset=preset,
        tables=tables,
        mode=mode,
        check=check,
        settings=settings or Settings(),
        dayfirst=dayfirst,
        timezone=timezone,
        delimiter=delimiter,
    )


def import_export_folder(
    con: BaseBackend,
    *,
    folder: Path,
    preset: str = "auto",
    mode: WriteMode = "replace",
    check: bool = False,
    settings: Settings | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
) -> ExportImportResult:
    """Import every export file in ``folder`` (not its subfolders) in one all-or-nothing load.

    Files whose names end in a data suffix (.csv, .tsv, .txt, .xlsx,
    .parquet, ...) are read; a file no preset recognises rejects the import
    (``ingest.E109``). Several files may fill the same table (an export split
    in parts): their rows are loaded together and their ids must not repeat.
    """
    folder = Path(folder)
    settings = settings or Settings()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ImportRejected(
            [
                new_issue(
                    IssueCode.E100,
                    file=str(folder),
                    message=f"{folder} {what}",
                    hint="give the folder the CRM export was saved to",
                )
            ],
            file=str(folder),
        )
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    files = [
        p
        for p in entries
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in EXPORT_SUFFIXES
    ]
    skipped = tuple(p.name for p in entries if p not in files)
    if not files:
        raise ImportRejected(
            [
                new_issue(
                    IssueCode.E101,
                    file=str(folder),
                    message="the folder holds no export files",
                    hint="exports end in " + ", ".join(EXPORT_SUFFIXES),
                )
            ],
            file=str(folder),
        )
    result = _run(
        con,
        files,
        where=str(folder),
        preset=preset,
        tables=None,
        mode=mode,
        check=check,
        settings=settings,
        dayfirst=dayfirst,
        timezone=timezone,
        delimiter=None,
    )
    return ExportImportResult(
        result.files,
        result.rows,
        result.mode,
        result.checked_only,
        result.issues,
        skipped,
        result.seconds,
    )


def _run(
    con: BaseBackend,
    paths: Sequence[Path],
    *,
    where: str,
    preset: str,
    tables: Sequence[str] | None,
    mode: WriteMode,
    check: bool,
    settings: Settings,
    dayfirst: bool | None,
    timezone: str | None,
    delimiter: str | None,
) -> ExportImportResult:
    started = time.perf_counter()
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")
    for name in tables or ():
        get_table(name)
    if timezone is not None:
        check_timezone(timezone, file="--timezone", key="timezone")
    considered = choose_presets(preset)
    forced = len(considered) == 1 and preset != "auto" and considered[0].family != preset.lower()
    files = [
        _read(
            path,
            considered,
            forced=forced,
            tables=tables,
            settings=settings,
            dayfirst=dayfirst,
            timezone=timezone,
            delimiter=delimiter,
        )
        for path in paths
    ]
    mapped = sorted((m for f in files for m in f.mapped), key=lambda m: IMPORT_ORDER.index(m.table))
    for m in mapped:
        m.resolve_lookups(_text_lookup(con, mapped))
    by_file = {id(m): f for f in files for m in f.mapped}
    for m in mapped:
        f = by_file[id(m)]
        f.checked.append(
            check_values(
                m.source(),
                m.plans(),
                TABLES[m.table],
                timezone=f.timezone,
                max_field_chars=settings.import_max_field_chars,
                log=m.log,
            )
        )
    checked = [(c, f) for f in files for c in f.checked]
    checked.sort(key=lambda cf: IMPORT_ORDER.index(cf[0].table.name))
    for c, f in checked:
        if not len(c.rows) and c.table.name == (f.preset.main_table if f.preset else ""):
            f.log.add(
                IssueCode.E106,
                message=f"no {c.table.name} rows are left once the skipped rows are removed",
                hint="check the export's filters; an empty import would replace the table "
                "with nothing",
            )
        existing = _existing_keys(con, c.table.name) if mode == "append" else None
        check_keys(c, existing=existing, log=f.log)
        check_order(c, log=f.log)
    _cross_file_keys(checked)
    people = _new_people(con, [c for c, _ in checked])
    lookup = _key_lookup(con, [c for c, _ in checked], people, mode=mode)
    for c, f in checked:
        check_references(c, lookup=lookup, log=f.log)
    issues = [i for f in files for i in f.log.issues()]
    if any(i.level == "error" for i in issues):
        raise ImportRejected(issues, file=where)
    rows: dict[str, int] = {}
    writes: list[tuple[str, pa.Table, WriteMode]] = []
    if people.num_rows:
        rows["people"] = people.num_rows
        writes.append(("people", people, "append"))
    for name in IMPORT_ORDER:
        parts = [c.to_arrow() for c, _ in checked if c.table.name == name]
        if parts:
            data = pa.concat_tables(parts)
            rows[name] = data.num_rows
            writes.append((name, data, mode))
    if not check:
        warehouse.write_tables(con, writes)
    reports = tuple(
        ExportFile(
            str(f.path),
            f.preset.name if f.preset else None,
            f.preset.title if f.preset else "",
            f.why,
            {c.table.name: len(c.rows) for c in f.checked},
        )
        for f in files
    )
    warnings = tuple(i for i in issues if i.level == "warning")
    return ExportImportResult(
        reports, rows, mode, check, warnings, (), time.perf_counter() - started
    )


def _read(
    path: Path,
    considered: list[Preset],
    *,
    forced: bool,
    tables: Sequence[str] | None,
    settings: Settings,
    dayfirst: bool | None,
    timezone: str | None,
    delimiter: str | None,
) -> _File:
    f = _File(path, IssueLog(file=str(path), max_examples=settings.import_max_examples))
    export = read_export(
        path,
        file=str(path),
        presets=considered,
        settings=settings,
        log=f.log,
        delimiter=delimiter,
    )
    if export is None:
        if not f.log.error_count:  # pragma: no cover - a reader that stops always says why
            f.log.add(IssueCode.E108, message="the file could not be read")
        return f
    match: HeaderMatch | None
    if forced:
        match = match_headers(considered[0], export.headers)
        f.why = f"chosen with --preset; {match.describe()}"
    else:
        detection = detect(considered, export.headers)
        match = detection.chosen
        if match is None:
            _report_detection(detection, f.log, header_row=export.table.header_row)
            return f
        f.why = detection.explain()
    p = match.preset
    if tables is not None and not set(tables) & set(p.tables):
        f.log.add(
            IssueCode.E109,
            row=export.table.header_row,
            message=f"the {p.name} preset fills {', '.join(p.tables)}, not {', '.join(tables)}",
            hint="leave out the table, or choose another preset with --preset",
        )
        return f
    f.preset = p
    f.timezone = timezone or p.timezone or settings.timezone
    f.mapped = apply_preset(export, match, dayfirst=dayfirst, log=f.log, tables=tables)
    return f


def _report_detection(detection: Detection, log: IssueLog, *, header_row: int | None) -> None:
    message, hint = detection.failure()
    log.add(IssueCode.E109, row=header_row, message=message, hint=hint)


def _text_lookup(
    con: BaseBackend, mapped: list[MappedTable]
) -> Callable[[str, str, str], dict[str, str] | None]:
    """Key -> value of another table: from this import's files, else from the warehouse."""

    def lookup(table: str, key: str, value: str) -> dict[str, str] | None:
        staged = [m for m in mapped if m.table == table]
        if staged:
            out: dict[str, str] = {}
            for m in staged:
                keys, values = m.values.get(key), m.values.get(value)
                if keys is None or values is None:
                    continue
                for k, v in zip(keys.to_pylist(), values.to_pylist(), strict=True):
                    if k is not None and v is not None:
                        out.setdefault(k, v)
            return out
        if not warehouse.has_table(con, table):
            return None
        data = con.table(table).select(key, value).to_pyarrow()
        return {
            str(k): str(v)
            for k, v in zip(data[key].to_pylist(), data[value].to_pylist(), strict=True)
            if k is not None and v is not None
        }

    return lookup


def _existing_keys(con: BaseBackend, table: str) -> pa.Table | None:
    if not warehouse.has_table(con, table):
        return None
    result: pa.Table = con.table(table).select(list(get_table(table).key)).to_pyarrow()
    return result


def _cross_file_keys(checked: list[tuple[CheckedTable, _File]]) -> None:
    """E208 for a key that an earlier file of the same import already gave the same table."""
    seen: dict[str, list[tuple[pa.Table, str]]] = {}
    for c, f in checked:
        key = list(c.table.key)
        if not key:
            continue
        mine = pa.table({**{k: c.arrays[k] for k in key}, "__row": c.rows})
        for earlier, other in seen.get(c.table.name, []):
            clash = mine.join(earlier, keys=key, join_type="left semi").sort_by("__row")
            label = "+".join(c.labels[k] for k in key)
            texts = [
                ", ".join(show_value(v) for v in row.values())
                for row in clash.slice(0, f.log.max_examples).select(key).to_pylist()
            ]
            f.log.add_rows(
                IssueCode.E208,
                mask=pa.repeat(pa.scalar(True), clash.num_rows),
                rows=clash["__row"].combine_chunks(),
                column=label,
                values=None,
                message=_also_in(label, texts, other),
                hint="each id may come from one file only; remove the repeated rows",
            )
        seen.setdefault(c.table.name, []).append((mine.select(key), str(f.path)))


def _also_in(label: str, texts: list[str], other: str) -> Callable[[int, str | None], str]:
    def message(i: int, _value: str | None) -> str:
        return f"duplicate {label} {texts[i]}: also in {other}"

    return message


def _new_people(con: BaseBackend, checked: list[CheckedTable]) -> pa.Table:
    """Owners named in the import who are not in ``people`` yet, as people rows."""
    teams: dict[str, set[str]] = {}
    for c in checked:
        for col in c.table:
            if col.ref != _PEOPLE_REF:
                continue
            team = "marketing" if c.table.name == "campaigns" else "sales"
            for value in pc.unique(c.arrays[col.name].drop_null()).to_pylist():
                teams.setdefault(str(value), set()).add(team)
    if warehouse.has_table(con, "people") and teams:
        known = set(con.table("people").select("person_id").to_pyarrow()["person_id"].to_pylist())
        teams = {k: v for k, v in teams.items() if k not in known}
    ids = sorted(teams)
    return pa.table(
        {
            "person_id": ids,
            "name": ids,
            "email": pa.nulls(len(ids), pa.string()),
            "team": ["both" if len(teams[i]) > 1 else next(iter(teams[i])) for i in ids],
            "title": pa.nulls(len(ids), pa.string()),
            "active": [True] * len(ids),
        },
        schema=TABLES["people"].arrow_schema(),
    )


def _key_lookup(
    con: BaseBackend, checked: list[CheckedTable], people: pa.Table, *, mode: WriteMode
) -> Callable[[str, str], pa.Array | None]:
    """Ids a reference may name: this import's rows of the table (and, when appending or for
    tables the import does not fill, the warehouse's)."""
    present = set(con.list_tables())
    cache: dict[tuple[str, str], pa.Array | None] = {}

    def lookup(table: str, column: str) -> pa.Array | None:
        if (table, column) in cache:
            return cache[(table, column)]
        staged = [c.arrays[column] for c in checked if c.table.name == table]
        if table == "people":
            staged.append(people[column].combine_chunks())
        values: pa.Array | None = None
        if staged and (mode == "replace" and table != "people"):
            values = pa.concat_arrays(staged)
        elif table in present:
            stored = con.table(table).select(column).distinct().to_pyarrow()[column]
            values = pa.concat_arrays([stored.combine_chunks(), *staged])
        elif staged:
            values = pa.concat_arrays(staged)
        cache[(table, column)] = values
        return values

    return lookup
