"""The Data page's import: store the upload, call `import_file`, record what happened.

Choosing "a CRM export" as the table reads the file with the CRM presets
instead (`import_export` with ``preset="auto"``): the page says which preset
it recognised and why, and every table the export fills is loaded at once.

The upload is written under ``<workspace>/uploads/<random>/<its own name>``
so every problem names the user's file, then removed. A loaded import adds
an `ImportRecord`, which moves the data version, then runs the post-import
hooks (`coparent.app.common.hooks`): the wins engine, and the report cache
of the default period warmed in this worker.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from coparent.app.common.facts import core_settings, warehouse, workspace
from coparent.app.common.hooks import HookResult, post_import_run
from coparent.app.imports.models import ImportRecord
from coparent.app.teams.access import Actor
from coparent.errors import CoparentError, ImportRejected
from coparent.ingest.issues import Issue
from coparent.services.export_imports import ExportImportResult, import_export
from coparent.services.imports import ImportResult, import_file

__all__ = ["CRM_EXPORT", "UPLOAD_SUFFIXES", "ImportOutcome", "data_import"]

UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx")
UPLOADS_DIR = "uploads"
MAPPINGS_DIR = "mappings"
CRM_EXPORT = "crm-export"  # the table choice that reads the file with the CRM presets


@dataclass(frozen=True)
class ImportOutcome:
    """What the page shows: the result, or every issue, or one error with its hint."""

    table: str
    file_name: str
    result: ImportResult | None = None
    issues: list[Issue] = field(default_factory=list)
    error: str = ""
    hint: str = ""
    record: ImportRecord | None = None
    export: ExportImportResult | None = None
    after: tuple[HookResult, ...] = ()  # the post-import hooks, when it loaded

    @property
    def rejected(self) -> bool:
        return any(i.level == "error" for i in self.issues) or bool(self.error)

    @property
    def error_count(self) -> int:
        return sum(i.count for i in self.issues if i.level == "error")


def _save(upload: UploadedFile, folder: Path, default_name: str) -> Path:
    name = Path(upload.name or default_name).name or default_name
    path = folder / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def data_import(
    *,
    actor: Actor,
    upload: UploadedFile,
    table: str,
    mode: Literal["replace", "append"] = "replace",
    check: bool = False,
    mapping_upload: UploadedFile | None = None,
    mapping_name: str = "",
) -> ImportOutcome:
    """Check (``check``) or import one uploaded file into ``table``; never raises for bad data.

    A loaded import runs the post-import hooks after its commit (wins, this
    worker's report cache); their results are in ``after``, a failure among
    them never undoes the import.
    """
    outcome = _data_import(
        actor=actor,
        upload=upload,
        table=table,
        mode=mode,
        check=check,
        mapping_upload=mapping_upload,
        mapping_name=mapping_name,
    )
    record = outcome.record
    if record is None or record.outcome != ImportRecord.Outcome.LOADED:
        return outcome
    return replace(outcome, after=tuple(post_import_run(in_web_process=True)))


def _data_import(
    *,
    actor: Actor,
    upload: UploadedFile,
    table: str,
    mode: Literal["replace", "append"] = "replace",
    check: bool = False,
    mapping_upload: UploadedFile | None = None,
    mapping_name: str = "",
) -> ImportOutcome:
    ws = workspace()
    settings = core_settings(ws)
    folder = ws.path / UPLOADS_DIR / uuid.uuid4().hex
    file_name = Path(upload.name or "upload").name
    try:
        folder.mkdir(parents=True)
        path = _save(upload, folder, "upload.csv")
        mapping: Path | None = None
        if mapping_upload is not None:
            mapping = _save(mapping_upload, folder, "mapping.toml")
        elif mapping_name:
            mapping = ws.path / MAPPINGS_DIR / Path(mapping_name).name
        with warehouse(ws, settings, write=True) as con:
            if table == CRM_EXPORT:
                export = import_export(con, path=path, mode=mode, check=check, settings=settings)
                return _export_outcome(actor, export, file_name, mode=mode, check=check)
            result = import_file(
                con,
                table=table,
                path=path,
                mapping=mapping,
                mode=mode,
                check=check,
                settings=settings,
            )
    except ImportRejected as exc:
        outcome = ImportOutcome(table, file_name, issues=list(exc.issues))
    except CoparentError as exc:
        outcome = ImportOutcome(table, file_name, error=exc.message, hint=exc.hint)
    else:
        outcome = ImportOutcome(table, file_name, result=result, issues=list(result.issues))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ImportOutcome(
        outcome.table,
        outcome.file_name,
        outcome.result,
        outcome.issues,
        outcome.error,
        outcome.hint,
        _record(actor, outcome, mode=mode, check=check),
    )


def _export_outcome(
    actor: Actor,
    export: ExportImportResult,
    file_name: str,
    *,
    mode: str,
    check: bool,
) -> ImportOutcome:
    """A CRM export that loaded (or would): named by the tables it filled."""
    tables = ", ".join(name for name, rows in export.rows.items() if rows) or "nothing"
    total = sum(export.rows.values())
    result = ImportResult(
        tables, file_name, total, export.mode, export.checked_only, export.issues, export.seconds
    )
    outcome = ImportOutcome(
        tables[:64], file_name, result=result, issues=list(export.issues), export=export
    )
    record = _record(actor, outcome, mode=mode, check=check)
    return ImportOutcome(
        outcome.table, file_name, result, outcome.issues, record=record, export=export
    )


@transaction.atomic
def _record(actor: Actor, outcome: ImportOutcome, *, mode: str, check: bool) -> ImportRecord:
    if outcome.rejected:
        kind = ImportRecord.Outcome.REJECTED
    elif check:
        kind = ImportRecord.Outcome.CHECKED
    else:
        kind = ImportRecord.Outcome.LOADED
    result = outcome.result
    return ImportRecord.objects.create(
        table=outcome.table,
        file_name=outcome.file_name[:255],
        mode=mode,
        outcome=kind,
        rows=result.rows if result is not None else 0,
        errors=outcome.error_count + int(bool(outcome.error)),
        warnings=sum(i.count for i in outcome.issues if i.level == "warning"),
        seconds=result.seconds if result is not None else 0.0,
        user=actor.user,
        at=timezone.now(),
    )
