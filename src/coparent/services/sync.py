"""Live CRM sync as a use case: connect a source, test it, and sync it into the warehouse.

`sync_run` pulls the changes (`coparent.sync.pull`), loads the export-shaped
files through `import_export_folder` (the presets' mappings, value checks,
reference checks and one warehouse transaction: a sync lands whole or not at
all) and only after the commit moves the cursors (`coparent.sync.state_save`).
A rejected sync reports each problem by object, record id and API field
(``hubspot/deals/301:dealstage: error ingest.E206: ...``) instead of the
file, row and column of the files it wrote.

Secrets: the token goes from the connection to the client's Authorization
header and nowhere else; no message, summary or state file holds it.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coparent.errors import ImportRejected, SyncAuthError, SyncError
from coparent.ingest.issues import Issue
from coparent.services.export_imports import ExportImportResult, import_export_folder
from coparent.settings import Settings
from coparent.sync import (
    CallPolicy,
    ObjectCounts,
    Progress,
    Pulled,
    SyncState,
    clean_generations,
    connection_load,
    connection_save,
    pull,
    state_load,
    state_save,
    sync_folder,
)
from coparent.sync.hubspot import CREDENTIAL, ENV_TOKEN, HubSpotConnector, hubspot_check
from coparent.workspace import Workspace

__all__ = [
    "SOURCES",
    "SyncResult",
    "connection_store",
    "connection_test",
    "sync_run",
]

SOURCES = ("hubspot",)
"""Sources `coparent sync` knows (Salesforce and Pipedrive plug in here)."""

_ENV = {"hubspot": ENV_TOKEN}
_CREDENTIAL = {"hubspot": CREDENTIAL}


@dataclass
class SyncResult:
    """What a sync did, per object and per canonical table."""

    source: str
    full: bool
    checked_only: bool
    counts: dict[str, ObjectCounts]
    tables: dict[str, str]
    """Object -> the canonical table its export fills."""
    rows: dict[str, int]
    """Rows loaded per table (people: the owners added)."""
    warnings: tuple[Issue, ...] = ()
    seconds: float = 0.0
    retries: dict[str, int] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary: rows read, changed, deleted and skipped per table."""
        tables: dict[str, dict[str, Any]] = {}
        for obj, c in self.counts.items():
            table = self.tables[obj]
            loaded = self.rows.get(table, 0)
            tables[table] = {
                "object": obj,
                "read": c.read,
                "changed": c.changed,
                "deleted": c.deleted,
                "skipped": max(0, c.records - loaded) if c.records else 0,
                "rows": loaded,
            }
        for table, n in self.rows.items():
            tables.setdefault(table, {"rows": n})
        return {
            "source": self.source,
            "full": self.full,
            "checked_only": self.checked_only,
            "seconds": round(self.seconds, 3),
            "tables": tables,
            "retries": dict(self.retries),
            "cursors": dict(self.cursors),
            "warnings": [i.format() for i in self.warnings],
        }


def _require_source(source: str) -> None:
    if source not in SOURCES:
        raise SyncError(
            f"unknown source {source!r}",
            source=source,
            hint="sources: " + ", ".join(SOURCES),
        )


def connection_store(
    ws: Workspace, *, source: str, secret: str | None, base_url: str | None
) -> Path:
    """Store a source's connection in the workspace (the secret file at mode 600)."""
    _require_source(source)
    return connection_save(ws.path, source=source, secret=secret, base_url=base_url)


def _connector(
    ws: Workspace,
    settings: Settings,
    *,
    source: str,
    base_url: str | None,
    environ: Mapping[str, str] | None,
) -> HubSpotConnector:
    _require_source(source)
    conn = connection_load(
        ws.path, source=source, env_var=_ENV[source], environ=environ, base_url=base_url
    )
    if not conn.secret:
        raise SyncAuthError(
            f"no {source} token: set {_ENV[source]} or store one",
            source=source,
            credential=_CREDENTIAL[source],
            hint=f"run coparent connect {source}, or set {_ENV[source]}",
        )
    policy = CallPolicy(
        source,
        _CREDENTIAL[source],
        timeout=settings.sync_timeout_seconds,
        deadline=settings.sync_deadline_seconds,
    )
    return HubSpotConnector(token=conn.secret, base_url=conn.base_url, policy=policy)


def connection_test(
    ws: Workspace,
    settings: Settings,
    *,
    source: str,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[tuple[str, bool, str]]:
    """(object, readable, note) for each object the sync reads; `SyncAuthError` on a bad token."""
    connector = _connector(ws, settings, source=source, base_url=base_url, environ=environ)
    return hubspot_check(connector)


@contextmanager
def _locked(root: Path, source: str) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncError(
                f"another {source} sync is running in this workspace",
                source=source,
                hint="wait for it to finish",
            ) from None
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_run(
    ws: Workspace,
    settings: Settings,
    *,
    source: str = "hubspot",
    full: bool = False,
    check: bool = False,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> SyncResult:
    """Sync ``source`` into the warehouse, whole or not at all; ``check`` writes nothing.

    Incremental unless ``full`` or the first time. `ImportRejected` lists every
    problem located by object, record id and field; the warehouse, the
    mirror and the cursors are then as they were.
    """
    started = time.perf_counter()
    if not ws.exists():  # fail before any call to the CRM
        from coparent.errors import WorkspaceError

        raise WorkspaceError(
            f"no workspace at {ws.path}", hint=f"create one: coparent init --workspace {ws.path}"
        )
    connector = _connector(ws, settings, source=source, base_url=base_url, environ=environ)
    root = sync_folder(ws.path, source)
    with _locked(root, source):
        state = state_load(ws.path, source)
        clean_generations(root, keep=state.generation)
        pulled: Pulled | None = None
        try:
            pulled = pull(
                connector,
                root=root,
                state=state,
                full=full,
                overlap_seconds=settings.sync_overlap_seconds,
                progress=progress,
            )
            loaded = _load(
                ws,
                settings,
                pulled,
                preset=connector.preset,
                check=check,
                source=source,
                connector=connector,
            )
        except BaseException:
            clean_generations(root, keep=state.generation)
            raise
        result = SyncResult(
            source,
            pulled.full,
            check,
            pulled.counts,
            {o.name: o.table for o in connector.objects},
            dict(loaded.rows),
            tuple(_locate(i, pulled, connector) for i in loaded.issues),
            time.perf_counter() - started,
            dict(connector.policy.retries),
            dict(pulled.cursors),
        )
        if check:
            shutil.rmtree(pulled.folder, ignore_errors=True)
            return result
        last = result.summary()
        last["finished_at"] = datetime.now(UTC).isoformat()
        state_save(ws.path, source, SyncState(pulled.generation, pulled.cursors, last))
        return result


def _load(
    ws: Workspace,
    settings: Settings,
    pulled: Pulled,
    *,
    preset: str,
    check: bool,
    source: str,
    connector: HubSpotConnector,
) -> ExportImportResult:
    if not pulled.files:
        raise SyncError(
            f"{source} returned no companies, contacts or deals",
            source=source,
            hint="check that the token's portal holds records, and the token's scopes "
            f"(coparent connect {source} --test)",
        )
    try:
        with ws.open(settings, write=not check) as con:
            return import_export_folder(
                con,
                folder=pulled.export,
                preset=preset,
                mode="replace",
                check=check,
                settings=settings,
                timezone="UTC",
            )
    except ImportRejected as exc:
        located = [_locate(i, pulled, connector) for i in exc.issues]
        raise ImportRejected(located, file=f"{source} sync") from None


def _locate(issue: Issue, pulled: Pulled, connector: HubSpotConnector) -> Issue:
    """An issue on an export-shaped file, moved to (object, record id, API field)."""
    where = pulled.files.get(issue.file)
    if where is None:
        return issue
    obj, ids = where
    record = None
    if issue.row is not None and 2 <= issue.row < len(ids) + 2:
        record = ids[issue.row - 2]
    location = f"{connector.source}/{obj}" + (f"/{record}" if record else "")
    column = connector.field_of(obj, issue.column) if issue.column else None
    message = _ROWS.sub(lambda m: _record_ids(m, obj, ids), issue.message)
    return dataclasses.replace(issue, file=location, row=None, column=column, message=message)


_ROWS = re.compile(r"\(rows? ([\d, ]+)([^)]*)\)")


def _record_ids(match: re.Match[str], obj: str, ids: list[str]) -> str:
    """``(rows 4, 7, ...)`` in a message, as the record ids of those rows."""
    named = [
        ids[int(n) - 2] if 2 <= int(n) < len(ids) + 2 else n
        for n in re.findall(r"\d+", match.group(1))
    ]
    return f"({obj} {', '.join(named)}{match.group(2)})"
