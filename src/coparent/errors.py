"""Every error coparent raises on purpose, in one tree (tests/test_errors.py checks that
no module defines another).

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
    │       └── PathFileRejected an attribution path file with located problems
    ├── MissingDataError         a feature needs a table or column not imported
    │   ├── MissingColumnsError  also ValueError; .missing, .available
    │   └── TouchTimesRequired   time-decay attribution on paths that carry no times
    ├── ModelError               model.error (422)
    │   ├── NotFittedError       a prediction asked of a model never fitted
    │   ├── ConvergenceError     also ValueError; the hint says how to get a fit
    │   └── UnusableDataError    data a model cannot use: .table, .count
    ├── BadParameter             a page or API parameter that cannot be used: .parameter
    ├── ServeError               the server cannot start (the port is taken...)
    ├── ScaleError               an unknown demo scale
    ├── UnpackError              an uploaded .zip that cannot be read as an export
    ├── WinbackListError         a win-back list that cannot be found or read (404)
    ├── OfferInputError          a number the offer lab cannot use
    ├── DigestError              a digest that cannot be built or sent as asked
    │   ├── DeliveryError        one failed delivery attempt: .retry, .retry_after (502)
    │   └── DigestNotConfigured  --send with no channel configured
    └── SyncError                a live CRM sync that cannot run: .source
        ├── SyncAuthError        no credential, or the CRM refused it (401/403): .credential
        └── SyncUnavailable      the CRM did not answer in time (5xx, 429, timeouts) (502)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from coparent.ingest.issues import Issue

__all__ = [
    "BackendUnavailable",
    "BadParameter",
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
    "SettingsError",
    "SyncAuthError",
    "SyncError",
    "SyncUnavailable",
    "TouchTimesRequired",
    "UnknownPresetError",
    "UnknownTableError",
    "UnpackError",
    "UnusableDataError",
    "WarehouseBusy",
    "WarehouseError",
    "WinbackListError",
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


class BadParameter(CoparentError):
    """A page or API parameter that cannot be used (a period that does not parse...)."""

    code = "web.bad_parameter"
    status = 400

    def __init__(self, message: str, *, parameter: str, hint: str = "") -> None:
        super().__init__(f"{parameter}: {message}", hint=hint)
        self.parameter = parameter


class ServeError(CoparentError):
    """The server cannot start (the port is taken...)."""

    code = "web.serve"


class ScaleError(CoparentError):
    code = "demo.scale"


class UnpackError(CoparentError):
    """An uploaded .zip that cannot be read as an export."""

    code = "import.unpack"


class WinbackListError(CoparentError):
    """A win-back list that cannot be found or read."""

    code = "winback.list"
    status = 404


class OfferInputError(CoparentError):
    """A number given to the offer lab that cannot be used (a rate above 1, a negative price)."""

    code = "offer.input"


class DigestError(CoparentError):
    """A digest that cannot be built or sent as asked (a bad week, nothing configured...)."""

    code = "digest.error"


class DeliveryError(DigestError):
    """One failed attempt to deliver; ``retry`` says whether another attempt can help."""

    code = "digest.delivery"
    status = 502

    def __init__(
        self, message: str, *, retry: bool, retry_after: float | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry = retry
        self.retry_after = retry_after


class DigestNotConfigured(DigestError):
    """``--send`` with no channel (or not the asked one) configured."""

    code = "digest.not_configured"


class SyncError(CoparentError):
    """A live CRM sync (``coparent sync``, ``coparent connect``) that cannot run as asked.

    Messages never carry a secret: they name the credential to fix, not its value.
    """

    code = "sync.error"

    def __init__(self, message: str, *, source: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.source = source


class SyncAuthError(SyncError):
    """No credential for the source, or the CRM refused it; ``credential`` says which to fix."""

    code = "sync.auth"
    status = 401

    def __init__(self, message: str, *, source: str, credential: str, hint: str = "") -> None:
        super().__init__(message, source=source, hint=hint)
        self.credential = credential


class SyncUnavailable(SyncError):
    """The CRM did not answer usefully within the deadline (errors 5xx, 429, timeouts)."""

    code = "sync.unavailable"
    status = 502


class ModelError(CoparentError):
    code: ClassVar[str] = "model.error"
    status: ClassVar[int] = 422


class NotFittedError(ModelError):
    code = "model.not_fitted"
    status = 409

    def __init__(self, model: str) -> None:
        super().__init__(
            f"{model} is not fitted yet",
            hint=f"call {model}().fit(...) first, or build it with {model}.from_params(...)",
        )
        self.model = model


class ConvergenceError(ModelError, ValueError):
    """The likelihood could not be maximised; ``hint`` says what usually fixes it."""

    code = "model.convergence"


class UnusableDataError(ModelError):
    """Data a model cannot use (negative amounts, one variant, no subjects ...).

    ``table`` names the table the data came from; ``count`` how many rows are affected.
    """

    code = "model.unusable_data"

    def __init__(self, message: str, *, table: str, hint: str, count: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.table = table
        self.count = count


class PathFileRejected(ImportRejected):
    """A path file with errors; no model ran. ``issues`` holds every problem found."""

    code = "attribution.path_file_rejected"

    def __init__(self, issues: Sequence[Issue], *, file: str) -> None:
        super().__init__(issues, file=file)
        errors = [i for i in self.issues if i.level == "error"]
        total = sum(i.count for i in errors)
        lines = [i.format() for i in errors[: self.SHOWN]]
        more = f"\n... and more ({total} errors in all)" if len(errors) > self.SHOWN else ""
        message = f"{file}: {total} error(s), no attribution was run\n" + "\n".join(lines) + more
        CoparentError.__init__(
            self,
            message,
            hint="fix the rows listed above (docs/attribution.md explains each code) and run again",
        )


class TouchTimesRequired(MissingDataError):
    """Time-decay weighs touches by their age at conversion; aggregated paths carry no times."""

    code = "attribution.needs_touch_times"

    def __init__(self, *, source: str) -> None:
        super().__init__(
            f"the time-decay model needs the time of every touch, and {source} has none",
            hint="run it on the warehouse's touches (coparent attribution --model time-decay), "
            "or pick first, last, linear, position or markov for a path file",
        )
        self.source = source
