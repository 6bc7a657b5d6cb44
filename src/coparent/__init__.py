"""coparent: run Sales and Marketing as one team.

The Python API is the core itself: the canonical schema, the warehouse, the
import service and the demo company. The CLI, the API and the web pages are
thin shells over these same functions.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from coparent.errors import (
    BackendUnavailable,
    BadParameter,
    ConvergenceError,
    CoparentError,
    DeliveryError,
    DigestError,
    DigestNotConfigured,
    ImportRejected,
    IngestError,
    MappingError,
    MissingColumnsError,
    MissingDataError,
    ModelError,
    NotFittedError,
    OfferInputError,
    PathFileRejected,
    PeriodOutOfRange,
    ScaleError,
    ServeError,
    SettingsError,
    SyncAuthError,
    SyncError,
    SyncUnavailable,
    TouchTimesRequired,
    UnknownPresetError,
    UnknownTableError,
    UnpackError,
    UnusableDataError,
    WarehouseBusy,
    WarehouseError,
    WinbackListError,
    WorkspaceError,
)
from coparent.schema import TABLES, Column, Table, get_table
from coparent.settings import SETTINGS, Settings, load_settings
from coparent.warehouse import connect, read_table, row_counts, write_table
from coparent.workspace import Workspace

try:
    __version__ = version("coparent")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "SETTINGS",
    "TABLES",
    "BackendUnavailable",
    "BadParameter",
    "Column",
    "ConvergenceError",
    "CoparentError",
    "DeliveryError",
    "DigestError",
    "DigestNotConfigured",
    "ImportRejected",
    "IngestError",
    "MappingError",
    "MissingColumnsError",
    "MissingDataError",
    "ModelError",
    "NotFittedError",
    "OfferInputError",
    "PathFileRejected",
    "PeriodOutOfRange",
    "ScaleError",
    "ServeError",
    "Settings",
    "SettingsError",
    "SyncAuthError",
    "SyncError",
    "SyncUnavailable",
    "Table",
    "TouchTimesRequired",
    "UnknownPresetError",
    "UnknownTableError",
    "UnpackError",
    "UnusableDataError",
    "WarehouseBusy",
    "WarehouseError",
    "WinbackListError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "connect",
    "get_table",
    "load_settings",
    "read_table",
    "row_counts",
    "write_table",
]
