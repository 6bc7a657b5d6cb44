"""Every error coparent raises on purpose, in one tree.

Anything a user can cause through data, files or settings is a `CoparentError`:
the CLI prints it as one line plus its hint and exits non-zero, the web layer
maps it to its HTTP ``status``. Builtins (`ValueError`, `TypeError`) only
signal misuse of the Python API itself.

    CoparentError                code, status, hint
    ├── SettingsError            names the setting and where it was read from
    ├── WorkspaceError           a workspace folder that is missing or unusable
    ├── PeriodOutOfRange         also ValueError; a period (or its baseline) outside the data
    │                            or the calendar: .period, .reason, .first, .last
    ├── WarehouseError           bad warehouse URL, unknown table
    │   ├── BackendUnavailable   the backend's driver is not installed
    │   └── WarehouseBusy        another process held the DuckDB file past the wait: .pid
    ├── IngestError
    │   ├── UnknownTableError    TABLE is not a canonical table
    │   ├── UnknownPresetError   --preset names no preset (lists them)
    │   ├── MappingError         a mapping or preset file that cannot be used (file, key)
    │   └── ImportRejected       .issues; nothing was loaded
    └── MissingDataError         a feature needs a table or column not imported
        └── MissingColumnsError  also ValueError; .missing, .available
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from coparent.ingest.issues import Issue

__all__ = [
    "BackendUnavailable",
    "CoparentError",
    "ImportRejected",
    "IngestError",
    "MappingError",
    "MissingColumnsError",
    "MissingDataError",
    "PeriodOutOfRange",
    "SettingsError",
    "UnknownPresetError",
    "UnknownTableError",
    "WarehouseBusy",
    "WarehouseError",
    "WorkspaceError",
]


class CoparentError(Exception):
    """Base of every error a user can cause; carries a stable code and a hint."""

    code: ClassVar[str] = "coparent.error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class SettingsError(CoparentError):
    code = "settings.invalid"

    def __init__(self, message: str, *, setting: str, source: str, hint: str = "") -> None:
        super().__init__(f"{source}: setting {setting!r}: {message}", hint=hint)
        self.setting = setting
        self.source = source


class WorkspaceError(CoparentError):
    code = "workspace.invalid"


PERIOD_BEFORE_DATA = "{what} ends before the data start ({first})"
PERIOD_AFTER_DATA = "{what} starts after the data end ({last})"
PERIOD_OUTSIDE_CALENDAR = "{what} is outside the calendar (years 1 to 9999)"
PeriodProblem = Literal["before_data", "after_data", "calendar"]


class PeriodOutOfRange(CoparentError, ValueError):
    """A period the data cannot answer for: before the first date, after the last, or no date.

    ``what`` names the period as the user knows it: ``2030-Q1``, or for a
    baseline ``the baseline 2024-Q3 (the period before 2024-Q4)``. It is also a
    `ValueError` so code that reads a period and expects one keeps working.
    """

    code = "period.out_of_range"
    status = 422

    def __init__(
        self,
        *,
        period: str,
        reason: PeriodProblem,
        what: str = "",
        first: date | None = None,
        last: date | None = None,
        hint: str = "",
    ) -> None:
        template = {
            "before_data": PERIOD_BEFORE_DATA,
            "after_data": PERIOD_AFTER_DATA,
            "calendar": PERIOD_OUTSIDE_CALENDAR,
        }[reason]
        super().__init__(template.format(what=what or period, first=first, last=last), hint=hint)
        self.period = period
        self.reason = reason
        self.first = first
        self.last = last


class WarehouseError(CoparentError):
    code = "warehouse.error"


class BackendUnavailable(WarehouseError):
    code = "warehouse.backend_unavailable"
    status = 503


class WarehouseBusy(WarehouseError):
    """Another process held the DuckDB file longer than the wait (`Workspace.open`).

    ``pid`` is the holder's process id when DuckDB names it, else None.
    """

    code = "warehouse.busy"
    status = 503

    def __init__(self, message: str, *, hint: str = "", pid: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.pid = pid


class IngestError(CoparentError):
    code = "ingest.error"


class UnknownTableError(IngestError):
    code = "ingest.unknown_table"

    def __init__(self, table: str, *, available: Sequence[str]) -> None:
        super().__init__(
            f"unknown table {table!r}",
            hint="canonical tables: " + ", ".join(available),
        )
        self.table = table
        self.available = list(available)


class UnknownPresetError(IngestError):
    code = "ingest.unknown_preset"

    def __init__(self, name: str, *, available: Sequence[str]) -> None:
        crms = ", ".join(sorted({a.split("-")[0] for a in available}))
        super().__init__(
            f"unknown preset {name!r}",
            hint=f"presets: auto, a CRM ({crms}), {', '.join(available)}, or the path of a "
            "preset file (.toml)",
        )
        self.name = name
        self.available = list(available)


class MappingError(IngestError):
    code = "ingest.mapping"

    def __init__(self, message: str, *, file: str, key: str = "", hint: str = "") -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + message, hint=hint)
        self.file = file
        self.key = key


class ImportRejected(IngestError):
    """The file had errors; nothing was loaded. ``issues`` holds every problem found."""

    code = "ingest.rejected"
    status = 422
    SHOWN: ClassVar[int] = 5

    def __init__(self, issues: Sequence[Issue], *, file: str) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.level == "error"]
        total = sum(i.count for i in errors)
        lines = [i.format() for i in errors[: self.SHOWN]]
        more = f"\n... and more ({total} errors in all)" if len(errors) > self.SHOWN else ""
        super().__init__(
            f"{file}: {total} error(s), nothing was loaded\n" + "\n".join(lines) + more,
            hint="fix the rows listed above (or map them in a mapping file) and import again",
        )
        self.file = file


class MissingDataError(CoparentError):
    code = "data.missing"
    status = 409


class MissingColumnsError(MissingDataError, ValueError):
    code = "data.missing_columns"

    def __init__(
        self, *, missing: Sequence[str], available: Sequence[str], feature: str, table: str
    ) -> None:
        super().__init__(
            f"{feature} needs column(s) {', '.join(sorted(missing))} in {table!r}; "
            f"available: {', '.join(sorted(available))}",
            hint=f"import {table} with those columns (coparent schema {table})",
        )
        self.missing = sorted(missing)
        self.available = sorted(available)
