"""Checks across rows and tables: repeated keys, timestamps out of order, references.

They run on the typed columns `check_values` produced, so ``2024-02-01 10:00``
and ``2024-02-01T10:00:00Z`` are the same key, and like every check they log
issues rather than raise. References are looked up through a callable, so this
module needs no warehouse: the service passes one that reads the referenced
table's ids (or says the table is absent).
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from coparent.ingest.checks import CheckedTable, subject
from coparent.ingest.issues import IssueCode, IssueLog, show_value
from coparent.schema import Table

__all__ = ["KeyLookup", "check_keys", "check_order", "check_references"]

KeyLookup = Callable[[str, str], pa.Array | None]
"""(table, column) -> the values present in the warehouse, or None when the table is absent."""


def check_keys(checked: CheckedTable, *, existing: pa.Table | None, log: IssueLog) -> None:
    """E208 for every repeat of a key (first row named) and, when appending, for keys present."""
    key = checked.table.key
    if not key:
        return
    arrays = [checked.arrays[k] for k in key]
    present = arrays[0].is_valid()
    for a in arrays[1:]:
        present = pc.and_(present, a.is_valid())
    label = "+".join(checked.labels[k] for k in key)
    data = pa.table({**dict(zip(key, arrays, strict=True)), "__row": checked.rows})
    data = data.filter(present)
    if len(key) == 1 and pc.count_distinct(data[key[0]]).as_py() == data.num_rows:
        pass
    else:
        _report_repeats(data, key, label=label, table=checked.table, log=log)
    if existing is not None and existing.num_rows:
        _report_existing(data, existing, key, label=label, table=checked.table, log=log)


def _key_text(row: dict[str, object], key: tuple[str, ...]) -> str:
    return (
        show_value(row[key[0]])
        if len(key) == 1
        else "(" + ", ".join(show_value(row[k]) for k in key) + ")"
    )


def _report_repeats(
    data: pa.Table, key: tuple[str, ...], *, label: str, table: Table, log: IssueLog
) -> None:
    groups = data.group_by(list(key), use_threads=False).aggregate(
        [("__row", "min"), ("__row", "count")]
    )
    repeated = groups.filter(pc.greater(groups["__row_count"], 1))
    if repeated.num_rows == 0:
        return
    joined = data.join(
        repeated.select([*key, "__row_min"]), keys=list(key), join_type="inner", use_threads=False
    )
    repeats = joined.filter(pc.not_equal(joined["__row"], joined["__row_min"]))
    repeats = repeats.sort_by("__row")
    hint = (
        "each id must appear once; remove the repeated rows, or merge them in the source"
        if len(key) == 1
        else f"each {'+'.join(key)} combination must appear once"
    )
    texts = repeats.slice(0, log.max_examples).select(list(key)).to_pylist()
    firsts = repeats["__row_min"]
    log.add_rows(
        IssueCode.E208,
        mask=pa.repeat(pa.scalar(True), repeats.num_rows),
        rows=repeats["__row"].combine_chunks(),
        column=label,
        values=None,
        message=lambda i, _v: f"duplicate {label} {_key_text(texts[i], key)}: first seen on "
        f"row {firsts[i].as_py()}",
        hint=hint,
    )


def _report_existing(
    data: pa.Table,
    existing: pa.Table,
    key: tuple[str, ...],
    *,
    label: str,
    table: Table,
    log: IssueLog,
) -> None:
    have = existing.select(list(key)).cast(pa.schema([data.schema.field(k) for k in key]))
    have = have.group_by(list(key)).aggregate([])
    clash = data.join(have, keys=list(key), join_type="left semi").sort_by("__row")
    texts = clash.slice(0, log.max_examples).select(list(key)).to_pylist()
    log.add_rows(
        IssueCode.E208,
        mask=pa.repeat(pa.scalar(True), clash.num_rows),
        rows=clash["__row"].combine_chunks(),
        column=label,
        values=None,
        message=lambda i, _v: f"{label} {_key_text(texts[i], key)} is already in the "
        f"warehouse table {table.name}",
        hint="append only new rows, or import with --mode replace to load the whole table again",
    )


def check_order(checked: CheckedTable, *, log: IssueLog) -> None:
    """W203 where a later timestamp (closed_at) precedes its earlier one (created_at)."""
    for earlier, later in checked.table.order:
        a, b = checked.arrays[earlier], checked.arrays[later]
        wrong = pc.fill_null(pc.less(b, a), False)
        la, lb = checked.labels[earlier], checked.labels[later]
        log.add_rows(
            IssueCode.W203,
            mask=wrong,
            rows=checked.rows,
            column=lb,
            values=None,
            message=_order_message(a, b, la, lb),
            hint="loaded as is, since CRMs allow backdated records; correct the dates in the "
            "CRM if they are wrong",
        )


def _order_message(a: pa.Array, b: pa.Array, la: str, lb: str) -> Callable[[int, str | None], str]:
    def message(i: int, _value: str | None) -> str:
        return f"{lb} {b[i].as_py()} is before {la} {a[i].as_py()}"

    return message


SOFT_LINKS = frozenset({("leads", "opportunity_id"), ("opportunities", "lead_id")})
"""Links between a lead and its deal, which exports often cut on one side (deals of one year,
leads of all years): a link to a record not loaded is W303, and is not counted, rather than E301."""


def check_references(checked: CheckedTable, *, lookup: KeyLookup, log: IssueLog) -> None:
    """E301 for values missing from the referenced table; W301 when that table is absent.

    The lead-deal links (`SOFT_LINKS`) are W303 instead: the row loads, and the
    funnel does not count the link (coparent.metrics._stages).
    """
    for col in checked.table:
        if col.ref_table is None or col.ref_column is None:
            continue
        values = checked.arrays[col.name]
        present = values.is_valid()
        n = int(pc.sum(present).as_py() or 0)
        if n == 0:
            continue
        label = checked.labels[col.name]
        known = lookup(col.ref_table, col.ref_column)
        if known is None:
            log.add(
                IssueCode.W301,
                column=label,
                count=n,
                message=f"{n:,} references to {col.ref_table} were not checked: the "
                f"warehouse has no {col.ref_table} table yet",
                hint=f"import {col.ref_table} first, then this file again, to have them checked",
            )
            continue
        unknown = pc.and_(present, pc.invert(pc.is_in(values, value_set=known)))
        ref = subject(col.ref_table)
        if (checked.table.name, col.name) in SOFT_LINKS:
            what = subject(checked.table.name)
            log.add_rows(
                IssueCode.W303,
                mask=unknown,
                rows=checked.rows,
                column=label,
                values=values,
                message=_soft_link_message(what, ref),
                hint=f"import the {col.ref_table} export that holds it (all years), or leave "
                "it: the funnel counts only links to loaded records",
            )
            continue
        log.add_rows(
            IssueCode.E301,
            mask=unknown,
            rows=checked.rows,
            column=label,
            values=values,
            message=_reference_message(subject(checked.table.name), ref),
            hint=f"import the {ref} into {col.ref_table} first, fix the value, or map it to "
            f"an existing {col.ref_column} with a values map in the mapping",
        )


def _soft_link_message(what: str, ref: str) -> Callable[[int, str | None], str]:
    def message(_i: int, value: str | None) -> str:
        return (
            f"{what} linked to an unknown {ref} {show_value(value)}: it loads, and the link "
            "is not counted"
        )

    return message


def _reference_message(what: str, ref: str) -> Callable[[int, str | None], str]:
    def message(_i: int, value: str | None) -> str:
        return f"{what} for an unknown {ref} {show_value(value)}"

    return message
