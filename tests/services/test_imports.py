from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import ImportRejected, MappingError, SettingsError, UnknownTableError
from coparent.ingest.issues import IssueCode
from coparent.services.imports import ImportResult, import_arrow, import_file, import_mapped
from coparent.settings import Settings

HEADER = "person_id,name,email,team,title,active"


@pytest.fixture
def con() -> Iterator[BaseBackend]:
    backend = warehouse.connect("duckdb://")
    yield backend
    backend.disconnect()


def people(tmp_path: Path, *rows: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def ids(con: BaseBackend, table: str = "people") -> list[str]:
    column = {"people": "person_id", "orders": "order_id"}[table]
    values: list[str] = con.table(table).order_by(column)[column].to_pyarrow().to_pylist()
    return values


def test_replace_loads_the_whole_file_and_reports_what_it_did(
    con: BaseBackend, tmp_path: Path
) -> None:
    path = people(tmp_path, "u1,Ann,,sales,,true", "u2,Bob,,marketing,,false")
    result = import_file(con, table="people", path=path, settings=Settings())
    assert result == ImportResult("people", str(path), 2, "replace", False, (), result.seconds)
    assert result.seconds > 0
    assert con.table("people").to_pyarrow().schema.names == [
        "person_id",
        "name",
        "email",
        "team",
        "title",
        "active",
    ]
    import_file(con, table="people", path=people(tmp_path, "u9,Zed,,both,,true"))
    assert ids(con) == ["u9"]


def test_append_adds_rows_and_refuses_ids_already_loaded(con: BaseBackend, tmp_path: Path) -> None:
    import_file(con, table="people", path=people(tmp_path, "u1,Ann,,sales,,true"))
    import_file(
        con,
        table="people",
        path=people(tmp_path, "u2,Bob,,sales,,true", name="b.csv"),
        mode="append",
    )
    assert ids(con) == ["u1", "u2"]
    with pytest.raises(ImportRejected, match="already in the warehouse"):
        import_file(
            con,
            table="people",
            mode="append",
            path=people(tmp_path, "u3,Cy,,sales,,true", "u1,Ann,,sales,,true", name="c.csv"),
        )
    assert ids(con) == ["u1", "u2"]


def test_append_to_an_absent_table_creates_it(con: BaseBackend, tmp_path: Path) -> None:
    import_file(con, table="people", path=people(tmp_path, "u1,Ann,,sales,,true"), mode="append")
    assert ids(con) == ["u1"]


def test_check_only_validates_and_loads_nothing(con: BaseBackend, tmp_path: Path) -> None:
    result = import_file(
        con, table="people", path=people(tmp_path, "u1,Ann,,sales,,true"), check=True
    )
    assert (result.checked_only, result.rows) == (True, 1)
    assert not warehouse.has_table(con, "people")
    with pytest.raises(ImportRejected):
        import_file(con, table="people", path=people(tmp_path, "u1,Ann,,nobody,,true"), check=True)


def test_a_rejected_import_says_where_each_problem_is_end_to_end(
    con: BaseBackend, tmp_path: Path
) -> None:
    path = people(tmp_path, "u1,Ann,,sales,,true", "u2,Bob,,sales ops,,perhaps")
    with pytest.raises(ImportRejected) as info:
        import_file(con, table="people", path=path)
    text = str(info.value)
    assert text.startswith(f"{path}: 2 error(s), nothing was loaded\n")
    assert f"{path}:3:team: error ingest.E206: 'sales ops' is not a known team" in text
    assert f"{path}:3:active: error ingest.E205: 'perhaps' is not true or false" in text
    assert info.value.file == str(path)


def test_the_examples_are_capped_while_the_error_total_stays_true(
    con: BaseBackend, tmp_path: Path
) -> None:
    rows = [f"u{i},N,,sales,,nope" for i in range(5000)]
    with pytest.raises(ImportRejected) as info:
        import_file(
            con,
            table="people",
            path=people(tmp_path, *rows),
            settings=Settings(import_max_examples=3),
        )
    issues = info.value.issues
    assert [(i.row, i.count) for i in issues] == [(2, 1), (3, 1), (4, 1), (None, 4997)]
    assert "4,997 more" in issues[-1].message
    assert str(info.value).startswith(f"{tmp_path / 'people.csv'}: 5000 error(s)")


def test_warnings_come_back_with_the_loaded_result(con: BaseBackend, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "opportunity_id,stage,status,created_at,account_id\no1,Open,open,2024-01-01,\n",
        encoding="utf-8",
    )
    result = import_file(con, table="opportunities", path=path)
    codes = [i.code for i in result.issues]
    assert codes.count(IssueCode.W201) == 2  # account and amount
    assert result.warning_count == 2


def test_the_timezone_setting_applies_to_naive_times(con: BaseBackend, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "order_id,account_id,ordered_at,amount\n1,a,2024-07-01 12:00,5\n", encoding="utf-8"
    )
    import_file(con, table="orders", path=path, settings=Settings(timezone="Europe/Paris"))
    assert con.table("orders").ordered_at.to_pyarrow().to_pylist() == [dt.datetime(2024, 7, 1, 10)]
    with pytest.raises(SettingsError, match="timezone"):
        import_file(con, table="orders", path=path, settings=Settings(timezone="Paris"))


def test_a_delimiter_option_overrides_sniffing(con: BaseBackend, tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("person_id|name|team|active\nu1|A;B|sales|1\n", encoding="utf-8")
    import_file(con, table="people", path=path, delimiter="|")
    assert con.table("people").name.to_pyarrow().to_pylist() == ["A;B"]
    with pytest.raises(MappingError, match="unsupported delimiter"):
        import_file(con, table="people", path=path, delimiter=":")


def test_an_excel_workbook_imports_like_csv(con: BaseBackend, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["person_id", "name", "team", "active"])
    book.active.append(["u1", "Ann", "sales", True])
    book.active.append(["u2", "Bob", "nobody", False])
    path = tmp_path / "people.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as info:
        import_file(con, table="people", path=path)
    assert [(i.code, i.row, i.column) for i in info.value.issues] == [(IssueCode.E206, 3, "team")]


def test_a_parquet_file_imports_with_its_types(con: BaseBackend, tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(
        pa.table(
            {
                "order_id": ["a", "b"],
                "account_id": ["x", "y"],
                "ordered_at": pa.array([dt.date(2024, 1, 1)] * 2),
                "amount": pa.array([1, 2], pa.int32()),
            }
        ),
        path,
    )
    result = import_file(con, table="orders", path=path)
    assert result.rows == 2
    assert con.table("orders").amount.to_pyarrow().to_pylist() == [1.0, 2.0]


def test_an_arrow_table_imports_with_the_same_checks(con: BaseBackend) -> None:
    data = pa.table({"product_id": ["a", "a"], "name": ["A", "A2"]})
    with pytest.raises(ImportRejected) as info:
        import_arrow(con, table="products", data=data, source_name="generated")
    assert info.value.issues[0].format().startswith("generated:3:product_id: error ingest.E208")
    result = import_arrow(con, table="products", data=data.slice(0, 1), source_name="generated")
    assert result.rows == 1


def test_progress_reports_stages_in_order_up_to_the_whole(con: BaseBackend, tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    import_file(
        con,
        table="people",
        path=people(tmp_path, "u1,Ann,,sales,,true"),
        progress=lambda stage, f: seen.append((stage, f)),
    )
    stages = [s for s, _ in seen]
    assert stages[0] == "read"
    assert stages[-1] == "load"
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == [
        "read",
        "check",
        "references",
        "load",
    ]
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_misuse_is_told_apart_from_bad_data(con: BaseBackend, tmp_path: Path) -> None:
    path = people(tmp_path, "u1,Ann,,sales,,true")
    with pytest.raises(UnknownTableError):
        import_file(con, table="deals", path=path)
    with pytest.raises(ValueError, match="mode"):
        import_file(con, table="people", path=path, mode="merge")  # type: ignore[arg-type]


def test_a_mapping_file_maps_several_tables_imported_in_dependency_order(
    con: BaseBackend, tmp_path: Path
) -> None:
    (tmp_path / "acc.csv").write_text("Id;Name;Since\nA1;Acme;2001\n", encoding="utf-8")
    (tmp_path / "ord.csv").write_text(
        'Ref,Acct,Day,Total\n1,A1,05.01.2024,"1.234,5"\n2,A2,06.01.2024,3\n', encoding="utf-8"
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        """
[orders.source]
file = "ord.csv"
[orders.columns]
order_id = "Ref"
account_id = "Acct"
ordered_at = { column = "Day", format = "%d.%m.%Y" }
amount = { column = "Total", decimal = ",", thousands = "." }

[accounts.source]
file = "acc.csv"
[accounts.columns]
account_id = "Id"
name = "Name"
created_at = { column = "Since", format = "%Y" }
""",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_mapped(con, mapping=mapping)
    assert [(i.code, i.row, i.column) for i in info.value.issues] == [(IssueCode.E301, 3, "Acct")]
    assert warehouse.has_table(con, "accounts")
    assert not warehouse.has_table(con, "orders")
    (tmp_path / "ord.csv").write_text(
        'Ref,Acct,Day,Total\n1,A1,05.01.2024,"1.234,5"\n', encoding="utf-8"
    )
    results = import_mapped(con, mapping=mapping)
    assert [(r.table, r.rows) for r in results] == [("accounts", 1), ("orders", 1)]
    assert con.table("orders").amount.to_pyarrow().to_pylist() == [1234.5]
    with pytest.raises(MappingError, match=r"no \[people\] section"):
        import_mapped(con, mapping=mapping, tables=["people"])
