"""The warehouse layer gives the same tables on PySpark as on DuckDB (the scale-out path)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from coparent import warehouse
from coparent.demo import generate
from coparent.schema import TABLES

pytestmark = pytest.mark.spark


def _sorted(table: pa.Table, name: str) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in TABLES[name].key])


def test_demo_tables_written_to_spark_read_back_equal_to_duckdb(spark_con) -> None:
    company = generate("small", seed=3)
    duck = warehouse.connect("duckdb://")
    for name in ("people", "opportunities", "orders", "experiments", "stage_changes"):
        warehouse.write_table(duck, name, company.tables[name])
        warehouse.write_table(spark_con, name, company.tables[name])
        from_duck = _sorted(duck.table(name).to_pyarrow(), name)
        from_spark = _sorted(spark_con.table(name).to_pyarrow(), name)
        assert from_spark.schema == from_duck.schema, name
        assert from_spark.equals(from_duck), name


def test_append_and_row_counts_agree_on_spark(spark_con) -> None:
    company = generate("small", seed=4)
    people = company.tables["people"]
    warehouse.write_table(spark_con, "people", people)
    warehouse.write_table(spark_con, "people", people, mode="append")
    assert warehouse.row_counts(spark_con)["people"] == 2 * people.num_rows


def test_nulls_in_float_and_int_columns_survive_a_write_to_spark(spark_con) -> None:
    data = pa.table(
        {
            "account_id": ["a", "b", "c"],
            "employees": pa.array([10, None, 30], pa.int64()),
            "revenue": pa.array([1.5, None, 2.5], pa.float64()),
        }
    )
    warehouse.write_table(spark_con, "accounts", data)
    back = spark_con.table("accounts").order_by("account_id").to_pyarrow()
    assert back.equals(data)


class _Boom(Exception):
    pass


def test_write_tables_on_spark_puts_earlier_tables_back_when_a_later_one_fails(
    spark_con, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = generate("small", seed=5)
    people, products = company.tables["people"], company.tables["products"]
    warehouse.write_table(spark_con, "people", people)
    spark_con.drop_table("products", force=True)

    def fail_on_accounts(name: str) -> None:
        if name == "accounts":
            raise _Boom(name)

    monkeypatch.setattr(warehouse, "_before_commit", fail_on_accounts)
    with pytest.raises(_Boom):
        warehouse.write_tables(
            spark_con,
            [
                ("people", people.slice(0, 1), "replace"),
                ("products", products, "replace"),
                ("accounts", company.tables["accounts"], "replace"),
            ],
        )
    restored = _sorted(spark_con.table("people").to_pyarrow(), "people")
    assert restored.to_pylist() == _sorted(people, "people").to_pylist()
    assert "products" not in spark_con.list_tables()
