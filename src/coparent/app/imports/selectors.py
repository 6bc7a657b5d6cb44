"""Reads for the Data page: freshness per table, past imports, stored mappings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from coparent.app.common.facts import Facts, cached_facts, workspace
from coparent.app.imports.models import ImportJob, ImportRecord
from coparent.app.imports.services import MAPPINGS_DIR
from coparent.schema import IMPORT_ORDER, TABLES
from coparent.services.web_facts import table_freshness

__all__ = ["data_overview_get", "import_jobs_running", "imports_recent", "mapping_names"]


def imports_recent(*, limit: int = 15) -> QuerySet[ImportRecord]:
    return ImportRecord.objects.select_related("user").order_by("-at", "-pk")[:limit]


def import_jobs_running() -> QuerySet[ImportJob]:
    """Import jobs not finished yet (the Data page links to each)."""
    unfinished = ImportJob.objects.exclude(status__in=ImportJob.FINISHED)
    return unfinished.select_related("user").order_by("-created_at", "-pk")


def mapping_names() -> list[str]:
    """Mapping files kept in ``<workspace>/mappings/`` (pick one instead of uploading it)."""
    folder = workspace().path / MAPPINGS_DIR
    return sorted(p.name for p in folder.glob("*.toml")) if folder.is_dir() else []


def data_overview_get() -> tuple[list[dict[str, Any]], Facts[list[dict[str, Any]]]]:
    """One row per canonical table: rows, newest date, last import through the app, its doc."""
    facts = cached_facts("freshness", table_freshness, params={})
    present = {r["table"]: r for r in facts.value or []}
    last: dict[str, ImportRecord] = {}
    for rec in ImportRecord.objects.filter(outcome=ImportRecord.Outcome.LOADED).order_by("-at"):
        for table in rec.table.split(", "):  # an export's record names every table it filled
            last.setdefault(table, rec)
    rows = []
    for name in IMPORT_ORDER:
        row = present.get(name)
        rows.append(
            {
                "table": name,
                "doc": TABLES[name].doc,
                "present": row is not None,
                "rows": row["rows"] if row else None,
                "latest": row["latest"] if row else None,
                "last_import": last.get(name),
            }
        )
    return rows, facts
