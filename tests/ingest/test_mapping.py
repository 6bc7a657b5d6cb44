from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.errors import MappingError
from coparent.ingest.issues import IssueCode, IssueLog
from coparent.ingest.mapping import (
    ColumnRule,
    ImportMapping,
    SourceOptions,
    TableMapping,
    load_mapping,
    parse_mapping,
    plan_columns,
    to_toml,
)
from coparent.schema import TABLES

EXAMPLE = """
[opportunities.source]
file = "pipeline.csv"
delimiter = ";"
timezone = "Europe/Paris"

[opportunities.columns]
opportunity_id = "Deal ID"
status = { column = "Stage", values = { Won = "won", Lost = "lost", Open = "open" } }
created_at = { column = "Created", format = ["%d/%m/%Y", "%Y-%m-%d"] }
amount = { column = "Amount", decimal = ",", thousands = "." }

[people.columns]
team = { value = "sales" }
active = { value = true }
person_id = { row_number = true, prefix = "p-" }
"""


def parse(text: str) -> ImportMapping:
    return parse_mapping(tomllib.loads(text), file="m.toml")


def test_a_mapping_file_holds_source_options_and_column_rules_for_several_tables() -> None:
    m = parse(EXAMPLE)
    opp = m.table("opportunities")
    assert opp.source == SourceOptions(file="pipeline.csv", delimiter=";", timezone="Europe/Paris")
    assert opp.rule("status") == (
        ColumnRule(column="Stage", values=(("Won", "won"), ("Lost", "lost"), ("Open", "open"))),
        True,
    )
    assert opp.rule("created_at")[0].formats == ("%d/%m/%Y", "%Y-%m-%d")
    assert opp.rule("amount")[0].decimal == ","
    assert opp.rule("stage") == (ColumnRule(column="stage"), False)
    people = m.table("people")
    assert people.rule("active")[0].value == "true"
    assert people.rule("person_id")[0] == ColumnRule(row_number=True, prefix="p-")


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[deals.columns]\nx = 'y'", "deals", "not a canonical table"),
        ("[leads.columns]\nlead = 'Id'", "leads.columns.lead", "has no column 'lead'"),
        ("[leads]\ncolumn = 'x'", "leads.column", "unknown key"),
        ("[leads.source]\ndelimiter = ':'", "leads.source.delimiter", "unsupported delimiter"),
        ("[leads.source]\nnames = ['a']", "leads.source.names", "without a header"),
        (
            "[leads.source]\nheader = false\nnames = ['a', 'a']",
            "leads.source.names",
            "must be different",
        ),
        ("[leads.source]\ntimezone = 'Mars/Olympus'", "leads.source.timezone", "unknown time zone"),
        ("[leads.source]\nencoding = 'klingon'", "leads.source.encoding", "unknown encoding"),
        ("[leads.source]\nrows = 3", "leads.source.rows", "unknown key"),
        (
            "[leads.columns]\nchannel = { column = 'a', value = 'b' }",
            "leads.columns.channel",
            "exactly one",
        ),
        (
            "[leads.columns]\nchannel = { format = '%Y' , column = 'a'}",
            "leads.columns.channel.format",
            "for dates",
        ),
        (
            "[leads.columns]\ncreated_at = { column = 'a', decimal = ',' }",
            "leads.columns.created_at.decimal",
            "for numbers",
        ),
        (
            "[orders.columns]\namount = { column = 'a', decimal = ',', thousands = ',' }",
            "orders.columns.amount",
            "must differ",
        ),
        (
            "[orders.columns]\namount = { column = 'a', prefix = 'x' }",
            "orders.columns.amount.prefix",
            "text columns",
        ),
        (
            "[people.columns]\nteam = { value = 'sale' }",
            "people.columns.team.value",
            "not valid for team",
        ),
        (
            "[people.columns]\nactive = { value = 'sometimes' }",
            "people.columns.active.value",
            "not valid",
        ),
        (
            "[orders.columns]\nordered_at = { value = 'soon' }",
            "orders.columns.ordered_at.value",
            "not valid",
        ),
        ("[orders.columns]\namount = 12", "orders.columns.amount", "source column name"),
    ],
)
def test_every_mistake_in_a_mapping_names_its_key(text: str, key: str, fragment: str) -> None:
    with pytest.raises(MappingError) as info:
        parse(text)
    assert info.value.key == key
    assert fragment in str(info.value)


def test_a_constant_is_checked_after_its_value_map() -> None:
    m = parse("[people.columns]\nteam = { value = 'Vertrieb', values = { Vertrieb = 'sales' } }")
    assert m.table("people").rule("team")[0].value == "Vertrieb"


def test_a_missing_section_lists_the_sections_there_are() -> None:
    with pytest.raises(MappingError, match=r"no \[leads\] section") as info:
        parse(EXAMPLE).table("leads")
    assert "opportunities, people" in info.value.hint


def test_a_mapping_file_that_is_missing_or_not_toml_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="file not found"):
        load_mapping(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[leads\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping(bad)


def test_source_files_resolve_relative_to_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "maps" / "m.toml"
    path.parent.mkdir()
    path.write_text('[orders.source]\nfile = "../data/o.csv"\n', encoding="utf-8")
    assert load_mapping(path).table("orders").source_path() == tmp_path / "data" / "o.csv"
    with pytest.raises(MappingError, match="no file given"):
        parse("[orders.columns]\n").table("orders").source_path()


def plan(
    mapping: TableMapping, header: list[str], duplicates: dict[str, int] | None = None
) -> tuple[list[Any] | None, IssueLog]:
    log = IssueLog(file="f.csv", max_examples=20)
    plans = plan_columns(
        mapping,
        TABLES[mapping.table],
        header=header,
        duplicates=duplicates or {},
        log=log,
        header_row=1,
    )
    return plans, log


def test_canonical_headers_need_no_mapping_and_absent_optional_columns_are_empty() -> None:
    plans, log = plan(TableMapping("orders"), ["order_id", "account_id", "ordered_at", "amount"])
    assert plans is not None
    assert not log.issues()
    assert {p.column.name: p.source for p in plans} == {
        "order_id": "order_id",
        "account_id": "account_id",
        "ordered_at": "ordered_at",
        "amount": "amount",
        "product_id": None,
    }


def test_missing_required_and_missing_mapped_columns_are_e102_on_the_header_row() -> None:
    mapping = parse("[orders.columns]\nproduct_id = 'SKU'\n").table("orders")
    plans, log = plan(mapping, ["order_id", "ordered_at", "amount"])
    assert plans is None
    assert [(i.code, i.row, i.column) for i in log.issues()] == [
        (IssueCode.E102, 1, "account_id"),
        (IssueCode.E102, 1, "SKU"),
    ]
    assert "'order_id', 'ordered_at', 'amount'" in log.issues()[0].hint


def test_a_duplicated_header_is_ambiguous_unless_mapped_by_position() -> None:
    header = ["order_id", "account_id", "ordered_at", "amount__1", "amount__2"]
    plans, log = plan(TableMapping("orders"), header, {"amount": 2})
    assert plans is None
    assert [(i.code, i.column) for i in log.issues()] == [(IssueCode.E105, "amount")]
    mapping = parse("[orders.columns]\namount = 'amount__2'\n").table("orders")
    plans, log = plan(mapping, header, {"amount": 2})
    assert plans is not None
    assert next(p.source for p in plans if p.column.name == "amount") == "amount__2"


_NAME = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@st.composite
def rules(draw: st.DrawFn, table: str) -> tuple[tuple[str, ColumnRule], ...]:
    out = []
    for col in TABLES[table]:
        if not draw(st.booleans()):
            continue
        kind = draw(
            st.sampled_from(["column", "row_number"] if col.type == "string" else ["column"])
        )
        values = tuple(draw(st.dictionaries(_NAME, _NAME, max_size=3)).items())
        formats = (
            tuple(draw(st.lists(_NAME, max_size=2))) if col.type in ("timestamp", "date") else ()
        )
        decimal, thousands = (
            (",", draw(st.sampled_from([None, ".", " "])))
            if col.type in ("float64", "int64") and draw(st.booleans())
            else (".", None)
        )
        out.append(
            (
                col.name,
                ColumnRule(
                    column=draw(_NAME) if kind == "column" else None,
                    row_number=kind == "row_number",
                    prefix=draw(_NAME) if col.type == "string" and draw(st.booleans()) else "",
                    values=values,
                    formats=formats,
                    decimal=decimal,
                    thousands=thousands,
                ),
            )
        )
    return tuple(out)


@st.composite
def mappings(draw: st.DrawFn) -> ImportMapping:
    tables = {}
    for name in draw(st.lists(st.sampled_from(sorted(TABLES)), unique=True, max_size=3)):
        header = draw(st.booleans())
        source = SourceOptions(
            file=draw(st.none() | _NAME),
            delimiter=draw(st.none() | st.sampled_from([",", ";", "\t", "|", "whitespace"])),
            header=header,
            names=None
            if header
            else draw(st.none() | st.lists(_NAME, min_size=1, max_size=3, unique=True).map(tuple)),
            encoding=draw(st.none() | st.sampled_from(["utf-8", "cp1252"])),
            timezone=draw(st.none() | st.sampled_from(["UTC", "Europe/Paris"])),
            sheet=draw(st.none() | _NAME),
        )
        tables[name] = TableMapping(name, source, draw(rules(name)))
    return ImportMapping(None, tables)


@given(mappings())
def test_a_mapping_survives_a_round_trip_through_toml(mapping: ImportMapping) -> None:
    text = to_toml(mapping)
    assert parse_mapping(tomllib.loads(text), file="m.toml") == mapping
