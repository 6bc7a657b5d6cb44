from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from coparent import warehouse
from coparent.errors import MissingDataError, WarehouseError


def _people(n: int, prefix: str = "p") -> pa.Table:
    return pa.table({"person_id": [f"{prefix}{i}" for i in range(n)], "x": list(range(n))})


def test_in_memory_and_file_urls_connect(tmp_path: Path) -> None:
    assert warehouse.connect("duckdb://").list_tables() == []
    con = warehouse.connect(f"duckdb://{tmp_path / 'w.duckdb'}")
    warehouse.write_table(con, "people", _people(2))
    con.disconnect()
    again = warehouse.connect(f"duckdb://{tmp_path / 'w.duckdb'}")
    assert warehouse.row_counts(again) == {"people": 2}


def test_a_bad_url_is_a_warehouse_error() -> None:
    with pytest.raises(WarehouseError):
        warehouse.connect("not a url")
    with pytest.raises(WarehouseError):
        warehouse.connect("duckdb:///no/such/folder/w.duckdb")


def test_replace_then_append() -> None:
    con = warehouse.connect("duckdb://")
    warehouse.write_table(con, "people", _people(3))
    warehouse.write_table(con, "people", _people(2, "q"), mode="append")
    assert warehouse.row_counts(con) == {"people": 5}
    warehouse.write_table(con, "people", _people(1))
    assert warehouse.row_counts(con) == {"people": 1}
    assert con.list_tables() == ["people"]  # no staging leftovers


def test_a_failure_at_the_swap_leaves_the_old_table_and_rows_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    con = warehouse.connect("duckdb://")
    warehouse.write_table(con, "people", _people(3))
    before = con.table("people").to_pyarrow()

    def boom(name: str) -> None:
        raise RuntimeError(f"injected failure while swapping {name}")

    monkeypatch.setattr(warehouse, "_before_commit", boom)
    for mode in ("replace", "append"):
        with pytest.raises(RuntimeError, match="injected"):
            warehouse.write_table(con, "people", _people(10, "new"), mode=mode)  # type: ignore[arg-type]
        assert con.table("people").to_pyarrow().equals(before)
    with pytest.raises(RuntimeError):
        warehouse.write_table(con, "orders", _people(1))
    assert con.list_tables() == ["people"]


def test_reading_a_missing_table_says_what_to_import() -> None:
    con = warehouse.connect("duckdb://")
    with pytest.raises(MissingDataError) as info:
        warehouse.read_table(con, "leads")
    assert "coparent import leads" in info.value.hint


def test_row_counts_list_only_canonical_tables_in_schema_order() -> None:
    con = warehouse.connect("duckdb://")
    warehouse.write_table(con, "orders", _people(1))
    warehouse.write_table(con, "people", _people(2))
    warehouse.write_table(con, "scratch", _people(4))
    assert list(warehouse.row_counts(con).items()) == [("people", 2), ("orders", 1)]


class _Boom(Exception):
    pass


def _fail_on(name: str) -> Callable[[str], None]:
    def hook(table: str) -> None:
        if table == name:
            raise _Boom(table)

    return hook


def test_write_tables_writes_all_or_none_of_several_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # DuckDB writes them in one transaction (Spark: tests/test_warehouse_spark.py).
    con = warehouse.connect("duckdb://")
    warehouse.write_table(con, "people", _people(2))
    before = con.table("people").to_pyarrow()
    monkeypatch.setattr(warehouse, "_before_commit", _fail_on("accounts"))
    with pytest.raises(_Boom):
        warehouse.write_tables(
            con,
            [
                ("people", _people(1, "new"), "append"),
                ("products", _people(3), "replace"),
                ("accounts", _people(4), "replace"),
            ],
        )
    assert con.table("people").to_pyarrow().sort_by("person_id").equals(before)
    assert sorted(con.list_tables()) == ["people"]
    monkeypatch.setattr(warehouse, "_before_commit", None)
    warehouse.write_tables(
        con, [("people", _people(1, "new"), "append"), ("products", _people(3), "replace")]
    )
    assert warehouse.row_counts(con) == {"people": 3, "products": 3}
