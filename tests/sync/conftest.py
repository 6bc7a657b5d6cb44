"""A fake HubSpot on a local port, a workspace, and a way to read the canonical tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from pytest_httpserver import HTTPServer

from coparent.settings import Settings
from coparent.workspace import Workspace
from tests.sync.fake_hubspot import FakeHubSpot

TOKEN = "pat-na1-0f4c9e3a-7d21-4b8e-9c55-s3cr3t70k3n"


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeHubSpot]:
    portal = FakeHubSpot.from_portal(TOKEN)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(
        lambda request: portal.handle(request)
    )
    return portal


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    return httpserver.url_for("").rstrip("/")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path / "ws")
    w.init()
    return w


def quick(**kw: object) -> Settings:
    """Settings with short deadlines, so failing tests fail fast."""
    base = {"sync_timeout_seconds": 5.0, "sync_deadline_seconds": 30.0}
    base.update(kw)  # type: ignore[arg-type]
    return Settings(**base)  # type: ignore[arg-type]


def tables(ws: Workspace, names: tuple[str, ...] = ()) -> dict[str, pa.Table]:
    """The canonical tables in the warehouse, rows sorted, for comparing two warehouses."""
    from coparent.schema import TABLES

    out = {}
    with ws.open(ws.settings()) as con:
        present = set(con.list_tables())
        for name in names or tuple(TABLES):
            if name not in present:
                continue
            t = con.table(name).to_pyarrow()
            out[name] = t.sort_by([(c, "ascending") for c in t.column_names])
    return out
