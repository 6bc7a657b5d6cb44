"""The warehouse: where the facts live, reached through Ibis from a URL.

``duckdb:///path/warehouse.duckdb`` is the default (one file in the
workspace; three slashes for an absolute path, two for a relative one);
``duckdb://`` is in memory (tests). Any other URL that
`ibis.connect` understands (``postgres://...``, ``pyspark://...``) works for
reading; ``pyspark://`` starts a local Spark session (the scale-out path).

Writes are atomic on DuckDB: `write_table` stages the new rows, then swaps
them in inside one transaction, so a failure at any point (an exception, or
the process killed) leaves the previous table and its rows exactly as they
were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import BackendUnavailable, MissingDataError, WarehouseError
from coparent.schema import TABLES

__all__ = [
    "connect",
    "duckdb_file",
    "has_table",
    "read_table",
    "row_counts",
    "write_table",
    "write_tables",
]

WriteMode = Literal["replace", "append"]

_STAGING = "_coparent_incoming"

# Test seam: called inside the swap transaction, just before it commits. A test
# sets it to raise (or to kill the process) to prove the swap is atomic.
_before_commit: Callable[[str], None] | None = None


def duckdb_file(url: str) -> Path | None:
    """The file of a ``duckdb://`` URL; None for any other URL or an in-memory DuckDB."""
    if not url.startswith("duckdb://"):
        return None
    path = url.removeprefix("duckdb://")  # duckdb:///abs/path keeps its leading slash
    return None if path in ("", ":memory:", "/:memory:") else Path(path)


def connect(url: str, *, read_only: bool = False) -> BaseBackend:
    """Connect to the warehouse at ``url`` (see module docstring for the forms).

    ``read_only`` opens a DuckDB file read-only, so several processes read it at
    once; other URLs ignore it. Most callers want `Workspace.open`, which also
    waits for a file another process holds and closes the connection.
    """
    if url.startswith("duckdb://"):
        path = url.removeprefix("duckdb://")  # duckdb:///abs/path keeps its leading slash
        if path in ("", ":memory:", "/:memory:"):
            return ibis.duckdb.connect()
        try:
            return ibis.duckdb.connect(path, read_only=read_only)
        except Exception as exc:  # duckdb raises IOException and friends
            raise WarehouseError(
                f"cannot open the warehouse {url}: {exc}",
                hint="check that the folder exists and no other program holds the file open",
            ) from exc
    if url.startswith("pyspark://"):
        return _connect_spark(url)
    scheme = url.split(":", 1)[0]
    if not scheme or "://" not in url:
        raise WarehouseError(
            f"not a warehouse URL: {url!r}",
            hint="use duckdb:///path/to/warehouse.duckdb, duckdb:// or another Ibis URL",
        )
    try:
        return ibis.connect(url)
    except ModuleNotFoundError as exc:
        raise BackendUnavailable(
            f"the {scheme} backend is not installed ({exc.name})",
            hint=f"install it: pip install 'ibis-framework[{scheme}]'",
        ) from exc


def _connect_spark(url: str) -> BaseBackend:
    """A local Spark session (``pyspark://`` = ``local[2]``), quiet and offline.

    ``pyspark://local[4]?warehouse_dir=/path`` picks the master and where managed
    tables go (default: a fresh temporary folder, so runs never collide).
    """
    import os
    import tempfile
    from urllib.parse import parse_qs

    rest = url.removeprefix("pyspark://")
    master, _, query = rest.partition("?")
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError as exc:
        raise BackendUnavailable(
            "the pyspark backend is not installed",
            hint="install it: pip install 'coparent[spark]' (needs Java 17)",
        ) from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    wh_dir = options.get("warehouse_dir") or tempfile.mkdtemp(prefix="coparent-spark-")
    spark = (
        SparkSession.builder.master(master or "local[2]")
        .appName("coparent")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.warehouse.dir", wh_dir)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(spark)


def has_table(con: BaseBackend, name: str) -> bool:
    return name in con.list_tables()


def read_table(con: BaseBackend, name: str) -> ir.Table:
    """The warehouse table ``name``; a clear error says what to import when it is absent."""
    if not has_table(con, name):
        raise MissingDataError(
            f"the warehouse has no {name!r} table yet",
            hint=f"import it: coparent import {name} FILE (see coparent schema {name})",
        )
    return con.table(name)


def row_counts(con: BaseBackend) -> dict[str, int]:
    """Row count of every canonical table present, in schema order."""
    present = set(con.list_tables())
    return {name: int(con.table(name).count().execute()) for name in TABLES if name in present}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_table(
    con: BaseBackend, name: str, data: pa.Table, *, mode: WriteMode = "replace"
) -> None:
    """Create, replace or append to table ``name`` with ``data``, all or nothing."""
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")
    if con.name == "duckdb":
        _write_duckdb(con, name, data, mode=mode)
    elif con.name == "pyspark":
        _write_spark(con, name, data, mode=mode)
    else:
        _write_generic(con, name, data, mode=mode)


def write_tables(con: BaseBackend, tables: Sequence[tuple[str, pa.Table, WriteMode]]) -> None:
    """Write several tables all or nothing (a whole CRM export: accounts, leads, deals...).

    On DuckDB every table is written in one transaction (``_before_commit``
    is called after each table, so a test can fail between two of them). On
    other backends each table is swapped in atomically and, if a later one
    fails, the earlier ones are put back as they were.
    """
    for _, _, mode in tables:
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")
    if con.name == "duckdb":
        _write_duckdb_many(con, tables)
        return
    saved = {
        name: (con.table(name).to_pyarrow() if has_table(con, name) else None)
        for name, _, _ in tables
    }
    done: list[str] = []
    try:
        for name, data, mode in tables:
            write_table(con, name, data, mode=mode)
            done.append(name)
    except BaseException:
        for name in reversed(done):
            before = saved[name]
            if before is None:
                con.drop_table(name, force=True)
            else:
                write_table(con, name, before, mode="replace")
        raise


def _write_duckdb_many(con: Any, tables: Sequence[tuple[str, pa.Table, WriteMode]]) -> None:
    raw = con.con
    staged = []
    try:
        for i, (name, data, mode) in enumerate(tables):
            staging = f"{_STAGING}_{i}"
            raw.register(staging, data)
            staged.append((staging, name, mode, has_table(con, name)))
        raw.begin()
        try:
            for staging, name, mode, exists in staged:
                if mode == "append" and exists:
                    raw.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM {staging}")
                else:
                    raw.execute(
                        f"CREATE OR REPLACE TABLE {_quote(name)} AS SELECT * FROM {staging}"
                    )
                if _before_commit is not None:
                    _before_commit(name)
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
    finally:
        for staging, *_ in staged:
            raw.unregister(staging)


def _write_duckdb(con: Any, name: str, data: pa.Table, *, mode: WriteMode) -> None:
    _write_duckdb_many(con, [(name, data, mode)])


def _write_spark(con: Any, name: str, data: pa.Table, *, mode: WriteMode) -> None:
    # Ibis hands Arrow to Spark through pandas, where a null float becomes NaN
    # and a nullable int column with a null loses its values. Parquet keeps
    # nulls and types (timestamps written as microseconds, which Spark reads).
    import shutil
    import tempfile

    import pyarrow.parquet as pq

    folder = tempfile.mkdtemp(prefix="coparent-spark-load-")
    try:
        path = f"{folder}/data.parquet"
        pq.write_table(data, path, coerce_timestamps="us", allow_truncated_timestamps=True)
        frame = con._session.read.parquet(path)
        if mode == "append" and has_table(con, name):
            frame.write.mode("append").insertInto(name)
            return
        staging = f"{_STAGING}_{name}"
        frame.write.mode("overwrite").saveAsTable(staging)
        if _before_commit is not None:
            _before_commit(name)
        con.drop_table(name, force=True)
        con.rename_table(staging, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_generic(con: Any, name: str, data: pa.Table, *, mode: WriteMode) -> None:
    # Backends without transactional DDL through Ibis: stage fully, then swap,
    # so the window where the table is missing is one drop + one rename.
    if mode == "append" and has_table(con, name):
        con.insert(name, data)
        return
    staging = f"{_STAGING}_{name}"
    con.create_table(staging, data, overwrite=True)
    if _before_commit is not None:
        _before_commit(name)
    con.drop_table(name, force=True)
    con.rename_table(staging, name)
