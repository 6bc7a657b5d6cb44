"""Turn source columns into canonical typed columns, reporting every problem by row.

Checks never raise for bad data: they log issues (E2xx values, E3xx
references, W2xx/W3xx warnings) and return what they could convert; the
service decides whether to load. Everything is vectorised with
``pyarrow.compute``; Python only touches the few rows shown as examples.

The order of checks per column: value map, prefix, enumerated values, type,
required/expected values, minimum, then text limits. Table-wide: duplicate
keys, timestamps out of order, then references against the warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from coparent.ingest._dates import format_hint, parse_dates, parse_timestamps, to_utc
from coparent.ingest._values import parse_booleans, parse_floats, parse_ints
from coparent.ingest.issues import IssueCode, IssueLog, show_value
from coparent.ingest.mapping import ColumnPlan, ColumnRule
from coparent.ingest.readers import SourceTable
from coparent.schema import Column, Table

__all__ = ["CheckedTable", "check_values", "subject"]

_FORMULA = r"^[=+\-@]"
# Zero-width characters and bidirectional controls: invisible, yet they make "X0" another id
# or make a name read backwards on screen.
_INVISIBLE = "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
_LATIN = "[A-Za-z]"
_LOOKALIKE_SCRIPTS = "[\u0370-\u03ff\u0400-\u04ff]"  # Greek and Cyrillic (U+0425 looks like X)
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
_SUBJECTS = {
    "people": "person",
    "opportunities": "opportunity",
    "activities": "activity",
    "stage_changes": "stage change",
}


def subject(table: str) -> str:
    """The singular noun for a row of ``table`` ("opportunity", "person")."""
    return _SUBJECTS.get(table, table.removesuffix("s"))


@dataclass
class CheckedTable:
    """Canonical typed columns (nulls where a value could not be read) and their rows."""

    table: Table
    arrays: dict[str, pa.Array]
    rows: pa.Array
    labels: dict[str, str]

    def to_arrow(self) -> pa.Table:
        """The table to load, with exactly the canonical schema."""
        schema = self.table.arrow_schema()
        return pa.Table.from_arrays([self.arrays[f.name] for f in schema], schema=schema)


def check_values(
    src: SourceTable,
    plans: list[ColumnPlan],
    table: Table,
    *,
    timezone: str,
    max_field_chars: int,
    log: IssueLog,
    progress: Callable[[float], None] | None = None,
) -> CheckedTable:
    """Convert and check every planned column (issues go to ``log``)."""
    arrays: dict[str, pa.Array] = {}
    labels: dict[str, str] = {}
    for i, plan in enumerate(plans):
        raw = _raw_values(plan, src)
        arrays[plan.column.name] = _check_column(
            plan,
            raw,
            src.rows,
            unreadable=src.unreadable.get(plan.source or ""),
            table=table,
            timezone=timezone,
            max_field_chars=max_field_chars,
            log=log,
        )
        labels[plan.column.name] = plan.label
        if progress is not None:
            progress((i + 1) / len(plans))
    return CheckedTable(table, arrays, src.rows, labels)


def _raw_values(plan: ColumnPlan, src: SourceTable) -> pa.Array:
    n = src.num_rows
    rule = plan.rule
    if rule.value is not None:
        return pa.repeat(pa.scalar(rule.value, pa.string()), n)
    if rule.row_number:
        return pc.cast(src.rows, pa.string())
    if plan.source is None:
        return pa.nulls(n, plan.column.arrow_type)
    return src.columns[plan.source]


def _as_text(values: pa.Array) -> pa.Array:
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def _apply_rule_text(values: pa.Array, rule: ColumnRule) -> pa.Array:
    """Value map (the key "" matches an empty cell), then the default, then the prefix."""
    if rule.values:
        values = _as_text(values)
        keys = pa.array([k for k, _ in rule.values], pa.string())
        targets = pa.array([v for _, v in rule.values], pa.string())
        index = pc.index_in(values, value_set=keys)
        values = pc.if_else(index.is_valid(), pc.take(targets, index), values)
        empty = rule.value_map.get("")
        if empty is not None and values.null_count:
            values = pc.fill_null(values, empty)
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    if rule.default is not None and values.null_count:
        values = pc.fill_null(_as_text(values), rule.default)
    if rule.prefix:
        values = pc.binary_join_element_wise(rule.prefix, _as_text(values), "")
    return values


def _check_column(
    plan: ColumnPlan,
    raw: pa.Array,
    rows: pa.Array,
    *,
    unreadable: pa.Array | None = None,
    table: Table,
    timezone: str,
    max_field_chars: int,
    log: IssueLog,
) -> pa.Array:
    col, rule, label = plan.column, plan.rule, plan.label
    values = _apply_rule_text(raw, rule)
    if unreadable is None:
        unreadable = pa.repeat(pa.scalar(False), len(values))
    if col.values is not None:
        values, unreadable = _check_enum(
            values, col, label=label, rows=rows, log=log, hint=rule.hint
        )
    converted, bad = _convert(values, col, rule, label=label, rows=rows, timezone=timezone, log=log)
    unreadable = pc.or_(unreadable, bad)
    empty = pc.and_(converted.is_null(), pc.invert(unreadable))
    if not col.nullable:
        log.add_rows(
            IssueCode.E201,
            mask=empty,
            rows=rows,
            column=label,
            values=None,
            message=lambda _i, _v: f"{table.name}.{col.name} is required but this row has "
            f"no {label}",
            hint=f"fill in {label} on every row ({col.doc})",
        )
    elif col.warn_null:
        _warn_empty(empty, rows, col, table=table, label=label, log=log)
    if col.min_value is not None and col.type in ("float64", "int64"):
        low = pc.fill_null(pc.less(converted, col.min_value), False)
        what = "negative" if col.min_value == 0 else f"below {col.min_value:g}"
        log.add_rows(
            IssueCode.E207,
            mask=low,
            rows=rows,
            column=label,
            values=values,
            message=lambda _i, v: f"{show_value(v)} is {what}; {col.name} cannot be below "
            f"{col.min_value:g}",
            hint="credits and refunds do not belong in this column; fix the value in the source",
        )
    if col.type == "string":
        _check_text(converted, rows, label=label, max_field_chars=max_field_chars, log=log)
        if col.key or col.ref is not None:
            _check_lookalike_ids(converted, rows, label=label, log=log)
    return converted


def _check_enum(
    values: pa.Array, col: Column, *, label: str, rows: pa.Array, log: IssueLog, hint: str = ""
) -> tuple[pa.Array, pa.Array]:
    allowed = col.values or ()
    text = _as_text(values)
    low = pc.utf8_lower(text)
    known = pc.is_in(low, value_set=pa.array(allowed, pa.string()))
    bad = pc.and_(text.is_valid(), pc.invert(known))
    expected = ", ".join(allowed)
    first = pc.index(bad, True).as_py()
    example = json.dumps(text[first].as_py() if first >= 0 else "Source value")
    log.add_rows(
        IssueCode.E206,
        mask=bad,
        rows=rows,
        column=label,
        values=text,
        message=lambda _i, v: f"{show_value(v)} is not a known {col.name} (expected {expected})",
        hint=hint
        or f"add it to the column's values map in the mapping, e.g. {col.name} = "
        f'{{ column = "{label}", values = {{ {example} = "{allowed[0]}" }} }} '
        f"(targets: {expected})",
    )
    return pc.if_else(known, low, pa.scalar(None, pa.string())), bad


def _convert(
    values: pa.Array,
    col: Column,
    rule: ColumnRule,
    *,
    label: str,
    rows: pa.Array,
    timezone: str,
    log: IssueLog,
) -> tuple[pa.Array, pa.Array]:
    """The column in its canonical type, and the mask of values that could not be read."""
    kind = col.type
    typ = values.type
    no_bad = pa.repeat(pa.scalar(False), len(values))
    if kind == "string":
        return _as_text(values), no_bad
    if kind == "timestamp" and pa.types.is_timestamp(typ):
        # Nanoseconds are cut to the schema's microseconds (safe=False).
        if typ.tz is None:
            return to_utc(pc.cast(values, pa.timestamp("us"), safe=False), timezone), no_bad
        utc = pc.cast(values, pa.timestamp("us", tz="UTC"), safe=False)
        return pc.cast(utc, pa.timestamp("us")), no_bad
    if kind in ("timestamp", "date") and pa.types.is_date(typ):
        return pc.cast(values, col.arrow_type), no_bad
    if kind == "date" and pa.types.is_timestamp(typ):
        return pc.cast(values, pa.date32(), safe=False), no_bad
    numeric = pa.types.is_floating(typ) or pa.types.is_decimal(typ)
    if (kind == "float64" and (numeric or pa.types.is_integer(typ))) or (
        kind == "int64" and pa.types.is_integer(typ)
    ):
        try:
            return pc.cast(values, col.arrow_type), no_bad
        except pa.ArrowInvalid:
            pass  # out of range: read as text below, reported per row
    if kind == "boolean" and pa.types.is_boolean(typ):
        return values, no_bad
    text = _as_text(values)
    show: Callable[[int, str | None], str]
    if kind == "timestamp":
        parsed, bad = parse_timestamps(text, formats=rule.formats, timezone=timezone)
        code, hint = IssueCode.E204, rule.hint or format_hint(rule.formats)
        show = lambda _i, v: f"{show_value(v)} is not a valid date"  # noqa: E731
    elif kind == "date":
        parsed, bad = parse_dates(text, formats=rule.formats)
        code, hint = IssueCode.E204, rule.hint or format_hint(rule.formats)
        show = lambda _i, v: f"{show_value(v)} is not a valid date"  # noqa: E731
    elif kind == "boolean":
        parsed, bad = parse_booleans(text)
        code = IssueCode.E205
        hint = (
            f"use true/false, yes/no, 1/0, t/f or y/n, or map the source words, e.g. "
            f'{col.name} = {{ column = "{label}", values = {{ Active = "true" }} }}'
        )
        show = lambda _i, v: f"{show_value(v)} is not true or false"  # noqa: E731
    elif kind == "float64":
        parsed, bad = parse_floats(text, decimal=rule.decimal, thousands=rule.thousands)
        code, hint = IssueCode.E202, _number_hint(col)
        show = lambda _i, v: f"{show_value(v)} is not a number"  # noqa: E731
    else:
        parsed, bad, not_whole = parse_ints(text, decimal=rule.decimal, thousands=rule.thousands)
        code, hint = IssueCode.E202, _number_hint(col)
        show = lambda _i, v: f"{show_value(v)} is not a number"  # noqa: E731
        log.add_rows(
            IssueCode.E203,
            mask=not_whole,
            rows=rows,
            column=label,
            values=text,
            message=lambda _i, v: f"{show_value(v)} is not a whole number",
            hint=f"{col.name} counts whole units ({col.doc}); round it in the source",
        )
        bad = pc.or_(bad, not_whole)
        log.add_rows(
            code,
            mask=pc.and_(bad, pc.invert(not_whole)),
            rows=rows,
            column=label,
            values=text,
            message=show,
            hint=hint,
        )
        return parsed, bad
    log.add_rows(code, mask=bad, rows=rows, column=label, values=text, message=show, hint=hint)
    return parsed, bad


def _number_hint(col: Column) -> str:
    return (
        f"write {col.name} as a plain number such as 1234.5 (no currency or unit); for "
        f'1.234,5 set decimal = "," and thousands = "." for the column in the mapping'
    )


def _warn_empty(
    empty: pa.Array, rows: pa.Array, col: Column, *, table: Table, label: str, log: IssueLog
) -> None:
    count = int(pc.sum(empty).as_py() or 0)
    if not count:
        return
    first = rows.filter(empty)[:5].to_pylist()
    listed = ", ".join(str(r) for r in first) + (", ..." if count > len(first) else "")
    noun = "row" if count == 1 else "rows"
    log.add(
        IssueCode.W201,
        row=first[0],
        column=label,
        count=count,
        message=f"{label} is empty in {count:,} of {len(rows):,} rows ({noun} {listed}); they "
        f"are loaded with {table.name}.{col.name} empty",
        hint=f"{col.doc} Fill it in the source if it should never be empty.",
    )


def _visible(value: str | None) -> str:
    """A value with its invisible characters spelled out: 'X0<U+200B>'."""
    text = "".join(f"<U+{ord(ch):04X}>" if ch in _INVISIBLE_SET else ch for ch in (value or ""))
    return show_value(text)


_INVISIBLE_SET = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x2065)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff"]
)


def _check_lookalike_ids(values: pa.Array, rows: pa.Array, *, label: str, log: IssueLog) -> None:
    """Ids in Greek or Cyrillic letters in a column of Latin ids (U+0425 '0' beside 'X0'): W208."""
    if values.null_count == len(values):
        return
    latin = pc.fill_null(pc.match_substring_regex(values, _LATIN), False)
    other = pc.fill_null(pc.match_substring_regex(values, _LOOKALIKE_SCRIPTS), False)
    if not (pc.any(latin).as_py() and pc.any(other).as_py()):
        return
    log.add_rows(
        IssueCode.W208,
        mask=other,
        rows=rows,
        column=label,
        values=values,
        message=lambda _i, v: f"{show_value(v)} has Greek or Cyrillic letters among Latin ids: "
        "it may look like another id but is a different one",
        hint="check the id in the source system; a look-alike letter makes a second record",
    )


def _check_text(
    values: pa.Array, rows: pa.Array, *, label: str, max_field_chars: int, log: IssueLog
) -> None:
    if values.null_count == len(values):
        return
    long = pc.fill_null(pc.greater(pc.utf8_length(values), max_field_chars), False)
    log.add_rows(
        IssueCode.E209,
        mask=long,
        rows=rows,
        column=label,
        values=values,
        message=lambda i, v: f"text of {len(v or ''):,} characters is longer than "
        f"{max_field_chars:,}: {show_value(v)}",
        hint="a cell this long is usually a paste error or a wrong delimiter; shorten it, "
        "or raise the setting import_max_field_chars",
    )
    nul = pc.fill_null(pc.match_substring(values, "\x00"), False)
    log.add_rows(
        IssueCode.E210,
        mask=nul,
        rows=rows,
        column=label,
        values=values,
        message=lambda _i, v: f"{show_value(v)} contains a NUL character",
        hint="the file is damaged or binary here; export it again",
    )
    invisible = pc.fill_null(pc.match_substring_regex(values, _INVISIBLE), False)
    log.add_rows(
        IssueCode.W207,
        mask=invisible,
        rows=rows,
        column=label,
        values=values,
        message=lambda _i, v: f"{_visible(v)} holds invisible or direction-changing characters",
        hint="they make a value look like another one, or show text reversed; remove them "
        "in the source (they are stored as they are)",
    )
    formula = pc.fill_null(pc.match_substring_regex(values, _FORMULA), False)
    if pc.any(formula).as_py():
        number = pc.fill_null(pc.match_substring_regex(values, _PLAIN_NUMBER), False)
        formula = pc.and_(formula, pc.invert(number))
    log.add_rows(
        IssueCode.W202,
        mask=formula,
        rows=rows,
        column=label,
        values=values,
        message=lambda _i, v: f"{show_value(v)} looks like a spreadsheet formula; it is "
        f"stored as text, never evaluated",
        hint="if you export it to a spreadsheet later, the cell may be read as a formula",
    )
