"""Live CRM sync: connectors, the shared retry policy, and the state kept in the workspace.

No web or CLI framework here (import-linter checks): `coparent.services.sync`
loads what `pull` writes through the import path, and `coparent.commands.sync`
is the command. docs/sync.md tells the whole story.
"""

from __future__ import annotations

from coparent.sync._core import Connector, ObjectCounts, Progress, Pulled, Record, SyncObject, pull
from coparent.sync._policy import CallPolicy, Failure, parse_retry_after
from coparent.sync._store import (
    Connection,
    SyncState,
    clean_generations,
    connection_load,
    connection_save,
    state_load,
    state_save,
    sync_folder,
)

__all__ = [
    "CallPolicy",
    "Connection",
    "Connector",
    "Failure",
    "ObjectCounts",
    "Progress",
    "Pulled",
    "Record",
    "SyncObject",
    "SyncState",
    "clean_generations",
    "connection_load",
    "connection_save",
    "parse_retry_after",
    "pull",
    "state_load",
    "state_save",
    "sync_folder",
]
