"""The source-neutral part of a live CRM sync: pull changes, merge them, write export files.

A connector (`Connector`: HubSpot today, Salesforce and Pipedrive to come)
knows its API: how to list every record of an object, the records changed
since a time, the archived or deleted ones, and how to render records as the
rows of the CRM's own export file. `pull` does the rest, the same for every
source:

1. read what changed since each object's cursor (everything with ``full``);
2. merge it into the records committed last time (the mirror: one Parquet
   file per object in the workspace), dropping archived or deleted records;
3. write the merged records as export-shaped Parquet files (the columns of
   the CRM's export), so the export presets map them exactly as they map a
   file the user exported by hand.

The caller (`coparent.services.sync`) loads those files through the import
path in one transaction and commits the new generation afterwards.

Why the whole mirror is loaded each time, not only the changed rows: the
warehouse then equals what a full sync gives by construction. Associations
to an archived record disappear, labels follow renamed stages and owners,
and the import's reference checks see every row, with no partial-update
write mode to keep in step with them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from coparent.sync._store import SyncState

__all__ = [
    "Connector",
    "ObjectCounts",
    "Progress",
    "Pulled",
    "Record",
    "SyncObject",
    "pull",
]

Progress = Callable[[str, int, int | None], None]
"""progress(object, records read so far, total when the API says)."""

_MIRROR_SCHEMA = pa.schema([("id", pa.string()), ("modified", pa.string()), ("data", pa.string())])


@dataclass(frozen=True)
class Record:
    """One CRM record as a connector read it: id, last modification (ISO 8601 UTC), and its
    data (properties, history, associations) as JSON-able values."""

    id: str
    modified: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class SyncObject:
    """An object a connector syncs (``deals``) and the canonical table its export fills."""

    name: str
    table: str


class Connector(Protocol):
    """What a CRM connector provides; everything else about a sync is shared."""

    source: str
    """``hubspot``: the command's SOURCE and the folder in the workspace."""
    preset: str
    """The preset family that reads the rendered files (``hubspot``)."""
    objects: tuple[SyncObject, ...]
    """In dependency order (companies before contacts before deals)."""

    def prepare(self) -> None:
        """Read what rendering needs besides records (owners, pipelines, labels)."""
        ...

    def changed(self, obj: str, *, since: datetime | None) -> Iterator[list[Record]]:
        """Pages of records of ``obj`` modified at or after ``since`` (every live one if None)."""
        ...

    def count(self, obj: str, *, since: datetime | None) -> int | None:
        """How many records `changed` will read, when one cheap call can say (for a progress
        bar; only asked for on a terminal)."""
        ...

    def removed(self, obj: str) -> Iterator[list[str]]:
        """Pages of ids of ``obj`` the CRM archived or deleted."""
        ...

    def render(
        self, obj: str, records: Sequence[Record], *, present: Mapping[str, frozenset[str]]
    ) -> pa.Table:
        """``records`` as the rows of the CRM's export of ``obj`` (string columns, the record id
        first); ``present`` holds the ids of every object, to drop associations to records
        that are gone."""
        ...

    def field_of(self, obj: str, header: str) -> str:
        """The API field behind an export header (for located problems)."""
        ...


@dataclass
class ObjectCounts:
    """Per object: records read from the API, changed (new or different), deleted, kept."""

    read: int = 0
    changed: int = 0
    deleted: int = 0
    records: int = 0


@dataclass
class Pulled:
    """A new generation, written but not committed."""

    generation: int
    folder: Path
    export: Path
    cursors: dict[str, str]
    counts: dict[str, ObjectCounts]
    full: bool
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """Export file path -> (object, record id of each row in order)."""


def pull(
    connector: Connector,
    *,
    root: Path,
    state: SyncState,
    full: bool,
    overlap_seconds: float,
    progress: Progress | None = None,
) -> Pulled:
    """Read the changes of every object and write a new generation under ``root``."""
    generation = max(state.generation, _newest_generation(root)) + 1
    folder = root / f"gen-{generation}"
    export = folder / "export"
    export.mkdir(parents=True)
    previous = state.folder(root)
    connector.prepare()
    pulled = Pulled(generation, folder, export, dict(state.cursors), {}, full or not state.cursors)
    merged: dict[str, dict[str, Record]] = {}
    for obj in connector.objects:
        name = obj.name
        counts = pulled.counts.setdefault(name, ObjectCounts())
        cursor = None if full else state.cursors.get(name)
        old = {} if previous is None else _read_mirror(previous / f"{name}.parquet")
        since = None
        if cursor is not None and old is not None:
            since = datetime.fromisoformat(cursor) - timedelta(seconds=overlap_seconds)
        records: dict[str, Record] = {} if since is None else dict(old or {})
        newest = cursor if since is not None else None
        total = connector.count(name, since=since) if progress is not None else None
        if progress is not None:
            progress(name, 0, total)
        for page in connector.changed(name, since=since):
            for r in page:
                counts.read += 1
                before = (old or {}).get(r.id)
                if before is None or _dump(before.data) != _dump(r.data):
                    counts.changed += 1
                records[r.id] = r
                if newest is None or _later(r.modified, newest):
                    newest = r.modified
            if progress is not None:
                progress(name, counts.read, total)
        if since is not None:
            for ids in connector.removed(name):
                for i in ids:
                    if records.pop(i, None) is not None:
                        counts.deleted += 1
        else:
            counts.deleted = len(set(old or {}) - set(records))
        counts.records = len(records)
        if newest is not None:
            pulled.cursors[name] = _iso(newest)
        merged[name] = records
        _write_mirror(folder / f"{name}.parquet", records.values())
    present = {name: frozenset(recs) for name, recs in merged.items()}
    for obj in connector.objects:
        records_ = sorted(merged[obj.name].values(), key=_id_order)
        if not records_:
            continue  # an empty file would be rejected (ingest.E106) and replace nothing
        table = connector.render(obj.name, records_, present=present)
        path = export / f"{obj.name}.parquet"
        pq.write_table(table, path)
        pulled.files[str(path)] = (obj.name, [r.id for r in records_])
    return pulled


def _id_order(r: Record) -> tuple[int, str]:
    return (int(r.id), r.id) if r.id.isdigit() else (0, r.id)


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _parse(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _later(a: str, b: str) -> bool:
    return _parse(a) > _parse(b)


def _iso(text: str) -> str:
    return _parse(text).astimezone(UTC).isoformat()


def _newest_generation(root: Path) -> int:
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.is_dir() and p.name[4:].isdigit()]
    return max(numbers, default=0)


def _read_mirror(path: Path) -> dict[str, Record] | None:
    if not path.exists():
        return None
    table = pq.read_table(path, schema=_MIRROR_SCHEMA)
    return {
        i: Record(i, m, json.loads(d))
        for i, m, d in zip(
            table["id"].to_pylist(),
            table["modified"].to_pylist(),
            table["data"].to_pylist(),
            strict=True,
        )
    }


def _write_mirror(path: Path, records: Iterable[Record]) -> None:
    rows = list(records)
    table = pa.table(
        {
            "id": [r.id for r in rows],
            "modified": [r.modified for r in rows],
            "data": [_dump(r.data) for r in rows],
        },
        schema=_MIRROR_SCHEMA,
    )
    pq.write_table(table, path)
