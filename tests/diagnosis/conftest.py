"""Warehouses for the diagnosis tests: the demo company per seed, and the Maven CRM data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import ibis
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.demo import DemoCompany, generate
from coparent.services.imports import import_file
from coparent.settings import Settings
from tests.conftest import require_shared

REPO = Path(__file__).resolve().parents[2]
MAVEN_MAPPING = REPO / "examples" / "mappings" / "maven-crm.toml"
MAVEN_FILES = (
    ("people", "sales_teams.csv"),
    ("products", "products.csv"),
    ("accounts", "accounts.csv"),
    ("opportunities", "sales_pipeline.csv"),
)
SEEDS = (0, 1, 2)


def load(company: DemoCompany, *, tables: tuple[str, ...] | None = None) -> BaseBackend:
    """A fresh in-memory DuckDB warehouse holding the demo's tables."""
    con = ibis.duckdb.connect()
    for name, table in company.tables.items():
        if tables is None or name in tables:
            warehouse.write_table(con, name, table)
    return con


@pytest.fixture(scope="session")
def demo() -> Callable[[int], DemoCompany]:
    """The small demo company per seed, generated once per test run."""
    cache: dict[int, DemoCompany] = {}

    def get(seed: int) -> DemoCompany:
        if seed not in cache:
            cache[seed] = generate("small", seed=seed)
        return cache[seed]

    return get


@pytest.fixture(scope="session")
def demo_con(demo: Callable[[int], DemoCompany]) -> Iterator[Callable[[int], BaseBackend]]:
    """A DuckDB warehouse with the demo company per seed (read-only in tests)."""
    cons: dict[int, BaseBackend] = {}

    def get(seed: int) -> BaseBackend:
        if seed not in cons:
            cons[seed] = load(demo(seed))
        return cons[seed]

    yield get
    for con in cons.values():
        con.disconnect()


@pytest.fixture
def maven_con(shared_data: Path) -> Iterator[BaseBackend]:
    """The Maven CRM Sales Opportunities data, imported through the example mapping."""
    folder = shared_data / "crm-sales-opportunities"
    require_shared(folder / "sales_pipeline.csv", "Maven CRM dataset")
    con = warehouse.connect("duckdb://")
    for table, file in MAVEN_FILES:
        import_file(
            con, table=table, path=folder / file, mapping=MAVEN_MAPPING, settings=Settings()
        )
    yield con
    con.disconnect()
