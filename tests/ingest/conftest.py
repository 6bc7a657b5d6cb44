"""A small warehouse with a few rows in each table the ingest tests refer to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.schema import TABLES

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
SHARED = Path(__file__).parents[2] / ".." / "shared" / "data"

SEED: dict[str, dict[str, list[object]]] = {
    "people": {
        "person_id": ["u1", "u2"],
        "name": ["Ann", "Bob"],
        "email": [None, None],
        "team": ["sales", "marketing"],
        "title": [None, None],
        "active": [True, True],
    },
    "products": {
        "product_id": ["GTX Pro", "MG Special"],
        "name": ["GTX Pro", "MG Special"],
        "family": ["GTX", "MG"],
        "list_price": [4821.0, 55.0],
    },
    "accounts": {
        "account_id": ["acme", "globex"],
        "name": ["Acme", "Globex"],
        "industry": [None, None],
        "employees": [10, 20],
        "region": [None, None],
        "created_at": [pa.scalar(0, pa.timestamp("us")).as_py()] * 2,
    },
    "opportunities": {
        "opportunity_id": ["old1", "old2"],
        "account_id": ["acme", "globex"],
        "lead_id": [None, None],
        "product_id": ["GTX Pro", None],
        "owner_id": ["u1", "u2"],
        "created_at": [pa.scalar(0, pa.timestamp("us")).as_py()] * 2,
        "closed_at": [None, None],
        "stage": ["Won", "Engaging"],
        "status": ["won", "open"],
        "amount": [10.0, None],
        "loss_reason": [None, None],
    },
}


def seed_table(name: str) -> pa.Table:
    return pa.table(SEED[name], schema=TABLES[name].arrow_schema())


def snapshot(con: BaseBackend) -> dict[str, pa.Table]:
    """Every table with its rows, to prove an import changed nothing."""
    return {name: con.table(name).to_pyarrow() for name in sorted(con.list_tables())}


@pytest.fixture
def con() -> Iterator[BaseBackend]:
    """An in-memory warehouse holding people, products, accounts and two opportunities."""
    backend = warehouse.connect("duckdb://")
    for name in SEED:
        warehouse.write_table(backend, name, seed_table(name))
    yield backend
    backend.disconnect()


@pytest.fixture
def empty_con() -> Iterator[BaseBackend]:
    backend = warehouse.connect("duckdb://")
    yield backend
    backend.disconnect()
