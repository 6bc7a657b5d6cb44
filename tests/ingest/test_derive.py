"""Mapping features computed in the engine: defaults, filters, computed columns and lookups."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import ImportRejected, MappingError
from coparent.ingest.issues import Issue, IssueCode
from coparent.services.imports import ImportResult, import_file

E = IssueCode

ORDERS = """\
Orders export
Run by Ann on 2024-03-05
invoice,customer,qty,price,day
1001,acme,2,10.5,2024-03-01
C1002,acme,1,10.5,2024-03-02
1003,,3,1,2024-03-02
1004,globex,4,2.5,2024-03-04
1005,initech,1,100,2024-03-05
"""
CUSTOMERS = "id,region,since\nacme,EU,2019-05-01\nglobex,US,2021-01-31\numbrella,US,\n"


@pytest.fixture
def mem() -> Iterator[BaseBackend]:
    backend = warehouse.connect("duckdb://")
    yield backend
    backend.disconnect()


def run(
    tmp_path: Path,
    con: BaseBackend,
    mapping: str,
    data: str = ORDERS,
    *,
    table: str = "orders",
    files: dict[str, str] | None = None,
) -> ImportResult:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "data.csv").write_text(data, encoding="utf-8")
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    return import_file(con, table=table, path=tmp_path / "data.csv", mapping=tmp_path / "m.toml")


def rejected(
    tmp_path: Path, con: BaseBackend, mapping: str, data: str = ORDERS, **kw: object
) -> list[Issue]:
    with pytest.raises(ImportRejected) as info:
        run(tmp_path, con, mapping, data, **kw)  # type: ignore[arg-type]
    return info.value.issues


def loaded(con: BaseBackend, table: str = "orders") -> list[dict[str, object]]:
    rows: list[dict[str, object]] = con.table(table).to_pyarrow().to_pylist()
    return rows


def where(
    issues: tuple[Issue, ...] | list[Issue],
) -> list[tuple[IssueCode, int | None, str | None, int]]:
    return [(i.code, i.row, i.column, i.count) for i in issues if i.code is not E.W301]


BASE = """
[orders.source]
skip_rows = 2
[orders.columns]
order_id = "invoice"
account_id = { column = "customer", default = "walk-in" }
ordered_at = "day"
"""

# --- defaults and value maps of empty cells ------------------------------------------------


def test_a_default_fills_empty_cells_and_only_them(tmp_path: Path, mem: BaseBackend) -> None:
    result = run(tmp_path, mem, BASE + 'amount = "price"\n')
    assert [r["account_id"] for r in loaded(mem)] == [
        "acme",
        "acme",
        "walk-in",
        "globex",
        "initech",
    ]
    assert result.rows == 5


def test_a_value_map_maps_the_empty_cell_and_placeholders_to_a_default(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = (
        "lead,source,created\nl1,Select,2024-01-01\nl2,,2024-01-02\n"
        "l3,Google,2024-01-03\nl4,N/A,2024-01-04\n"
    )
    mapping = """
[leads.columns]
lead_id = "lead"
created_at = "created"
channel = { column = "source", values = { "" = "(empty)", Select = "" }, default = "unknown" }
"""
    run(tmp_path, mem, mapping, data, table="leads")
    assert [r["channel"] for r in loaded(mem, "leads")] == [
        "unknown",
        "(empty)",
        "Google",
        "(empty)",
    ]


def test_a_value_map_key_that_is_a_null_word_is_a_mapping_error_unless_null_values_change(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = "lead,source,created\nl1,N/A,2024-01-01\n"
    mapping = (
        '[leads.columns]\nlead_id = "lead"\ncreated_at = "created"\n'
        'channel = { column = "source", values = { "N/A" = "none" } }\n'
    )
    with pytest.raises(MappingError) as info:
        run(tmp_path, mem, mapping, data, table="leads")
    assert (info.value.file, info.value.key) == (
        str(tmp_path / "m.toml"),
        "leads.columns.channel.values.N/A",
    )
    run(tmp_path, mem, "[leads.source]\nnull_values = []\n" + mapping, data, table="leads")
    assert loaded(mem, "leads")[0]["channel"] == "none"


# --- filters -------------------------------------------------------------------------------


def test_drop_and_keep_conditions_leave_rows_out_and_each_is_counted_with_its_rows(
    tmp_path: Path, mem: BaseBackend
) -> None:
    mapping = (
        BASE
        + """amount = "price"
[orders.filter]
keep = "qty < 4"
drop = ["starts_with(invoice, 'C')", "customer is empty"]
"""
    )
    result = run(tmp_path, mem, mapping)
    assert [r["order_id"] for r in loaded(mem)] == ["1001", "1005"]
    assert where(result.issues) == [(E.W105, r, None, 1) for r in (5, 6, 7)]
    messages = {i.row: i.message for i in result.issues if i.code is E.W105}
    assert messages[7] == "dropped 1 of 5 rows that do not meet keep = 'qty < 4' (row 7)"
    assert (
        messages[5] == "dropped 1 of 5 rows that meet drop = \"starts_with(invoice, 'C')\" (row 5)"
    )
    assert (result.rows, result.dropped) == (2, 3)


def test_an_empty_value_makes_a_keep_condition_fail_and_a_drop_condition_not_apply(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = "invoice,customer,qty,price,day\n1,a,,1,2024-01-01\n2,a,5,1,2024-01-01\n"
    plain = BASE.replace("skip_rows = 2", "") + 'amount = "price"\n'
    assert run(tmp_path, mem, plain + '[orders.filter]\ndrop = "qty > 1"\n', data).rows == 1
    assert loaded(mem)[0]["order_id"] == "1"
    assert run(tmp_path, mem, plain + '[orders.filter]\nkeep = "qty > 1"\n', data).rows == 1
    assert loaded(mem)[0]["order_id"] == "2"
    result = run(tmp_path, mem, plain + '[orders.filter]\nkeep = "qty is empty or qty > 1"\n', data)
    assert (result.rows, result.dropped) == (2, 0)


def test_a_filter_that_drops_every_row_rejects_the_file(tmp_path: Path, mem: BaseBackend) -> None:
    issues = rejected(
        tmp_path, mem, BASE + 'amount = "price"\n[orders.filter]\nkeep = "qty > 100"\n'
    )
    assert [(i.code, i.row) for i in issues if i.level == "error"] == [(E.E106, 3)]
    assert "drop every one of the 5 rows" in issues[0].message


def test_a_value_a_filter_cannot_read_is_an_error_on_its_row_not_a_silent_drop(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = ORDERS.replace("1004,globex,4", "1004,globex,four")
    issues = rejected(
        tmp_path, mem, BASE + 'amount = "price"\n[orders.filter]\nkeep = "qty < 4"\n', data
    )
    (error,) = [i for i in issues if i.level == "error"]
    assert (error.code, error.row, error.column, error.value) == (E.E202, 7, "qty", "four")
    assert "orders.filter.keep reads qty as a number" in error.hint


# --- computed columns ----------------------------------------------------------------------


def test_computed_columns_do_arithmetic_concatenation_date_parts_and_coalesce(
    tmp_path: Path, mem: BaseBackend
) -> None:
    mapping = BASE.replace(
        'order_id = "invoice"', "order_id = { expr = \"concat('inv-', invoice, '-', month(day))\" }"
    )
    mapping = mapping.replace(
        'account_id = { column = "customer", default = "walk-in" }',
        "account_id = { expr = \"coalesce(customer, 'walk-in')\" }",
    )
    mapping += (
        'amount = { expr = "round(qty * price * 1.2, 2)" }\n'
        'product_id = { expr = "text(year(day) * 100 + weekday(day))" }\n'
    )
    result = run(tmp_path, mem, mapping)
    rows = sorted(loaded(mem), key=lambda r: str(r["order_id"]))
    assert [(r["order_id"], r["account_id"], r["amount"], r["product_id"]) for r in rows] == [
        ("inv-1001-3", "acme", 25.2, "202405"),
        ("inv-1003-3", "walk-in", 3.6, "202406"),
        ("inv-1004-3", "globex", 12.0, "202401"),
        ("inv-1005-3", "initech", 120.0, "202402"),
        ("inv-C1002-3", "acme", 12.6, "202406"),
    ]
    assert result.issues == () or {i.code for i in result.issues} == {E.W301}


def test_numbers_and_dates_in_other_layouts_are_read_with_number_and_date(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = (
        "id;acct;price;qty;when;until\n1;a;1.234,5;2;05/03/2024;2024-03-15\n2;b;0,5;;31/12/2023;\n"
    )
    mapping = """
[orders.source]
delimiter = ";"
[orders.columns]
order_id = "id"
account_id = "acct"
ordered_at = { expr = "date(when, '%d/%m/%Y')" }
amount = { expr = "number(price, ',', '.') * coalesce(qty, 1)" }
product_id = { expr = "text(days_between(date(when, '%d/%m/%Y'), until))" }
"""
    run(tmp_path, mem, mapping, data)
    rows = loaded(mem)
    assert [(r["ordered_at"], r["amount"], r["product_id"]) for r in rows] == [
        (dt.datetime(2024, 3, 5), 2469.0, "10"),
        (dt.datetime(2023, 12, 31), 0.5, None),
    ]


def test_a_value_a_computed_column_cannot_read_is_located_at_its_source_cell_once(
    tmp_path: Path, mem: BaseBackend
) -> None:
    data = ORDERS.replace("1004,globex,4,2.5,2024-03-04", "1004,globex,4,2.5 EUR,04/03/2024")
    mapping = BASE.replace('ordered_at = "day"', 'ordered_at = { expr = "date(day)" }')
    issues = rejected(tmp_path, mem, mapping + 'amount = { expr = "qty * price" }\n', data)
    errors = [(i.code, i.row, i.column, i.value) for i in issues if i.level == "error"]
    assert errors == [(E.E202, 7, "price", "2.5 EUR"), (E.E204, 7, "day", "04/03/2024")]
    assert "orders.columns.amount.expr reads price as a number" in issues[0].hint


def test_a_computed_value_is_checked_like_any_other(tmp_path: Path, mem: BaseBackend) -> None:
    issues = rejected(tmp_path, mem, BASE + 'amount = { expr = "price - 50" }\n')
    errors = [(i.code, i.row, i.column) for i in issues if i.level == "error"]
    assert errors == [(E.E207, r, "amount") for r in (4, 5, 6, 7)]


def test_division_by_zero_is_empty_not_infinite(tmp_path: Path, mem: BaseBackend) -> None:
    data = "invoice,customer,qty,price,day\n1,a,0,1,2024-01-01\n"
    mapping = BASE.replace("skip_rows = 2", "") + 'amount = { expr = "coalesce(price / qty, 0)" }\n'
    run(tmp_path, mem, mapping, data)
    assert loaded(mem)[0]["amount"] == 0.0


@pytest.mark.parametrize(
    ("mapping", "key", "fragment"),
    [
        (
            'amount = { expr = "qty * prize" }',
            "orders.columns.amount.expr",
            "unknown column 'prize' (at character 7",
        ),
        (
            'amount = { expr = "qty * cust.price" }',
            "orders.columns.amount.expr",
            "unknown lookup 'cust'",
        ),
        (
            'amount = { expr = "date(day)" }',
            "orders.columns.amount.expr",
            "takes number or text values, but this gives a date",
        ),
        (
            'amount = "price"\nproduct_id = { expr = "qty * 2" }',
            "orders.columns.product_id.expr",
            "gives a number",
        ),
        (
            'amount = { expr = "qty + date(day)" }',
            "orders.columns.amount.expr",
            "expected a number but this is a date",
        ),
        (
            'amount = { expr = "number(date(day))" }',
            "orders.columns.amount.expr",
            "reads text, not a date",
        ),
        ('amount = { expr = "if(qty, 1, 2)" }', "orders.columns.amount.expr", "expected a boolean"),
        (
            'amount = "price"\n[orders.filter]\nkeep = "qty"',
            "orders.filter.keep",
            "must be true or false",
        ),
        (
            'amount = "price"\n[orders.filter]\ndrop = "(qty > 1) < true"',
            "orders.filter.drop",
            "compare only with = and !=",
        ),
        (
            'amount = "price"\n[orders.filter]\ndrop = "date(day) = 3"',
            "orders.filter.drop",
            "cannot compare or combine date and number",
        ),
    ],
)
def test_every_misuse_of_an_expression_is_a_mapping_error_at_its_key(
    tmp_path: Path, mem: BaseBackend, mapping: str, key: str, fragment: str
) -> None:
    with pytest.raises(MappingError) as info:
        run(tmp_path, mem, BASE + mapping)
    assert (info.value.file, info.value.key) == (str(tmp_path / "m.toml"), key)
    assert fragment in str(info.value)
    if "unknown column" in fragment:
        assert "columns in " in info.value.hint
        assert "'qty'" in info.value.hint


# --- lookups -------------------------------------------------------------------------------

LOOKUP = (
    """
[orders.lookups.cust]
file = "customers.csv"
key = "id"
on = "customer"
"""
    + BASE
)


def test_a_lookup_takes_columns_from_a_second_file_and_counts_keys_it_lacks(
    tmp_path: Path, mem: BaseBackend
) -> None:
    mapping = LOOKUP.replace(
        'order_id = "invoice"',
        "order_id = { expr = \"concat(invoice, '@', coalesce(cust.region, '?'))\" }",
    )
    mapping += 'amount = "price"\nproduct_id = { expr = "text(year(cust.since))" }\n'
    result = run(tmp_path, mem, mapping, files={"customers.csv": CUSTOMERS})
    rows = [(r["order_id"], r["product_id"]) for r in loaded(mem)]
    assert rows == [
        ("1001@EU", "2019"),
        ("C1002@EU", "2019"),
        ("1003@?", None),
        ("1004@US", "2021"),
        ("1005@?", None),
    ]
    (miss,) = [i for i in result.issues if i.code is E.W302]
    assert (miss.row, miss.column, miss.count, miss.value) == (8, "customer", 1, "initech")
    assert miss.message.startswith("1 row (row 8) looks up a key that customers.csv has no id for")


def test_a_lookup_key_may_be_an_expression_and_rows_keep_their_file_order(
    tmp_path: Path, mem: BaseBackend
) -> None:
    customers = "ID,region\nACME,EU\nINITECH,APAC\n"
    mapping = LOOKUP.replace('on = "customer"', 'on = "upper(customer)"').replace(
        'key = "id"', 'key = "ID"'
    )
    mapping += "amount = { expr = \"coalesce(cust.region, 'none') = 'EU'\" }\n"
    with pytest.raises(MappingError, match="takes number or text values, but this gives a boolean"):
        run(tmp_path, mem, mapping, files={"customers.csv": customers})
    mapping = (
        mapping.replace("amount = { expr", "product_id = { expr").replace("= 'EU'\" }", '" }')
        + 'amount = "price"\n'
    )
    run(tmp_path, mem, mapping, files={"customers.csv": customers})
    assert [r["product_id"] for r in loaded(mem)] == ["EU", "EU", "none", "none", "APAC"]


def test_a_repeated_key_in_the_lookup_file_is_an_error_located_in_that_file(
    tmp_path: Path, mem: BaseBackend
) -> None:
    customers = CUSTOMERS + "acme,APAC,\n"
    issues = rejected(
        tmp_path, mem, LOOKUP + 'amount = "price"\n', files={"customers.csv": customers}
    )
    (error,) = [i for i in issues if i.level == "error"]
    assert (error.code, error.file, error.row, error.column, error.value) == (
        E.E208,
        str(tmp_path / "customers.csv"),
        5,
        "id",
        "acme",
    )
    assert "first seen on row 2" in error.message


def test_a_lookup_file_that_cannot_be_read_rejects_the_import_naming_it(
    tmp_path: Path, mem: BaseBackend
) -> None:
    issues = rejected(tmp_path, mem, LOOKUP + 'amount = "price"\n')
    assert [(i.code, i.file) for i in issues] == [(E.E100, str(tmp_path / "customers.csv"))]


def test_a_lookup_key_column_the_file_lacks_is_a_mapping_error(
    tmp_path: Path, mem: BaseBackend
) -> None:
    with pytest.raises(MappingError) as info:
        run(
            tmp_path,
            mem,
            LOOKUP.replace('key = "id"', 'key = "Id"') + 'amount = "price"\n',
            files={"customers.csv": CUSTOMERS},
        )
    assert info.value.key == "orders.lookups.cust.key"
    assert "'id', 'region', 'since'" in info.value.hint


def test_a_lookup_on_expression_reads_only_the_source(tmp_path: Path, mem: BaseBackend) -> None:
    with pytest.raises(MappingError) as info:
        run(
            tmp_path,
            mem,
            LOOKUP.replace('on = "customer"', 'on = "cust.id"') + 'amount = "price"\n',
            files={"customers.csv": CUSTOMERS},
        )
    assert info.value.key == "orders.lookups.cust.on"


def test_a_lookup_reads_gz_and_zip_files_with_their_own_options(
    tmp_path: Path, mem: BaseBackend
) -> None:
    import gzip

    (tmp_path / "customers.csv.gz").write_bytes(gzip.compress(CUSTOMERS.replace(",", ";").encode()))
    mapping = LOOKUP.replace('"customers.csv"', '"customers.csv.gz"\ndelimiter = ";"')
    run(tmp_path, mem, mapping + 'amount = "price"\nproduct_id = { expr = "cust.region" }\n')
    assert [r["product_id"] for r in loaded(mem)] == ["EU", "EU", None, "US", None]


# --- the row count: in = loaded + dropped --------------------------------------------------

_ROW = st.tuples(
    st.sampled_from(["", "a", "b", "c", "zz"]),
    st.one_of(st.just(""), st.integers(-3, 9).map(str)),
    st.integers(0, 1000).map(lambda c: f"{c / 100:.2f}"),
)


def _csv(rows: list[tuple[str, str, str]], *, title: bool) -> str:
    out = io.StringIO()
    if title:
        out.write("Report title\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer", "qty", "price"])
    writer.writerows(rows)
    return out.getvalue()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=40),
    low=st.integers(-3, 9),
    title=st.booleans(),
    drop_empty=st.booleans(),
)
def test_rows_in_equal_rows_loaded_plus_rows_dropped_and_computed_values_match(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str]],
    low: int,
    title: bool,
    drop_empty: bool,
) -> None:
    tmp_path = tmp_path_factory.mktemp("prop")
    mapping = f"""
[orders.source]
skip_rows = {int(title)}
[orders.filter]
keep = "qty >= {low}"
drop = {'["customer is empty"]' if drop_empty else "[]"}
[orders.lookups.seg]
file = "seg.csv"
key = "c"
on = "customer"
[orders.columns]
order_id = {{ row_number = true }}
account_id = {{ expr = "coalesce(customer, seg.s, '-')" }}
ordered_at = {{ value = "2024-01-01" }}
amount = {{ expr = "abs(qty) * price" }}
product_id = {{ expr = "seg.s" }}
"""
    con = warehouse.connect("duckdb://")
    try:
        kept = [
            r for r in rows if r[1] != "" and int(r[1]) >= low and not (drop_empty and r[0] == "")
        ]
        if not kept:
            issues = rejected(
                tmp_path,
                con,
                mapping,
                _csv(rows, title=title),
                files={"seg.csv": "c,s\na,A\nb,B\n"},
            )
            assert [i.code for i in issues if i.level == "error"] == [E.E106]
            assert sum(i.count for i in issues if i.code is E.W105) == len(rows)
            return
        result = run(
            tmp_path, con, mapping, _csv(rows, title=title), files={"seg.csv": "c,s\na,A\nb,B\n"}
        )
        assert result.rows + result.dropped == len(rows)
        assert result.rows == len(kept)
        got = sorted(loaded(con), key=lambda r: int(str(r["order_id"])))
        first = 2 + int(title)
        numbers = [first + i for i, r in enumerate(rows) if r in kept]
        assert [int(str(g["order_id"])) for g in got] == numbers
        expected = [abs(int(r[1])) * float(r[2]) for r in kept]
        assert [g["amount"] for g in got] == pytest.approx(expected)
        assert [g["product_id"] for g in got] == [{"a": "A", "b": "B"}.get(r[0]) for r in kept]
        unmatched = sum(1 for r in kept if r[0] not in ("", "a", "b"))
        assert sum(i.count for i in result.issues if i.code is E.W302) == unmatched
        assert all(i.row in numbers or i.code is not E.W302 for i in result.issues)
    finally:
        con.disconnect()
