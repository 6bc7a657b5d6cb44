"""The example mappings load the public datasets in ../shared/data with the published counts."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyarrow.compute as pc
import pytest
from ibis.backends import BaseBackend

from coparent.errors import ImportRejected
from coparent.ingest.issues import IssueCode
from coparent.ingest.mapping import load_mapping, parse_mapping
from coparent.services.imports import import_file, import_mapped
from tests.conftest import needs_shared

from .conftest import SHARED

EXAMPLES = Path(__file__).parents[2] / "examples" / "mappings"
MAVEN = SHARED / "crm-sales-opportunities"
CDNOW = SHARED / "cdnow"

needs_maven = needs_shared(MAVEN / "sales_pipeline.csv", "Maven CRM dataset")
needs_cdnow = needs_shared(CDNOW / "CDNOW_master.txt", "CDNOW dataset")


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_every_example_mapping_is_valid_and_names_files_that_resolve_to_shared_data(
    name: str,
) -> None:
    mapping = load_mapping(EXAMPLES / name)
    for table in mapping.tables.values():
        path = table.source_path().resolve()
        assert path.is_relative_to((SHARED).resolve())


@needs_maven
def test_maven_crm_loads_8800_opportunities_with_the_published_won_lost_open_split(
    empty_con: BaseBackend,
) -> None:
    results = import_mapped(empty_con, mapping=EXAMPLES / "maven-crm.toml")
    assert [(r.table, r.rows) for r in results] == [
        ("people", 35),
        ("products", 7),
        ("accounts", 85),
        ("opportunities", 8800),
    ]
    opps = empty_con.table("opportunities")
    rows = opps.group_by("status").aggregate(n=opps.count()).to_pyarrow().to_pylist()
    counts = {r["status"]: r["n"] for r in rows}
    assert counts == {"won": 4238, "lost": 2473, "open": 2089}
    won = opps.filter(opps.status == "won").amount.sum().to_pyarrow().as_py()
    assert won == 10_005_534


@needs_maven
def test_maven_gaps_load_with_one_counted_warning_each_and_nothing_dropped(
    empty_con: BaseBackend,
) -> None:
    *_, opportunities = import_mapped(empty_con, mapping=EXAMPLES / "maven-crm.toml")
    gaps = {(i.code, i.column): i.count for i in opportunities.issues}
    assert gaps == {
        (IssueCode.W201, "account"): 1425,
        (IssueCode.W201, "engage_date"): 500,
        (IssueCode.W201, "close_value"): 2089,
    }
    products = empty_con.table("opportunities").product_id.to_pyarrow()
    assert "GTXPro" not in products.to_pylist()
    assert pc.sum(pc.equal(products, "GTX Pro")).as_py() > 0


@needs_maven
def test_maven_accounts_take_the_founding_year_as_created_at(empty_con: BaseBackend) -> None:
    import_mapped(empty_con, mapping=EXAMPLES / "maven-crm.toml", tables=["accounts"])
    acme = empty_con.table("accounts").filter(lambda t: t.account_id == "Acme Corporation")
    row = acme.to_pyarrow().to_pylist()[0]
    assert (row["created_at"].isoformat(), row["employees"], row["industry"]) == (
        "1996-01-01T00:00:00",
        2822,
        "technology",
    )


@needs_maven
def test_without_the_gtxpro_value_map_the_pipeline_is_rejected_with_e301(
    empty_con: BaseBackend,
) -> None:
    import_mapped(
        empty_con, mapping=EXAMPLES / "maven-crm.toml", tables=["people", "products", "accounts"]
    )
    raw = tomllib.loads((EXAMPLES / "maven-crm.toml").read_text(encoding="utf-8"))
    raw["opportunities"]["columns"]["product_id"] = "product"
    mapping = parse_mapping(raw, file="no-value-map.toml", origin=EXAMPLES / "maven-crm.toml")
    path = mapping.table("opportunities").source_path()
    with pytest.raises(ImportRejected) as info:
        import_file(empty_con, table="opportunities", path=path, mapping=mapping)
    errors = [i for i in info.value.issues if i.level == "error"]
    assert {i.code for i in errors} == {IssueCode.E301}
    assert {i.column for i in errors} == {"product"}
    assert errors[0].message == "opportunity for an unknown product 'GTXPro'"
    assert sum(i.count for i in errors) == 1480
    assert "opportunities" not in empty_con.list_tables()


@needs_cdnow
def test_cdnow_master_loads_69659_orders_with_ids_from_row_numbers(
    empty_con: BaseBackend,
) -> None:
    (result,) = import_mapped(empty_con, mapping=EXAMPLES / "cdnow-master.toml")
    assert result.rows == 69_659
    assert [(i.code, i.column) for i in result.issues] == [(IssueCode.W301, "customer_id")]
    orders = empty_con.table("orders").order_by("ordered_at").to_pyarrow()
    first = empty_con.table("orders").filter(lambda t: t.order_id == "cdnow-2").to_pyarrow()
    assert first.to_pylist()[0]["account_id"] == "00001"
    assert len(orders["account_id"].unique()) == 23_570
    assert str(orders["ordered_at"][0].as_py().date()) == "1997-01-01"
    assert str(orders["ordered_at"][-1].as_py().date()) == "1998-06-30"


@needs_cdnow
def test_cdnow_sample_without_a_header_loads_6919_orders_of_2357_customers(
    empty_con: BaseBackend,
) -> None:
    (result,) = import_mapped(empty_con, mapping=EXAMPLES / "cdnow-sample.toml")
    assert result.rows == 6_919
    orders = empty_con.table("orders").to_pyarrow()
    assert len(orders["account_id"].unique()) == 2_357
    first = empty_con.table("orders").filter(lambda t: t.order_id == "cdnow-sample-1")
    assert first.to_pyarrow().to_pylist()[0]["amount"] == pytest.approx(29.33)


AB = SHARED / "ab-test-landing-page"
needs_ab = needs_shared(AB / "ab_data.csv", "A/B test dataset")


@needs_maven
def test_maven_lookups_value_open_deals_at_list_price_and_filter_won_deals_into_orders(
    empty_con: BaseBackend,
) -> None:
    results = import_mapped(empty_con, mapping=EXAMPLES / "maven-crm-lookups.toml")
    assert [(r.table, r.rows, r.dropped) for r in results] == [
        ("people", 35, 0),
        ("products", 7, 0),
        ("accounts", 85, 0),
        ("opportunities", 8800, 0),
        ("orders", 4238, 4562),
    ]
    *_, opportunities, orders = results
    gaps = {(i.code, i.column): i.count for i in opportunities.issues}
    assert gaps == {(IssueCode.W201, "account"): 1425, (IssueCode.W201, "engage_date"): 500}
    (dropped,) = orders.issues
    assert dropped.code is IssueCode.W105
    assert dropped.message.startswith("dropped 4,562 of 8,800 rows that do not meet keep")
    opps = empty_con.table("opportunities")
    rows = opps.group_by("status").aggregate(n=opps.count(), total=opps.amount.sum())
    got = {r["status"]: (r["n"], r["total"]) for r in rows.to_pyarrow().to_pylist()}
    assert got == {"won": (4238, 10_005_534), "lost": (2473, 0), "open": (2089, 4_966_215)}
    assert "GTXPro" not in opps.product_id.to_pyarrow().to_pylist()
    won = empty_con.table("orders")
    assert won.amount.sum().to_pyarrow().as_py() == 10_005_534
    first = won.filter(won.order_id == "GTX-Z063OYW0").to_pyarrow().to_pylist()
    assert first[0]["product_id"] == "GTX Pro"
    person = empty_con.table("people").filter(lambda t: t.person_id == "Anna Snelling")
    title = person.to_pyarrow().to_pylist()[0]["title"]
    assert title == "Sales Agent, Central office (manager: Dustin Brinkmann)"


@needs_ab
def test_ab_test_mapping_reproduces_the_published_cleaning_with_every_drop_counted(
    empty_con: BaseBackend,
) -> None:
    (result,) = import_mapped(empty_con, mapping=EXAMPLES / "ab-test-landing-page.toml")
    assert (result.rows, result.dropped, result.rows + result.dropped) == (290_584, 3_894, 294_478)
    assert [(i.code, i.count) for i in result.issues] == [
        (IssueCode.W105, 3_893),
        (IssueCode.W105, 1),
    ]
    e = empty_con.table("experiments")
    rows = e.group_by("variant").aggregate(n=e.count(), won=e.converted.sum())
    got = {r["variant"]: (r["n"], r["won"]) for r in rows.to_pyarrow().to_pylist()}
    assert got == {"control": (145_274, 17_489), "treatment": (145_310, 17_264)}
