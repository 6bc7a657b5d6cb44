"""Which inputs the warehouse holds: the facts behind "no data" (not zero).

A metric whose inputs were never imported has no value, whatever its
arithmetic would give: without any ``rejected_at`` every decided MQL looks
accepted (100%), without contact times every MQL looks missed (0%). The rule,
per `coparent.metrics.registry.Metric.inputs`, is about the whole table: a
table with no rows, or a column with no value in any row, is not there.

Input: canonical tables by name. Output (`input_coverage`): one row with
``rows__<table>`` and ``values__<table>__<column>`` counts (int64);
`present_inputs` turns it into the names the registry reads (``leads``,
``leads.accepted_at``).

Examples
--------
>>> import ibis
>>> leads = ibis.memtable({"lead_id": ["L1", "L2"], "accepted_at": [None, "2026-07-01"],
...                        "rejected_at": [None, None], "first_contacted_at": [None, None]})
>>> row = input_coverage({"leads": leads}).to_pyarrow().to_pylist()[0]
>>> sorted(present_inputs(row))
['leads', 'leads.accepted_at']
"""

from __future__ import annotations

from collections.abc import Mapping

from ibis.expr import types as ir

__all__ = ["INPUT_COLUMNS", "input_coverage", "present_inputs"]

INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("first_contacted_at", "accepted_at", "rejected_at"),
    "opportunities": (),
    "activities": (),
    "orders": (),
}
"""Per table, the optional columns whose absence makes a metric "no data"."""


def input_coverage(tables: Mapping[str, ir.Table]) -> ir.Table | None:
    """One row of counts: rows per table, values per optional column (None: no table given)."""
    parts = []
    for name, columns in INPUT_COLUMNS.items():
        t = tables.get(name)
        if t is None:
            continue
        counts: dict[str, ir.Value] = {f"rows__{name}": t.count()}
        for col in columns:
            if col in t.columns:
                counts[f"values__{name}__{col}"] = t[col].count()
        parts.append(t.aggregate(**counts))
    if not parts:
        return None
    row = parts[0]
    for part in parts[1:]:
        row = row.cross_join(part)
    return row


def present_inputs(row: Mapping[str, int | None] | None) -> set[str]:
    """The inputs with data in an `input_coverage` row: ``leads``, ``leads.accepted_at``..."""
    present = set()
    for key, n in (row or {}).items():
        if not n:
            continue
        kind, _, rest = key.partition("__")
        present.add(rest if kind == "rows" else rest.replace("__", ".", 1))
    return present
