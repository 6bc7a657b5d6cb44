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
    Lookup,
    SourceOptions,
    TableMapping,
    check_value_maps,
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
        # reading options
        ("[leads.source]\nskip_rows = -1", "leads.source.skip_rows", "0 or more"),
        ("[leads.source]\nskip_rows = '2'", "leads.source.skip_rows", "whole number"),
        ("[leads.source]\nmember = 3", "leads.source.member", "expected a text"),
        ("[leads.source]\nnull_values = 'N/A'", "leads.source.null_values", "list of texts"),
        # defaults
        (
            "[leads.columns]\nchannel = { value = 'a', default = 'b' }",
            "leads.columns.channel.default",
            "never empty",
        ),
        (
            "[leads.columns]\nlead_id = { row_number = true, default = 'b' }",
            "leads.columns.lead_id.default",
            "never empty",
        ),
        (
            "[leads.columns]\nchannel = { column = 'a', default = '' }",
            "leads.columns.channel.default",
            "cannot be empty",
        ),
        (
            "[orders.columns]\namount = { column = 'a', default = 'lots' }",
            "orders.columns.amount.default",
            "not valid for amount",
        ),
        (
            "[people.columns]\nteam = { column = 'a', default = 'sellers' }",
            "people.columns.team.default",
            "not valid for team",
        ),
        # computed columns
        (
            "[orders.columns]\namount = { column = 'a', expr = 'b' }",
            "orders.columns.amount",
            "exactly one",
        ),
        (
            "[orders.columns]\namount = { expr = '' }",
            "orders.columns.amount.expr",
            "expected an expression",
        ),
        (
            "[orders.columns]\namount = { expr = 'qty * ' }",
            "orders.columns.amount.expr",
            "at character 7",
        ),
        (
            "[orders.columns]\namount = { expr = 'qty ** 2' }",
            "orders.columns.amount.expr",
            "expected a value",
        ),
        (
            "[orders.columns]\namount = { expr = 'sqrt(qty)' }",
            "orders.columns.amount.expr",
            "unknown function 'sqrt'",
        ),
        (
            "[orders.columns]\namount = { expr = 'round()' }",
            "orders.columns.amount.expr",
            "takes 1 to 2 argument",
        ),
        (
            "[orders.columns]\namount = { expr = \"year(date(d, '%Q'))\" }",
            "orders.columns.amount.expr",
            "not a date format",
        ),
        (
            '[orders.columns]\namount = { expr = "number(a, b)" }',
            "orders.columns.amount.expr",
            "must be a quoted text",
        ),
        (
            "[orders.columns]\namount = { expr = \"number(a, ',,')\" }",
            "orders.columns.amount.expr",
            "one character",
        ),
        (
            '[orders.columns]\namount = { expr = "a; drop table orders" }',
            "orders.columns.amount.expr",
            "unexpected ';'",
        ),
        (
            '[orders.columns]\namount = { expr = "\'unclosed" }',
            "orders.columns.amount.expr",
            "never closed",
        ),
        (
            "[orders.columns]\naccount_id = { expr = 'Customer ID' }",
            "orders.columns.account_id.expr",
            "backquotes",
        ),
        (
            "[orders.columns]\naccount_id = { expr = 'empty' }",
            "orders.columns.account_id.expr",
            "keyword",
        ),
        (
            '[orders.columns]\naccount_id = { expr = "a in (b)" }',
            "orders.columns.account_id.expr",
            "only literals",
        ),
        # filters
        ("[orders.filter]\nkeep = 3", "orders.filter.keep", "a condition"),
        ("[orders.filter]\nwhere = 'a'", "orders.filter.where", "unknown key"),
        ("[orders.filter]\ndrop = ['a =']", "orders.filter.drop", "at character 4"),
        # lookups
        ("[orders.lookups.x]\nkey = 'k'\non = 'a'", "orders.lookups.x.file", "needs the file"),
        ("[orders.lookups.x]\nfile = 'f.csv'\non = 'a'", "orders.lookups.x.key", "expected a text"),
        ("[orders.lookups.x]\nfile = 'f.csv'\nkey = 'k'", "orders.lookups.x.on", "expected a text"),
        (
            "[orders.lookups.x]\nfile = 'f.csv'\nkey = 'k'\non = 'a b'",
            "orders.lookups.x.on",
            "backquotes",
        ),
        (
            "[orders.lookups.\"my deals\"]\nfile = 'f.csv'\nkey = 'k'\non = 'a'",
            "orders.lookups.my deals",
            "plain name",
        ),
        (
            "[orders.lookups.x]\nfile = 'f.csv'\nkey = 'k'\non = 'a'\ntimezone = 'UTC'",
            "orders.lookups.x.timezone",
            "source's time zone",
        ),
        (
            "[orders.lookups.x]\nfile = 'f.csv'\nkey = 'k'\non = 'a'\nkeys = 'k'",
            "orders.lookups.x.keys",
            "unknown key",
        ),
        ("[orders.lookups]\nx = 3", "orders.lookups.x", "expected a table"),
    ],
)
def test_every_mistake_in_a_mapping_names_its_key(text: str, key: str, fragment: str) -> None:
    with pytest.raises(MappingError) as info:
        parse(text)
    assert info.value.key == key
    assert fragment in str(info.value) + " " + info.value.hint


def test_filters_lookups_defaults_and_expressions_are_read_in_order() -> None:
    m = parse(
        """
[orders.source]
skip_rows = 2
member = "orders.csv"
null_values = [" - ", "N/A"]

[orders.filter]
keep = "qty > 0"
drop = ["starts_with(invoice, 'C')", "customer is empty"]

[orders.lookups.customers]
file = "customers.csv.gz"
key = "id"
on = "lower(customer)"
delimiter = ";"

[orders.columns]
amount = { expr = "qty * price" }
account_id = { column = "customer", default = "walk-in" }
"""
    ).table("orders")
    assert m.source == SourceOptions(skip_rows=2, member="orders.csv", null_values=("-", "N/A"))
    assert m.filters == (
        ("keep", "qty > 0"),
        ("drop", "starts_with(invoice, 'C')"),
        ("drop", "customer is empty"),
    )
    (lookup,) = m.lookups
    assert (lookup.name, lookup.key, lookup.on) == ("customers", "id", "lower(customer)")
    assert lookup.source == SourceOptions(file="customers.csv.gz", delimiter=";")
    assert m.rule("amount")[0] == ColumnRule(expr="qty * price")
    assert m.rule("account_id")[0].default == "walk-in"
    assert m.derives
    assert not parse("[orders.columns]\namount = 'a'").table("orders").derives


def test_a_values_key_that_the_reader_empties_is_refused_once_the_null_words_are_known() -> None:
    m = parse("[leads.columns]\nchannel = { column = 'c', values = { 'N/A' = 'none' } }")
    with pytest.raises(MappingError) as info:
        check_value_maps(m.table("leads"), null_values=("", "N/A"))
    assert info.value.key == "leads.columns.channel.values.N/A"
    assert 'the key ""' in info.value.hint
    check_value_maps(m.table("leads"), null_values=("",))


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


_EXPRS = st.sampled_from(
    [
        "qty * price",
        "concat(`First Name`, ' ', last)",
        "coalesce(a, deals.b, 'x''y')",
        "year(date(d, '%d/%m/%Y')) >= 2020 and not (c is empty)",
        'status not in ("Void", "Cancelled")',
    ]
)


@st.composite
def derivations(draw: st.DrawFn, table: str) -> dict[str, Any]:
    """Filters, lookups and computed or defaulted columns that survive the round trip."""
    out: dict[str, Any] = {}
    filters = draw(st.lists(st.tuples(st.sampled_from(["keep", "drop"]), _EXPRS), max_size=3))
    out["filters"] = tuple(sorted(filters, key=lambda f: f[0] != "keep"))
    names = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), unique=True, max_size=2)
    )
    out["lookups"] = tuple(
        Lookup(
            n,
            SourceOptions(
                file=draw(_NAME), skip_rows=draw(st.integers(0, 3)), member=draw(st.none() | _NAME)
            ),
            draw(_NAME.filter(str.strip)),  # a blank key is refused, rightly
            draw(_EXPRS),
        )
        for n in names
        if n not in ("and", "or", "not", "in", "is")
    )
    text = [c for c in TABLES[table] if c.type == "string" and c.values is None]
    columns = []
    for col in text[: draw(st.integers(0, 2))]:
        columns.append(
            (col.name, ColumnRule(expr=draw(_EXPRS)))
            if draw(st.booleans())
            else (
                col.name,
                ColumnRule(column=draw(_NAME), default=draw(_NAME.map(str.strip).filter(bool))),
            )
        )
    out["columns"] = tuple(columns)
    return out


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
            skip_rows=draw(st.integers(0, 5)),
            member=draw(st.none() | _NAME),
            null_values=draw(st.none() | st.lists(_NAME.map(str.strip)).map(tuple)),
        )
        extra = draw(derivations(name))
        plain = tuple(r for r in draw(rules(name)) if r[0] not in dict(extra["columns"]))
        tables[name] = TableMapping(
            name,
            source,
            plain + extra["columns"],
            None,
            extra["filters"],
            extra["lookups"],
        )
    return ImportMapping(None, tables)


@given(mappings())
def test_a_mapping_survives_a_round_trip_through_toml(mapping: ImportMapping) -> None:
    text = to_toml(mapping)
    assert parse_mapping(tomllib.loads(text), file="m.toml") == mapping
