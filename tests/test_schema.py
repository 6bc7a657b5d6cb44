from __future__ import annotations

import ibis
import pytest

from coparent.errors import UnknownTableError
from coparent.schema import IMPORT_ORDER, TABLES, get_table


def test_every_table_has_a_key_and_documented_columns() -> None:
    for table in TABLES.values():
        assert table.key, table.name
        assert table.doc
        for column in table:
            assert column.doc.strip(), (table.name, column.name)
            assert not (column.key and column.nullable), (table.name, column.name)


def test_every_reference_points_at_the_key_of_another_canonical_table() -> None:
    for table in TABLES.values():
        for column in table:
            if column.ref is None:
                continue
            target = TABLES[column.ref_table]  # type: ignore[index]
            assert column.ref_column in target.key, column.ref


def test_import_order_lists_every_table_once_and_people_before_what_refers_to_them() -> None:
    assert sorted(IMPORT_ORDER) == sorted(TABLES)
    position = {name: i for i, name in enumerate(IMPORT_ORDER)}
    # every reference either points backwards in the order or is the documented lead<->opp cycle
    forward = {
        (t.name, c.ref_table)
        for t in TABLES.values()
        for c in t
        if c.ref_table and position[c.ref_table] > position[t.name]
    }
    assert forward == {("leads", "opportunities")}


def test_arrow_schema_round_trips_through_ibis() -> None:
    for table in TABLES.values():
        schema = ibis.schema(table.arrow_schema())
        assert list(schema.names) == list(table.column_names)


def test_unknown_table_lists_the_canonical_ones() -> None:
    with pytest.raises(UnknownTableError) as info:
        get_table("deals")
    assert "opportunities" in info.value.hint
    assert info.value.code == "ingest.unknown_table"
