"""The report cache: computed once per data version and settings, recomputed when data lands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from coparent.app.common.facts import cached_facts, core_settings, data_version, workspace
from coparent.app.imports.models import ImportRecord
from coparent.errors import MissingDataError

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, con: Any) -> list[str]:
        self.calls += 1
        return sorted(con.list_tables())


def test_a_report_is_computed_once_per_data_version(writable_workspace: Path) -> None:
    compute = Counter()
    first = cached_facts("tables", compute)
    again = cached_facts("tables", compute)
    assert first.ok
    assert first.value == again.value
    assert compute.calls == 1


def test_an_import_through_the_app_invalidates_the_cache(writable_workspace: Path) -> None:
    compute = Counter()
    cached_facts("tables", compute)
    ImportRecord.objects.create(
        table="leads", file_name="x.csv", outcome="rejected", at=timezone.now()
    )
    cached_facts("tables", compute)
    assert compute.calls == 1  # a rejected import changed nothing
    ImportRecord.objects.create(
        table="leads", file_name="x.csv", outcome="loaded", at=timezone.now()
    )
    cached_facts("tables", compute)
    assert compute.calls == 2


def test_a_change_to_the_warehouse_file_invalidates_the_cache(writable_workspace: Path) -> None:
    compute = Counter()
    cached_facts("tables", compute)
    wh = writable_workspace / "warehouse.duckdb"
    before = data_version(workspace(), core_settings())
    os.utime(wh, ns=(wh.stat().st_atime_ns, wh.stat().st_mtime_ns + 1_000_000_000))
    assert data_version(workspace(), core_settings()) != before
    cached_facts("tables", compute)
    assert compute.calls == 2


def test_different_settings_or_params_are_different_entries(writable_workspace: Path) -> None:
    compute = Counter()
    cached_facts("tables", compute)
    cached_facts("tables", compute, settings=core_settings(overrides={"sales_sla_hours": "3"}))
    cached_facts("tables", compute, params={"period": "2026-Q2"})
    assert compute.calls == 3


def test_missing_data_is_an_empty_state_not_an_error(writable_workspace: Path) -> None:
    def missing(con: Any) -> None:
        raise MissingDataError("no leads yet", hint="import leads")

    facts = cached_facts("missing", missing)
    assert (facts.ok, facts.missing, facts.hint) == (False, "no leads yet", "import leads")


def test_no_workspace_says_how_to_create_one(settings: Any, tmp_path: Path) -> None:
    settings.COPARENT_WORKSPACE = str(tmp_path / "none")
    facts = cached_facts("tables", Counter())
    assert "no workspace" in facts.missing
    assert "coparent init" in facts.hint


def test_serve_time_setting_overrides_apply(writable_workspace: Path, settings: Any) -> None:
    settings.COPARENT_SETTING_OVERRIDES = {"sales_sla_hours": "6"}
    assert core_settings().sales_sla_hours == 6.0
    assert core_settings(overrides={"sales_sla_hours": "2"}).sales_sla_hours == 2.0


def test_a_page_waits_like_the_cli_then_the_warehouse_is_busy_with_the_holder(
    empty_workspace: Path,
) -> None:
    """`warehouse()` is `Workspace.open`: the same wait, setting and `WarehouseBusy` (503)."""
    from coparent.app.common.facts import warehouse
    from coparent.errors import WarehouseBusy
    from tests.test_workspace import holding

    ws = workspace()
    with ws.open(core_settings(), write=True):  # create the file
        pass
    quick = core_settings(overrides={"warehouse_wait_seconds": "0.2"})
    with holding(empty_workspace / "warehouse.duckdb") as pid:
        with pytest.raises(WarehouseBusy) as info, warehouse(ws, quick):
            pass
        with pytest.raises(WarehouseBusy), warehouse(ws, quick, write=True):
            pass
    assert info.value.pid == pid
    assert info.value.status == 503
    with warehouse(ws, quick, write=True) as con:  # let go: free again
        assert con.list_tables() == []
