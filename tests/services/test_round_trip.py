"""Demo tables exported to CSV, Parquet and Excel re-import to identical tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from coparent import warehouse
from coparent.demo import Scale, generate
from coparent.ingest.export import export_table, neutralise_table
from coparent.schema import IMPORT_ORDER, TABLES
from coparent.services.imports import import_file
from coparent.settings import Settings


def _sorted(table: pa.Table, name: str) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in TABLES[name].key])


@pytest.mark.parametrize(
    ("suffix", "scale"),
    [
        ("csv", Scale(leads=1_500, accounts=600, experiment_subjects=300, lapsed_accounts=5)),
        ("parquet", Scale(leads=1_500, accounts=600, experiment_subjects=300, lapsed_accounts=5)),
        (
            "xlsx",
            Scale(
                leads=150,
                accounts=80,
                touches_per_lead=2.0,
                experiment_subjects=40,
                lapsed_accounts=1,
            ),
        ),
    ],
)
def test_demo_tables_exported_and_reimported_are_identical(
    tmp_path: Path, suffix: str, scale: Scale
) -> None:
    company = generate(scale, seed=11)
    con = warehouse.connect("duckdb://")
    for name in IMPORT_ORDER:
        original = company.tables[name]
        path = export_table(original, tmp_path / f"{name}.{suffix}")
        result = import_file(con, table=name, path=path, settings=Settings())
        assert result.rows == original.num_rows
        assert not [i for i in result.issues if i.code.value not in ("ingest.W201", "ingest.W301")]
        back = _sorted(con.table(name).to_pyarrow(), name)
        # the warehouse does not keep arrow's not-null flags; names and types must match
        assert [(f.name, f.type) for f in back.schema] == [
            (f.name, f.type) for f in original.schema
        ], name
        assert back.cast(original.schema).equals(_sorted(original, name)), name


def test_formula_text_is_stored_verbatim_and_neutralised_on_export(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "person_id,name,team,active\n"
        'p1,"=HYPERLINK(""http://evil"",""x"")",sales,true\n'
        "p2,@SUM(A1),marketing,false\n"
    )
    con = warehouse.connect("duckdb://")
    result = import_file(con, table="people", path=source, settings=Settings())
    assert [(i.code.value, i.row, i.column) for i in result.issues] == [
        ("ingest.W202", 2, "name"),
        ("ingest.W202", 3, "name"),
    ]
    stored = con.table("people").order_by("person_id").to_pyarrow()
    assert stored["name"].to_pylist() == ['=HYPERLINK("http://evil","x")', "@SUM(A1)"]
    exported = neutralise_table(stored)
    assert exported["name"].to_pylist() == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"]
    export_table(stored, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text()
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
