"""Filters, computed columns and lookups: a mapping's source as one DuckDB query.

Design. The readers still turn the file into Arrow text columns that carry
each record's spreadsheet row number; the value checks still run on Arrow.
Between the two, when the mapping declares filters, lookups or computed
columns (``expr``), the source is registered in an in-memory DuckDB (zero
copy) next to each lookup file, and one query, compiled from the parsed
declarations by `coparent.ingest.expr`, computes in the engine, for every
row in file order: each filter condition, each computed column, whether
each lookup found its key, and which cells an expression could not read.
Python then only counts, builds the few example messages, and filters the
Arrow columns and their row numbers with the resulting mask. So rows keep
the number they have in the file (title rows counted, filters not), a
dropped row is counted and reported (``ingest.W105``), an unmatched lookup
key too (``ingest.W302``), and nothing is evaluated row by row in Python.

A mapping without these declarations skips this step entirely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from coparent.errors import MappingError
from coparent.ingest.expr import Binder, Bound, ColumnRef, Conversion, Type, to_text_sql
from coparent.ingest.issues import IssueCode, IssueLog, show_value
from coparent.ingest.mapping import Lookup, TableMapping, computed_key
from coparent.ingest.readers import SourceTable, read_source
from coparent.schema import get_table
from coparent.settings import Settings

__all__ = ["derive_source"]

_ALLOWED: dict[str, tuple[Type, ...]] = {
    "string": ("text",),
    "float64": ("number", "text"),
    "int64": ("number", "text"),
    "timestamp": ("date", "text"),
    "date": ("date", "text"),
    "boolean": ("boolean", "text"),
}


@dataclass
class _Check:
    conversion: Conversion
    before_filters: bool
    where: str


def derive_source(
    src: SourceTable, tmap: TableMapping, *, settings: Settings, log: IssueLog
) -> SourceTable | None:
    """The source after the mapping's lookups, computed columns and filters.

    None when a lookup file cannot be read or every row is filtered out
    (issues logged); a mistake in the declarations is a `MappingError`.
    """
    if not tmap.derives:
        return src
    mapping_file = str(tmap.origin or "mapping")
    lookups: dict[str, SourceTable] = {}
    for lookup in tmap.lookups:
        table = _read_lookup(lookup, tmap, settings=settings, log=log)
        if table is None:
            return None
        lookups[lookup.name] = table
    refs, available = _columns(src, tmap, lookups)
    binder = Binder(refs, file=mapping_file, available=available)
    source_only = Binder(
        {k: v for k, v in refs.items() if k[0] is None},
        file=mapping_file,
        available={None: available[None]},
    )
    table_key = tmap.table
    filters = [
        (kind, text, binder.bind(text, key=f"{table_key}.filter.{kind}", allowed=("boolean",)))
        for kind, text in tmap.filters
    ]
    tdef = get_table(tmap.table)
    computed: list[tuple[str, Bound]] = []
    for name, rule in tmap.columns:
        if rule.expr is not None:
            col = tdef.column(name)
            computed.append(
                (
                    name,
                    binder.bind(
                        rule.expr,
                        key=f"{table_key}.columns.{name}.expr",
                        allowed=_ALLOWED[col.type],
                        what=f"{tdef.name}.{name} ({col.type})",
                    ),
                )
            )
    keys = [
        (lookup, source_only.bind(lookup.on, key=f"{table_key}.lookups.{lookup.name}.on"))
        for lookup in tmap.lookups
    ]
    with duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        con.register("s", _named(src.columns.values(), src.num_rows))
        ctes: list[str] = []
        for j, (lookup, _) in enumerate(keys):
            lk = lookups[lookup.name]
            key_ref = refs.get((lookup.name, lookup.key))
            if key_ref is None:
                raise MappingError(
                    f"the lookup file has no column {lookup.key!r}",
                    file=mapping_file,
                    key=f"{table_key}.lookups.{lookup.name}.key",
                    hint=available[lookup.name],
                )
            con.register(f"lk{j}", _named(lk.columns.values(), lk.num_rows, rows=lk.rows))
            key_sql = to_text_sql(key_ref.sql.replace(f"l{j}.", ""), key_ref.type)
            _report_repeated_keys(con, j, key_sql, lookup, lk, log=log)
            ctes.append(
                f"l{j} AS (SELECT * FROM (SELECT *, {key_sql} AS __k, row_number() OVER "
                f"(PARTITION BY {key_sql} ORDER BY __row) AS __n FROM lk{j}) "
                f"WHERE __n = 1 AND __k IS NOT NULL)"
            )
        checks = _checks(filters, computed, keys, table=table_key)
        select = [f"{b.sql} AS f{i}" for i, (_, _, b) in enumerate(filters)]
        select += [f"{b.sql} AS e{i}" for i, (_, b) in enumerate(computed)]
        joins = []
        for j, (_, bound) in enumerate(keys):
            on = to_text_sql(bound.sql, bound.type)
            joins.append(f"LEFT JOIN l{j} ON l{j}.__k = {on}")
            select.append(f"({on} IS NOT NULL AND l{j}.__k IS NULL) AS m{j}")
            select.append(f"CASE WHEN l{j}.__k IS NULL THEN {on} END AS k{j}")
        for x, check in enumerate(checks):
            c = check.conversion
            select.append(f"{c.bad} AS b{x}")
            select.append(f"CASE WHEN {c.bad} THEN {c.value} END AS v{x}")
        with_sql = ("WITH " + ", ".join(ctes) + " ") if ctes else ""
        sql = (
            f"{with_sql}SELECT {', '.join(select) or 'TRUE'} FROM s "
            f"{' '.join(joins)} ORDER BY s.__i"
        )
        result = con.execute(sql).fetch_arrow_table()
    assert result.num_rows == src.num_rows, "a lookup must not repeat rows"
    out = {name: result.column(name).combine_chunks() for name in result.column_names}
    keep = _filter(filters, out, src, table=table_key, log=log)
    for x, check in enumerate(checks):
        mask = out[f"b{x}"] if check.before_filters else pc.and_(out[f"b{x}"], keep)
        _report_unreadable(check, pc.fill_null(mask, False), out[f"v{x}"], src.rows, log=log)
    for j, (lookup, _) in enumerate(keys):
        missing = pc.fill_null(pc.and_(out[f"m{j}"], keep), False)
        _report_unmatched(lookup, missing, out[f"k{j}"], src, tmap=tmap, log=log)
    rows = src.rows.filter(keep)
    if len(rows) == 0:
        log.add(
            IssueCode.E106,
            row=src.header_row,
            message=f"the mapping's filters drop every one of the {src.num_rows:,} rows",
            hint=f"check the conditions in [{table_key}.filter]; an import of no rows would "
            "replace the table with nothing",
        )
        return None
    columns = {name: column.filter(keep) for name, column in src.columns.items()}
    unreadable: dict[str, pa.Array] = {}
    for i, (name, bound) in enumerate(computed):
        columns[computed_key(name)] = out[f"e{i}"].filter(keep)
        bad = [out[f"b{x}"] for x, c in enumerate(checks) if c.conversion in bound.conversions]
        if bad:
            any_bad = bad[0]
            for b in bad[1:]:
                any_bad = pc.or_(any_bad, b)
            unreadable[computed_key(name)] = pc.fill_null(any_bad, False).filter(keep)
    return SourceTable(
        src.file, src.names, columns, rows, src.header_row, src.duplicates, unreadable
    )


def _read_lookup(
    lookup: Lookup, tmap: TableMapping, *, settings: Settings, log: IssueLog
) -> SourceTable | None:
    path = tmap.relative(lookup.source.file or "")
    lk_log = IssueLog(file=str(path), max_examples=log.max_examples)
    table = read_source(path, file=str(path), options=lookup.source, settings=settings, log=lk_log)
    for issue in lk_log.issues():
        log.add_issue(issue)
    return table


def _named(columns: Iterable[pa.Array], n: int, *, rows: pa.Array | None = None) -> pa.Table:
    """Columns under generated names c0, c1, ... (headers never reach SQL) plus the position."""
    arrays = list(columns)
    names = [f"c{i}" for i in range(len(arrays))]
    arrays.append(pa.array(range(n), pa.int64()))
    names.append("__i")
    if rows is not None:
        arrays.append(rows)
        names.append("__row")
    return pa.Table.from_arrays(arrays, names=names)


def _type(typ: pa.DataType) -> tuple[Type, str] | None:
    """The expression type of an Arrow column and how SQL reads it as that type."""
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return "text", "{}"
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        return "number", "CAST({} AS DOUBLE)"
    if pa.types.is_timestamp(typ) or pa.types.is_date(typ):
        return "date", "CAST({} AS TIMESTAMP)"
    if pa.types.is_boolean(typ):
        return "boolean", "{}"
    return None


def _columns(
    src: SourceTable, tmap: TableMapping, lookups: Mapping[str, SourceTable]
) -> tuple[dict[tuple[str | None, str], ColumnRef], dict[str | None, str]]:
    refs: dict[tuple[str | None, str], ColumnRef] = {}
    available: dict[str | None, str] = {}
    sources: list[tuple[str | None, str, SourceTable]] = [(None, "s", src)]
    sources += [(lk.name, f"l{j}", lookups[lk.name]) for j, lk in enumerate(tmap.lookups)]
    for lookup, alias, table in sources:
        for i, name in enumerate(table.names):
            kind = _type(table.columns[name].type)
            if kind is not None:
                typ, template = kind
                sql = template.format(f'{alias}."c{i}"')
                refs[(lookup, name)] = ColumnRef(sql, typ, name)
        shown = ", ".join(repr(n) for n in table.names)
        available[lookup] = f"columns in {table.file}: {shown}"
    return refs, available


def _checks(
    filters: Sequence[tuple[str, str, Bound]],
    computed: Sequence[tuple[str, Bound]],
    keys: Sequence[tuple[Lookup, Bound]],
    *,
    table: str,
) -> list[_Check]:
    """Each text read as a number or date once; those a filter reads are checked on every row."""
    found: dict[str, _Check] = {}
    uses: list[tuple[Bound, bool, str]] = [(b, True, f"{table}.filter.{k}") for k, _, b in filters]
    uses += [(b, False, f"{table}.columns.{name}.expr") for name, b in computed]
    uses += [(b, False, f"{table}.lookups.{lk.name}.on") for lk, b in keys]
    for bound, before, where in uses:
        for conversion in bound.conversions:
            seen = found.get(conversion.bad)
            if seen is None:
                found[conversion.bad] = _Check(conversion, before, where)
            elif before:
                seen.before_filters = True
    return list(found.values())


def _filter(
    filters: Sequence[tuple[str, str, Bound]],
    out: Mapping[str, pa.Array],
    src: SourceTable,
    *,
    table: str,
    log: IssueLog,
) -> pa.Array:
    """The rows kept; each condition's dropped rows reported once (``ingest.W105``)."""
    keep = pa.repeat(pa.scalar(True), src.num_rows)
    for i, (kind, text, _) in enumerate(filters):
        holds = pc.fill_null(out[f"f{i}"], False)
        drops = pc.and_(keep, pc.invert(holds) if kind == "keep" else holds)
        count = int(pc.sum(drops).as_py() or 0)
        if count:
            first = src.rows.filter(drops)[:5].to_pylist()
            listed = ", ".join(str(r) for r in first) + (", ..." if count > len(first) else "")
            why = f"do not meet keep = {text!r}" if kind == "keep" else f"meet drop = {text!r}"
            log.add(
                IssueCode.W105,
                row=first[0],
                count=count,
                message=f"dropped {count:,} of {src.num_rows:,} rows that {why} "
                f"(row{'s' if count > 1 else ''} {listed})",
                hint=f"the mapping's [{table}.filter] leaves them out; rows loaded + rows "
                "dropped = rows in the file",
            )
            keep = pc.and_(keep, pc.invert(drops))
    return keep


def _report_unreadable(
    check: _Check, mask: pa.Array, values: pa.Array, rows: pa.Array, *, log: IssueLog
) -> None:
    c = check.conversion
    if c.target == "number":
        code, what = IssueCode.E202, "not a number"
        hint = (
            f"the mapping's {check.where} reads {c.label} as a number: write plain decimals "
            f"such as 1234.5, or read it with number({c.label}, ',', '.') for 1.234,5"
        )
    else:
        code, what = IssueCode.E204, "not a valid date"
        hint = (
            f"the mapping's {check.where} reads {c.label} as a date (ISO 8601 unless "
            f"date({c.label}, '%d/%m/%Y') names the format)"
        )
    log.add_rows(
        code,
        mask=mask,
        rows=rows,
        column=c.label,
        values=values,
        message=lambda _i, v: f"{show_value(v)} is {what}",
        hint=hint,
    )


def _report_repeated_keys(
    con: duckdb.DuckDBPyConnection,
    j: int,
    key_sql: str,
    lookup: Lookup,
    lk: SourceTable,
    *,
    log: IssueLog,
) -> None:
    """A key twice in a lookup file would repeat rows: ``ingest.E208`` on the lookup file."""
    repeated = con.execute(
        f"SELECT __row, k, first FROM (SELECT __row, k, min(__row) OVER (PARTITION BY k) "
        f"AS first FROM (SELECT __row, {key_sql} AS k FROM lk{j}) WHERE k IS NOT NULL) "
        f"WHERE __row <> first ORDER BY __row"
    ).fetch_arrow_table()
    if not repeated.num_rows:
        return
    rows = repeated.column("__row").combine_chunks()
    keys = repeated.column("k").combine_chunks()
    firsts = repeated.column("first").combine_chunks()
    log.add_rows(
        IssueCode.E208,
        mask=pa.repeat(pa.scalar(True), repeated.num_rows),
        rows=rows,
        column=lookup.key,
        values=keys,
        message=lambda i, v: f"the lookup key {show_value(v)} is repeated: first seen on row "
        f"{firsts[i].as_py()}; a lookup gives one value per key",
        hint=f"keep one row per {lookup.key} in {lk.file}, or look up a column that is unique",
        file=lk.file,
    )


def _report_unmatched(
    lookup: Lookup,
    mask: pa.Array,
    values: pa.Array,
    src: SourceTable,
    *,
    tmap: TableMapping,
    log: IssueLog,
) -> None:
    count = int(pc.sum(mask).as_py() or 0)
    if not count:
        return
    first = src.rows.filter(mask)[:5].to_pylist()
    example = values.filter(mask)[0].as_py()
    listed = ", ".join(str(r) for r in first) + (", ..." if count > len(first) else "")
    column = lookup.on if lookup.on in src.names else None
    log.add(
        IssueCode.W302,
        row=first[0],
        column=column,
        value=example,
        count=count,
        message=f"{count:,} row{'s' if count > 1 else ''} (row{'s' if count > 1 else ''} "
        f"{listed}) look{'' if count > 1 else 's'} up a key that "
        f"{lookup.source.file} has no {lookup.key} for, such as {show_value(example)}; "
        f"what they read from {lookup.name} is left empty",
        hint=f"add the missing keys to {lookup.source.file}, or correct them with the "
        f"expression on = {lookup.on!r} in [{tmap.table}.lookups.{lookup.name}]",
    )
