"""Mapping files: how a source export's columns become canonical columns (TOML, data not code).

One file may map several canonical tables, each with optional reader options
and column rules::

    [opportunities.source]
    file = "sales_pipeline.csv"      # relative to the mapping file
    delimiter = ","                  # "," ";" "\\t" "|" or "whitespace"

    [opportunities.columns]
    opportunity_id = "opportunity_id"
    status = { column = "deal_stage", values = { Won = "won", Lost = "lost" } }
    created_at = { column = "engage_date", format = "%Y-%m-%d" }
    team = { value = "sales" }
    order_id = { row_number = true, prefix = "cdnow-" }

A canonical column that is not listed reads the source column of the same
name when there is one, so a file with canonical headers needs no mapping.
A mistake in the mapping itself is a `MappingError`; a mapped column that the
file lacks is reported against the file (``ingest.E102``), because the same
mapping is meant for many exports. docs/import.md documents every key.
"""

from __future__ import annotations

import codecs
import os
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from coparent.errors import MappingError
from coparent.ingest._dates import parse_dates, parse_timestamps
from coparent.ingest._toml import read_toml_file
from coparent.ingest._values import parse_booleans, parse_floats, parse_ints
from coparent.ingest.expr import parse as parse_expr
from coparent.ingest.issues import IssueCode, IssueLog
from coparent.schema import TABLES, Column, Table

__all__ = [
    "DELIMITERS",
    "ColumnPlan",
    "ColumnRule",
    "ImportMapping",
    "Lookup",
    "SourceOptions",
    "TableMapping",
    "check_value_maps",
    "computed_key",
    "load_mapping",
    "parse_mapping",
    "plan_columns",
    "to_toml",
]

DELIMITERS = (",", ";", "\t", "|", "whitespace")
_SOURCE_KEYS = (
    "file",
    "delimiter",
    "header",
    "names",
    "encoding",
    "timezone",
    "sheet",
    "skip_rows",
    "member",
    "null_values",
)
_LOOKUP_KEYS = ("key", "on", *(k for k in _SOURCE_KEYS if k != "timezone"))
_RULE_KEYS = (
    "column",
    "value",
    "row_number",
    "expr",
    "prefix",
    "values",
    "default",
    "format",
    "decimal",
    "thousands",
)


@dataclass(frozen=True)
class SourceOptions:
    """How to read the source file; every field is optional (None: detect or default)."""

    file: str | None = None
    delimiter: str | None = None
    header: bool = True
    names: tuple[str, ...] | None = None
    encoding: str | None = None
    timezone: str | None = None
    sheet: str | None = None
    skip_rows: int = 0
    """Title lines above the header (they still count in row numbers)."""
    member: str | None = None
    """The file to read inside a .zip archive (None: its only file)."""
    null_values: tuple[str, ...] | None = None
    """Cell texts read as empty (None: the ``import_null_values`` setting)."""


@dataclass(frozen=True)
class ColumnRule:
    """Where one canonical column comes from: a source column, a constant or the row number."""

    column: str | None = None
    value: str | None = None
    row_number: bool = False
    prefix: str = ""
    values: tuple[tuple[str, str], ...] = ()
    formats: tuple[str, ...] = ()
    decimal: str = "."
    thousands: str | None = None
    hint: str = ""
    """Advice for a value this rule cannot read (presets name their vocabulary); not in TOML."""
    default: str | None = None
    """The text an empty cell takes (after the value map, before the prefix)."""
    expr: str | None = None
    """An expression over source columns (`coparent.ingest.expr`) computing the value."""

    @property
    def value_map(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class Lookup:
    """A second file whose columns the expressions read as ``NAME.COLUMN``, matched on a key.

    Each row looks up the value of ``on`` (an expression over the source) in
    the lookup file's column ``key``; the key must be unique there.
    """

    name: str
    source: SourceOptions
    key: str
    on: str


@dataclass(frozen=True)
class TableMapping:
    """The rules for one canonical table; unlisted columns map to same-named source columns.

    ``filters`` are ("keep" or "drop", condition) pairs in the order they are
    applied; ``lookups`` the second files expressions may read.
    """

    table: str
    source: SourceOptions = field(default_factory=SourceOptions)
    columns: tuple[tuple[str, ColumnRule], ...] = ()
    origin: Path | None = None
    filters: tuple[tuple[str, str], ...] = ()
    lookups: tuple[Lookup, ...] = ()

    @property
    def derives(self) -> bool:
        """Whether the source needs the engine: filters, lookups or computed columns."""
        return bool(self.filters or self.lookups or any(r.expr for _, r in self.columns))

    @property
    def rules(self) -> dict[str, ColumnRule]:
        return dict(self.columns)

    def rule(self, name: str) -> tuple[ColumnRule, bool]:
        """The rule for canonical column ``name`` and whether the mapping lists it."""
        rules = self.rules
        if name in rules:
            return rules[name], True
        return ColumnRule(column=name), False

    def source_path(self) -> Path:
        """The file named by ``source.file``, relative to the mapping file."""
        where = str(self.origin) if self.origin else "mapping"
        if not self.source.file:
            raise MappingError(
                "no file given",
                file=where,
                key=f"{self.table}.source.file",
                hint="name the file to import, or pass it on the command line",
            )
        return self.relative(self.source.file)

    def relative(self, name: str) -> Path:
        """A file named in the mapping, relative to the mapping file."""
        base = self.origin.parent if self.origin else Path()
        return Path(os.path.normpath(base / name))


@dataclass(frozen=True)
class ImportMapping:
    """A parsed mapping file: one `TableMapping` per canonical table it maps."""

    path: Path | None
    tables: dict[str, TableMapping]

    def table(self, name: str) -> TableMapping:
        if name not in self.tables:
            raise MappingError(
                f"no [{name}] section",
                file=str(self.path or "mapping"),
                key=name,
                hint="the mapping maps: " + (", ".join(self.tables) or "nothing"),
            )
        return self.tables[name]


def load_mapping(path: Path) -> ImportMapping:
    """Read and check a TOML mapping file."""
    data = read_toml_file(path, option="--mapping", docs="docs/import.md")
    return parse_mapping(data, file=str(path), origin=path)


def parse_mapping(
    data: Mapping[str, Any], *, file: str, origin: Path | None = None
) -> ImportMapping:
    """Check parsed TOML against the schema; every mistake names its key."""
    tables: dict[str, TableMapping] = {}
    for name, section in data.items():
        if name not in TABLES:
            raise MappingError(
                f"{name!r} is not a canonical table",
                file=file,
                key=name,
                hint="canonical tables: " + ", ".join(TABLES),
            )
        if not isinstance(section, dict):
            raise MappingError("expected a table of [source] and [columns]", file=file, key=name)
        _only(section, ("source", "columns", "filter", "lookups"), file=file, key=name)
        source = _source(section.get("source", {}), file=file, key=f"{name}.source")
        columns = section.get("columns", {})
        if not isinstance(columns, dict):
            raise MappingError("expected a table", file=file, key=f"{name}.columns")
        rules = tuple(
            (col, _rule(TABLES[name], col, raw, file=file, key=f"{name}.columns.{col}"))
            for col, raw in columns.items()
        )
        filters = _filters(section.get("filter", {}), file=file, key=f"{name}.filter")
        lookups = _lookups(section.get("lookups", {}), file=file, key=f"{name}.lookups")
        tables[name] = TableMapping(name, source, rules, origin, filters, lookups)
    return ImportMapping(origin, tables)


def _filters(raw: Any, *, file: str, key: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise MappingError("expected a table of keep and drop", file=file, key=key)
    _only(raw, ("keep", "drop"), file=file, key=key)
    out: list[tuple[str, str]] = []
    for kind in ("keep", "drop"):
        given = raw.get(kind, [])
        conditions = [given] if isinstance(given, str) else given
        if not isinstance(conditions, list) or not all(
            isinstance(c, str) and c.strip() for c in conditions
        ):
            raise MappingError(
                "expected a condition (a text) or a list of them", file=file, key=f"{key}.{kind}"
            )
        for condition in conditions:
            parse_expr(condition, file=file, key=f"{key}.{kind}")
            out.append((kind, condition))
    return tuple(out)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _lookups(raw: Any, *, file: str, key: str) -> tuple[Lookup, ...]:
    if not isinstance(raw, dict):
        raise MappingError("expected a table of [TABLE.lookups.NAME] sections", file=file, key=key)
    out: list[Lookup] = []
    for name, spec in raw.items():
        where = f"{key}.{name}"
        if not _NAME.fullmatch(name) or name.lower() in ("and", "or", "not", "in", "is"):
            raise MappingError(
                f"a lookup's name is written in expressions ({name}.column), so {name!r} "
                "must be a plain name",
                file=file,
                key=where,
                hint="use letters, digits and _, starting with a letter, e.g. deals",
            )
        if not isinstance(spec, dict):
            raise MappingError("expected a table", file=file, key=where)
        reader = {k: v for k, v in spec.items() if k not in ("key", "on")}
        if "timezone" in reader:
            raise MappingError(
                "a lookup's dates are read in the source's time zone",
                file=file,
                key=f"{where}.timezone",
                hint=f"set timezone in [{key.split('.')[0]}.source]",
            )
        source = _source(reader, file=file, key=where)
        if not source.file:
            raise MappingError("a lookup needs the file to read", file=file, key=f"{where}.file")
        for k in ("key", "on"):
            if not isinstance(spec.get(k), str) or not spec[k].strip():
                hint = (
                    "the lookup file's column whose values are looked up"
                    if k == "key"
                    else "the value to look up for each row: a column or an expression"
                )
                raise MappingError("expected a text", file=file, key=f"{where}.{k}", hint=hint)
        parse_expr(spec["on"], file=file, key=f"{where}.on")
        out.append(Lookup(name, source, spec["key"], spec["on"]))
    return tuple(out)


def _only(section: Mapping[str, Any], allowed: Sequence[str], *, file: str, key: str) -> None:
    for k in section:
        if k not in allowed:
            raise MappingError(
                f"unknown key {k!r}",
                file=file,
                key=f"{key}.{k}",
                hint="allowed here: " + ", ".join(allowed),
            )


def _text(value: Any, *, file: str, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MappingError(f"expected a text, got {type(value).__name__}", file=file, key=key)


def _source(raw: Any, *, file: str, key: str) -> SourceOptions:
    if not isinstance(raw, dict):
        raise MappingError("expected a table", file=file, key=key)
    _only(raw, _SOURCE_KEYS if key.endswith(".source") else _LOOKUP_KEYS, file=file, key=key)
    for k in ("file", "delimiter", "encoding", "timezone", "sheet", "member"):
        if k in raw and not isinstance(raw[k], str):
            raise MappingError("expected a text", file=file, key=f"{key}.{k}")
    skip_rows = raw.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or isinstance(skip_rows, bool) or skip_rows < 0:
        raise MappingError(
            "expected a whole number of lines, 0 or more", file=file, key=f"{key}.skip_rows"
        )
    null_values = raw.get("null_values")
    if null_values is not None and (
        not isinstance(null_values, list) or not all(isinstance(v, str) for v in null_values)
    ):
        raise MappingError(
            'expected a list of texts, e.g. ["N/A", "-"]', file=file, key=f"{key}.null_values"
        )
    delimiter = raw.get("delimiter")
    if delimiter is not None and delimiter not in DELIMITERS:
        raise MappingError(
            f"unsupported delimiter {delimiter!r}",
            file=file,
            key=f"{key}.delimiter",
            hint='use one of "," ";" "\\t" "|" "whitespace"',
        )
    header = raw.get("header", True)
    if not isinstance(header, bool):
        raise MappingError("expected true or false", file=file, key=f"{key}.header")
    names = raw.get("names")
    if names is not None:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise MappingError("expected a list of column names", file=file, key=f"{key}.names")
        if len(set(names)) != len(names):
            raise MappingError("names must be different", file=file, key=f"{key}.names")
        if header:
            raise MappingError(
                "names are for files without a header",
                file=file,
                key=f"{key}.names",
                hint="add header = false",
            )
    encoding = raw.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError(
                f"unknown encoding {encoding!r}",
                file=file,
                key=f"{key}.encoding",
                hint='e.g. "utf-8", "cp1252"',
            ) from None
    timezone = raw.get("timezone")
    if timezone is not None:
        check_timezone(timezone, file=file, key=f"{key}.timezone")
    return SourceOptions(
        raw.get("file"),
        delimiter,
        header,
        tuple(names) if names else None,
        encoding,
        timezone,
        raw.get("sheet"),
        skip_rows,
        raw.get("member"),
        None if null_values is None else tuple(v.strip() for v in null_values),
    )


def check_timezone(name: str, *, file: str, key: str) -> None:
    """A `MappingError` unless ``name`` is an IANA time zone such as Europe/Paris."""
    try:
        zoneinfo.ZoneInfo(name)
        pc.assume_timezone(pa.array([0], pa.timestamp("us")), name)  # Arrow's own tz database
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, pa.ArrowInvalid):
        raise MappingError(
            f"unknown time zone {name!r}",
            file=file,
            key=key,
            hint='use an IANA name such as "UTC" or "Europe/Paris"',
        ) from None


def _rule(table: Table, name: str, raw: Any, *, file: str, key: str) -> ColumnRule:
    try:
        col = table.column(name)
    except KeyError:
        raise MappingError(
            f"{table.name} has no column {name!r}",
            file=file,
            key=key,
            hint="its columns: " + ", ".join(table.column_names),
        ) from None
    if isinstance(raw, str):
        return ColumnRule(column=raw)
    if not isinstance(raw, dict):
        raise MappingError("expected a source column name or an inline table", file=file, key=key)
    _only(raw, _RULE_KEYS, file=file, key=key)
    row_number = raw.get("row_number", False)
    if not isinstance(row_number, bool):
        raise MappingError("expected true or false", file=file, key=f"{key}.row_number")
    given = [k for k in ("column", "value", "expr") if k in raw]
    given += ["row_number"] if row_number else []
    if len(given) != 1:
        raise MappingError(
            "give exactly one of column, value, expr or row_number = true", file=file, key=key
        )
    expr = raw.get("expr")
    if expr is not None:
        if not isinstance(expr, str) or not expr.strip():
            raise MappingError("expected an expression (a text)", file=file, key=f"{key}.expr")
        parse_expr(expr, file=file, key=f"{key}.expr")
    column = raw.get("column")
    if column is not None and not isinstance(column, str):
        raise MappingError("expected a source column name", file=file, key=f"{key}.column")
    value = _text(raw["value"], file=file, key=f"{key}.value") if "value" in raw else None
    values_raw = raw.get("values", {})
    if not isinstance(values_raw, dict):
        raise MappingError(
            "expected a table of source value = canonical value", file=file, key=f"{key}.values"
        )
    values = tuple((k, _text(v, file=file, key=f"{key}.values.{k}")) for k, v in values_raw.items())
    formats = raw.get("format", ())
    if isinstance(formats, str):
        formats = (formats,)
    if not isinstance(formats, list | tuple) or not all(isinstance(f, str) for f in formats):
        raise MappingError(
            "expected a strptime format or a list of them", file=file, key=f"{key}.format"
        )
    if formats and col.type not in ("timestamp", "date"):
        raise MappingError(
            f"format is for dates and timestamps; {name} is {col.type}",
            file=file,
            key=f"{key}.format",
        )
    decimal = raw.get("decimal", ".")
    thousands = raw.get("thousands")
    for k, v in (("decimal", decimal), ("thousands", thousands)):
        if v is None:
            continue
        if not isinstance(v, str) or len(v) != 1 or v.isdigit():
            raise MappingError(
                'expected one character such as "," or "."', file=file, key=f"{key}.{k}"
            )
        if k in raw and col.type not in ("float64", "int64"):
            raise MappingError(
                f"{k} is for numbers; {name} is {col.type}", file=file, key=f"{key}.{k}"
            )
    if decimal == thousands:
        raise MappingError("decimal and thousands must differ", file=file, key=key)
    prefix = raw.get("prefix", "")
    if not isinstance(prefix, str) or (prefix and col.type != "string"):
        raise MappingError("prefix is a text, for text columns", file=file, key=f"{key}.prefix")
    default = _text(raw["default"], file=file, key=f"{key}.default") if "default" in raw else None
    if default is not None and (value is not None or row_number):
        raise MappingError(
            "default is for empty cells; a constant or a row number is never empty",
            file=file,
            key=f"{key}.default",
        )
    if default == "":
        raise MappingError(
            "a default fills empty cells, so it cannot be empty", file=file, key=f"{key}.default"
        )
    rule = ColumnRule(
        column,
        value,
        row_number,
        prefix,
        values,
        tuple(formats),
        decimal,
        thousands,
        default=default,
        expr=expr,
    )
    if value is not None:
        _check_constant(col, rule, rule.value_map.get(value, value), file=file, key=f"{key}.value")
    if default is not None:
        _check_constant(col, rule, default, file=file, key=f"{key}.default")
    return rule


def _check_constant(col: Column, rule: ColumnRule, value: str, *, file: str, key: str) -> None:
    """A constant is checked once here, rather than reported on every row of every file."""
    one = pa.array([value], pa.string())
    bad: Any = False
    if col.values is not None:
        bad = value.lower() not in col.values
    elif col.type == "timestamp":
        bad = parse_timestamps(one, formats=rule.formats, timezone="UTC")[1][0].as_py()
    elif col.type == "date":
        bad = parse_dates(one, formats=rule.formats)[1][0].as_py()
    elif col.type == "boolean":
        bad = parse_booleans(one)[1][0].as_py()
    elif col.type == "float64":
        bad = parse_floats(one, decimal=rule.decimal, thousands=rule.thousands)[1][0].as_py()
    elif col.type == "int64":
        _, nan, frac = parse_ints(one, decimal=rule.decimal, thousands=rule.thousands)
        bad = nan[0].as_py() or frac[0].as_py()
    if bad:
        expected = ", ".join(col.values) if col.values else f"a {col.type} value"
        raise MappingError(
            f"{value!r} is not valid for {col.name}",
            file=file,
            key=key,
            hint=f"expected {expected}",
        )


@dataclass(frozen=True)
class ColumnPlan:
    """One canonical column resolved against a file's header."""

    column: Column
    rule: ColumnRule
    source: str | None
    """Key of the source column to read (None: constant, row number, or absent)."""
    label: str
    """The column name issues show: the source header, else the canonical name."""


def computed_key(name: str) -> str:
    """Where the derived source keeps canonical column ``name``'s computed values.

    The NUL cannot be in a header that loads (``ingest.E210``), so it never clashes.
    """
    return f"\x00{name}"


def plan_columns(
    mapping: TableMapping,
    table: Table,
    *,
    header: Sequence[str],
    duplicates: Mapping[str, int],
    log: IssueLog,
    header_row: int | None,
) -> list[ColumnPlan] | None:
    """Resolve every canonical column; None (with E102/E105 logged) when columns are missing."""
    present = set(header)
    plans: list[ColumnPlan] = []
    failed = False
    available = ", ".join(repr(h) for h in header) or "none"
    for col in table:
        rule, listed = mapping.rule(col.name)
        if rule.expr is not None:
            plans.append(ColumnPlan(col, rule, computed_key(col.name), col.name))
            continue
        if rule.column is None:
            plans.append(ColumnPlan(col, rule, None, col.name))
            continue
        src = rule.column
        if src in duplicates:
            failed = True
            log.add(
                IssueCode.E105,
                row=header_row,
                column=src,
                value=src,
                message=f"the header {src!r} appears {duplicates[src]} times, so "
                f"{col.name} is ambiguous",
                hint=f"rename one in the file, or map {src + '__1'!r} (first) or "
                f"{src + '__2'!r} (second) in the mapping",
            )
            continue
        if src in present:
            plans.append(ColumnPlan(col, rule, src, src))
            continue
        if listed or not col.nullable:
            failed = True
            message = (
                f"the column {src!r} is missing; the mapping reads {table.name}.{col.name} from it"
                if listed
                else f"required column {src!r} is missing"
            )
            log.add(
                IssueCode.E102,
                row=header_row,
                column=src,
                value=None,
                message=message,
                hint=f"columns in the file: {available}; map {col.name} to one of them "
                f"in a mapping file (--mapping)",
            )
            continue
        plans.append(ColumnPlan(col, ColumnRule(), None, col.name))
    return None if failed else plans


def check_value_maps(mapping: TableMapping, *, null_values: Sequence[str]) -> None:
    """A values-map key that the reader turns into an empty cell would never match: refuse it.

    Only known once the settings are (``import_null_values``, or the source's
    ``null_values``); the key ``""`` is the way to map empty cells.
    """
    words = set(null_values) - {""}
    for name, rule in mapping.columns:
        for key, _ in rule.values:
            if key.strip() in words:
                raise MappingError(
                    f"{key!r} is read as an empty cell (a null word), so this key never matches",
                    file=str(mapping.origin or "mapping"),
                    key=f"{mapping.table}.columns.{name}.values.{key}",
                    hint='map empty cells with the key "", or list the words read as empty '
                    f"with null_values in [{mapping.table}.source] (now: "
                    + ", ".join(repr(w) for w in sorted(words))
                    + ")",
                )


def to_toml(mapping: ImportMapping) -> str:
    """Write a mapping back as TOML (for ``--show-preset`` and round-trip tests)."""
    from coparent.ingest._toml import dump

    return dump(mapping)
