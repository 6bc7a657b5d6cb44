"""Reach the facts from a request: the workspace, its settings, and cached report calls.

Computed results are cached per workspace and data version. The version
changes when the warehouse file changes (an import from the CLI), when an
import lands through the Data page (`ImportRecord`), and with the settings
the call is made with (owner's goal and SLA terms included), so a cached
report is never stale and nothing needs to be invalidated by hand. Remote
warehouses (PostgreSQL, Spark) also roll over every five minutes.

A missing table or workspace is not an error on a page: `cached_facts`
returns a `Facts` whose ``missing`` says what to import or set up.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.conf import settings as django_settings
from django.core.cache import cache
from ibis.backends import BaseBackend

from coparent import warehouse as _warehouse
from coparent.app.common.memo import memo
from coparent.errors import CoparentError, MissingDataError, WarehouseBusy, WorkspaceError
from coparent.settings import Settings, SettingSource
from coparent.workspace import Workspace

__all__ = [
    "Facts",
    "WarehouseBusy",
    "cached_facts",
    "cached_value",
    "core_settings",
    "core_settings_sourced",
    "data_version",
    "warehouse",
    "workspace",
]

T = TypeVar("T")


# `WarehouseBusy` lives in coparent.errors; it is re-exported here for older imports.

_LOCKS = tuple(threading.Lock() for _ in range(32))  # one computation per key at a time
_REMOTE_TTL = 300


@dataclass(frozen=True)
class Facts(Generic[T]):
    """A computed result, or why there is none (``missing`` + ``hint``: what to import).

    ``error`` keeps a user error a page shows as its message (a period the data
    do not reach) so the API can answer with its own code and status.
    """

    value: T | None
    missing: str = ""
    hint: str = ""
    error: CoparentError | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.missing


def workspace() -> Workspace:
    return Workspace(Path(django_settings.COPARENT_WORKSPACE))


def core_settings(
    ws: Workspace | None = None,
    *,
    overrides: Mapping[str, str] | None = None,
    app: Mapping[str, str] | None = None,
) -> Settings:
    """The workspace's settings, the app's decisions ``app``, ``coparent serve --setting``,
    then ``overrides``: the CLI's precedence (`coparent.settings.load_settings_sourced`)."""
    return core_settings_sourced(ws, overrides=overrides, app=app)[0]


def core_settings_sourced(
    ws: Workspace | None = None,
    *,
    overrides: Mapping[str, str] | None = None,
    app: Mapping[str, str] | None = None,
) -> tuple[Settings, dict[str, SettingSource]]:
    """`core_settings` and where each value came from."""
    ws = ws or workspace()
    merged = {**django_settings.COPARENT_SETTING_OVERRIDES, **(overrides or {})}
    decided = dict(app or {})
    key = "settings:" + json.dumps([str(ws.path), merged, decided], sort_keys=True)
    return memo(key, lambda: ws.settings_sourced(merged, app=decided))


def _warehouse_files(ws: Workspace, settings: Settings) -> list[Path] | None:
    main = _warehouse.duckdb_file(ws.warehouse_url(settings))
    if main is None:
        return None
    return [main, main.with_name(main.name + ".wal")]


def data_version(ws: Workspace, settings: Settings) -> str:
    """Changes whenever the facts may have changed (see the module docstring)."""
    return memo(
        f"data_version:{ws.path}:{settings.warehouse_url}", lambda: _data_version(ws, settings)
    )


def _data_version(ws: Workspace, settings: Settings) -> str:
    from django.db.models import Max

    from coparent.app.imports.models import ImportRecord

    parts: list[object] = [str(ws.path)]
    files = _warehouse_files(ws, settings)
    if files is None:
        parts.append(int(time.time() // _REMOTE_TTL))
    else:
        for f in files:
            try:
                st = f.stat()
            except OSError:
                parts.append(0)
            else:
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
    loaded = ImportRecord.objects.filter(outcome=ImportRecord.Outcome.LOADED)
    parts.append(loaded.aggregate(last=Max("pk"))["last"] or 0)
    return ":".join(str(p) for p in parts)


@contextmanager
def warehouse(ws: Workspace, settings: Settings, *, write: bool = False) -> Iterator[BaseBackend]:
    """A connection for one computation, closed afterwards (the file stays free between).

    `Workspace.open`: reads open a DuckDB file read-only, so several server
    processes read at once; opening waits ``warehouse_wait_seconds`` for a file
    another process holds, then raises `WarehouseBusy` (503).
    """
    with ws.open(settings, write=write) as con:
        yield con


def _key(kind: str, version: str, settings: Settings, params: Mapping[str, Any]) -> str:
    blob = json.dumps([kind, version, repr(settings), params], sort_keys=True, default=str)
    return "coparent:facts:" + hashlib.sha256(blob.encode()).hexdigest()


def cached_facts(
    kind: str,
    compute: Callable[[BaseBackend], T],
    *,
    params: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    ws: Workspace | None = None,
) -> Facts[T]:
    """``compute(con)`` once per data version, settings and ``params``; then from the cache."""
    ws = ws or workspace()
    if not ws.exists():
        return Facts(
            None,
            missing=f"there is no workspace at {ws.path} yet",
            hint=f"create it and import data: coparent init --workspace {ws.path}",
        )
    resolved = settings or core_settings(ws)

    def produce() -> T:
        with warehouse(ws, resolved) as con:
            return compute(con)

    return cached_value(kind, produce, params=params, settings=resolved, ws=ws)


def cached_value(
    kind: str,
    produce: Callable[[], T],
    *,
    params: Mapping[str, Any] | None = None,
    settings: Settings,
    ws: Workspace,
) -> Facts[T]:
    """Like `cached_facts` for anything derived from facts (e.g. chart fragments)."""
    key = _key(kind, data_version(ws, settings), settings, params or {})
    hit = cache.get(key)
    if hit is not None:
        return Facts(*hit)
    with _LOCKS[int(key[-4:], 16) % len(_LOCKS)]:
        hit = cache.get(key)
        if hit is not None:
            return Facts(*hit)
        try:
            stored: tuple[Any, str, str] = (produce(), "", "")
        except (MissingDataError, WorkspaceError) as exc:
            stored = (None, exc.message, exc.hint)
        cache.set(key, stored, django_settings.COPARENT_REPORT_CACHE_SECONDS)
    return Facts(*stored)
