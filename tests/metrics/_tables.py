"""Tiny canonical tables for golden tests, and the demo company loaded once per run.

`table(name, rows)` builds an ``ibis.memtable`` with the canonical schema of
``name``: columns a row leaves out are null, and the required columns the
metrics do not read get a harmless default, so each test spells out only what
its derivation is about.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.demo import DemoCompany, generate
from coparent.schema import TABLES

T0 = datetime(2026, 7, 1)

_DEFAULTS: dict[str, dict[str, Any]] = {
    "leads": {"created_at": datetime(2026, 1, 1), "channel": "web"},
    "opportunities": {"account_id": "A1", "stage": "stage", "status": "open"},
    "activities": {"person_id": "P1", "kind": "call"},
}


def arrow(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = TABLES[name].arrow_schema()
    schema = pa.schema([f.with_nullable(True) for f in schema])
    defaults = _DEFAULTS.get(name, {})
    filled = [{**defaults, **row} for row in rows]
    for i, row in enumerate(filled):
        key = TABLES[name].key[0]
        row.setdefault(key, f"{name[:1].upper()}{i + 1}")
    return pa.Table.from_pylist(filled, schema=schema)


def table(name: str, rows: list[dict[str, Any]]) -> ir.Table:
    """A canonical ``name`` table holding ``rows`` (missing columns null)."""
    return ibis.memtable(arrow(name, rows))


def rows(expr: ir.Table, *, sort: str | list[str] | None = None) -> list[dict[str, Any]]:
    """Run ``expr`` on DuckDB (the default backend) and return its rows as dicts."""
    if sort is not None:
        expr = expr.order_by(sort)
    result: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    return result


def one(expr: ir.Table) -> dict[str, Any]:
    (row,) = rows(expr)
    return row


@functools.cache
def demo() -> DemoCompany:
    """The small demo company (6,000 leads), generated once per test run."""
    return generate("small")


@functools.cache
def demo_con() -> BaseBackend:
    """An in-memory DuckDB warehouse holding the demo tables (shared, read only)."""
    con = ibis.duckdb.connect()
    for name, data in demo().tables.items():
        con.create_table(name, data)
    return con


def rec(**values: Any) -> dict[str, Any]:
    """One row, written with keywords to keep the golden tables readable."""
    return values


def d(month: int, day: int, hour: int = 0) -> datetime:
    """A moment of 2026, the year of the golden cases."""
    return datetime(2026, month, day, hour)


@contextmanager
def spark_demo_tables(
    spark: BaseBackend, folder: Path, names: Sequence[str], *, prefix: str
) -> Iterator[dict[str, ir.Table]]:
    """The demo's ``names`` tables as Spark views (through Parquet), dropped afterwards."""
    tables = {}
    for name in names:
        path = folder / f"{name}.parquet"
        pq.write_table(demo().tables[name], path)
        tables[name] = spark.read_parquet(str(path), table_name=f"{prefix}_{name}")
    try:
        yield tables
    finally:
        for name in names:
            spark.drop_view(f"{prefix}_{name}", force=True)
