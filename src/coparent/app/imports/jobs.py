"""Imports that run outside the request: a whole CRM export, or any large upload.

The Data page stores the upload under ``<workspace>/uploads/job-<id>/`` (a
``.zip`` is unpacked there), creates an `ImportJob` and starts a worker; the
page the user lands on polls the job until it is finished. The worker runs
the same code as the command line: ``coparent import --dir`` for an export
(`import_export_folder`: preset detection, reference checks across the
files, one transaction) or ``coparent import TABLE FILE`` for one table.

How the worker runs is the ``COPARENT_IMPORT_JOBS`` setting:

- ``process`` (default): ``coparent manage coparent_import_job ID``, a
  process of its own, so a long import never holds a web worker, and a
  restart of the web server does not stop it;
- ``inline``: in the request itself (the test suite's in-memory database
  cannot be reached from another process).

A loaded job then runs the post-import hooks (`coparent.app.common.hooks`)
and keeps their results under ``result["after"]``. A job runs once: the
worker claims it by moving it from ``queued`` to ``running`` in one UPDATE,
so a second start does nothing.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from django.conf import settings as django_settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from coparent.app.common.facts import core_settings, warehouse, workspace
from coparent.app.common.hooks import post_import_run
from coparent.app.imports.models import ImportJob, ImportRecord
from coparent.app.teams.access import Actor
from coparent.errors import CoparentError, ImportRejected, UnpackError
from coparent.ingest.issues import Issue
from coparent.services.export_imports import (
    EXPORT_SUFFIXES,
    ExportImportResult,
    import_export_folder,
)
from coparent.services.imports import import_file

__all__ = [
    "JOB_SUFFIXES",
    "ZIP_SUFFIX",
    "import_job_create",
    "import_job_run",
    "import_job_start",
]

log = logging.getLogger(__name__)

ZIP_SUFFIX = ".zip"
JOB_SUFFIXES = (*EXPORT_SUFFIXES, ZIP_SUFFIX)
UPLOADS_DIR = "uploads"
_CHUNK = 1 << 20
_ISSUES_KEPT = 500  # per job: the page lists them; the counts stay exact


def _folder(job: ImportJob) -> Path:
    return workspace().path / UPLOADS_DIR / f"job-{job.pk}"


def _save(upload: UploadedFile, path: Path) -> None:
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


def _unpack(archive: Path, folder: Path, *, limit_bytes: int) -> list[str]:
    """The export files of ``archive``, written flat into ``folder``; their names.

    Only regular files with an export suffix are taken (folders, macOS
    ``__MACOSX`` copies and hidden files are skipped); paths inside the zip
    are never used as paths here, and the unpacked total is bounded, so a
    hostile archive can neither escape the folder nor fill the disk.
    """
    name = archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnpackError(
            f"{name} is not a readable .zip file ({exc})", hint="upload the export's files or zip"
        ) from None
    taken: list[str] = []
    total = 0
    with zf:
        for info in zf.infolist():
            member = Path(info.filename)
            base = member.name
            if (
                info.is_dir()
                or "__MACOSX" in member.parts
                or base.startswith(".")
                or member.suffix.lower() not in EXPORT_SUFFIXES
            ):
                continue
            if base in taken or (folder / base).exists():
                raise UnpackError(
                    f"{name} holds two files named {base}",
                    hint="rename one of them so every file of the export has its own name",
                )
            target = folder / base
            with zf.open(info) as src, target.open("wb") as out:
                while block := src.read(_CHUNK):
                    total += len(block)
                    if total > limit_bytes:
                        raise UnpackError(
                            f"{name} unpacks to more than {limit_bytes // (1 << 20)} MB",
                            hint="import a very large export with coparent import --dir",
                        )
                    out.write(block)
            taken.append(base)
    if not taken:
        raise UnpackError(
            f"{name} holds no export files",
            hint="the files inside must end in " + ", ".join(EXPORT_SUFFIXES),
        )
    archive.unlink()
    return taken


def import_job_create(
    *,
    actor: Actor,
    uploads: Sequence[UploadedFile],
    table: str,
    mode: Literal["replace", "append"] = "replace",
    check: bool = False,
    mapping_upload: UploadedFile | None = None,
    mapping_name: str = "",
) -> ImportJob:
    """Store the uploads and create the job (``table`` ``""``: a whole CRM export).

    A .zip that cannot be unpacked makes a job that has already failed, so the
    user sees why on the same page as any other outcome.
    """
    names = [Path(u.name or "upload").name for u in uploads]
    job = ImportJob.objects.create(
        files=names,
        table=table,
        mode=mode,
        check_only=check,
        user=actor.user,
        created_at=timezone.now(),
    )
    folder = _folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    limit = 4 * django_settings.COPARENT_MAX_UPLOAD_MB * (1 << 20)
    try:
        for upload, name in zip(uploads, names, strict=True):
            path = folder / name
            _save(upload, path)
            if path.suffix.lower() == ZIP_SUFFIX:
                _unpack(path, folder, limit_bytes=limit)
        if mapping_upload is not None:
            mapping_dir = folder / "mapping"
            mapping_dir.mkdir()
            mapping = mapping_dir / (Path(mapping_upload.name or "mapping.toml").name)
            _save(mapping_upload, mapping)
            job.mapping = str(mapping)
        elif mapping_name:
            job.mapping = str(workspace().path / "mappings" / Path(mapping_name).name)
        job.save(update_fields=["mapping"])
    except CoparentError as exc:
        _finish(job, ImportJob.Status.FAILED, {"error": exc.message, "hint": exc.hint})
        shutil.rmtree(folder, ignore_errors=True)
    return job


def import_job_start(job: ImportJob) -> None:
    """Start the job's worker, as ``COPARENT_IMPORT_JOBS`` says (see the module)."""
    if job.finished:
        return
    if django_settings.COPARENT_IMPORT_JOBS == "inline":
        import_job_run(job.pk)
        return
    ws = workspace()
    logs = ws.path / UPLOADS_DIR / "jobs.log"
    with logs.open("ab") as err:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "coparent", "manage", "-w", str(ws.path)),
                *("coparent_import_job", str(job.pk)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped, never a zombie


def _claim(job_id: int) -> bool:
    now = timezone.now()
    queued = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
    return queued.update(status=ImportJob.Status.RUNNING, started_at=now) == 1


def import_job_run(job_id: int) -> ImportJob:
    """The worker's body: import the job's files, record the outcome. Runs a job once."""
    if not _claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)
    folder = _folder(job)
    started = time.perf_counter()
    try:
        status, result = _import(job, folder)
    except Exception as exc:  # the job must end, whatever happened; the log has the rest
        log.exception("import job %s failed", job.pk)
        status, result = (
            ImportJob.Status.FAILED,
            {"error": f"the import stopped: {exc}", "hint": "nothing was loaded; try again"},
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.setdefault("seconds", time.perf_counter() - started)
    job = _finish(job, status, result)
    if status == ImportJob.Status.LOADED:  # after the commit; a failure never undoes it
        after = [r.to_dict() for r in post_import_run()]
        job.result = {**job.result, "after": after}
        job.save(update_fields=["result"])
    return job


def _import(job: ImportJob, folder: Path) -> tuple[ImportJob.Status, dict[str, Any]]:
    ws = workspace()
    settings = core_settings(ws)
    check = job.check_only
    mode: Literal["replace", "append"] = "append" if job.mode == "append" else "replace"
    try:
        with warehouse(ws, settings, write=True) as con:
            if not job.table:
                export = import_export_folder(
                    con, folder=folder, mode=mode, check=check, settings=settings
                )
                result = _export_json(export, folder)
            else:
                mapping = Path(job.mapping) if job.mapping else None
                (data,) = [p for p in folder.iterdir() if p.is_file()]
                one = import_file(
                    con,
                    table=job.table,
                    path=data,
                    mapping=mapping,
                    mode=mode,
                    check=check,
                    settings=settings,
                )
                result = {
                    "rows": {job.table: one.rows},
                    "files": [],
                    "issues": _issues(one.issues, folder),
                    "seconds": one.seconds,
                }
    except ImportRejected as exc:
        return ImportJob.Status.REJECTED, {"issues": _issues(exc.issues, folder)}
    except CoparentError as exc:
        return ImportJob.Status.FAILED, {"error": exc.message, "hint": exc.hint}
    return (ImportJob.Status.CHECKED if check else ImportJob.Status.LOADED), result


def _shown(file: str, folder: Path) -> str:
    """The name the user knows: the uploaded (or zipped) file's own name."""
    path = Path(file)
    return path.name if folder in (path.parent, path) else file


def _issues(issues: Sequence[Issue], folder: Path) -> list[dict[str, Any]]:
    return [
        {
            "file": _shown(i.file, folder),
            "row": i.row,
            "column": i.column,
            "level": i.level,
            "code": i.code.value,
            "message": i.message,
            "hint": i.hint,
            "count": i.count,
        }
        for i in list(issues)[:_ISSUES_KEPT]
    ] + (
        [{"more": sum(i.count for i in list(issues)[_ISSUES_KEPT:])}]
        if len(issues) > _ISSUES_KEPT
        else []
    )


def _export_json(export: ExportImportResult, folder: Path) -> dict[str, Any]:
    return {
        "rows": dict(export.rows),
        "files": [
            {
                "file": _shown(f.file, folder),
                "preset": f.preset,
                "title": f.title,
                "why": f.why,
                "rows": dict(f.rows),
            }
            for f in export.files
        ],
        "skipped": list(export.skipped),
        "issues": _issues(export.issues, folder),
        "seconds": export.seconds,
    }


@transaction.atomic
def _finish(job: ImportJob, status: ImportJob.Status, result: dict[str, Any]) -> ImportJob:
    job.status = status
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    issues = [i for i in result.get("issues", []) if "level" in i]
    rows = result.get("rows", {})
    outcome = {
        ImportJob.Status.LOADED: ImportRecord.Outcome.LOADED,
        ImportJob.Status.CHECKED: ImportRecord.Outcome.CHECKED,
    }.get(status, ImportRecord.Outcome.REJECTED)
    ImportRecord.objects.create(
        table=(job.table or ", ".join(t for t, n in rows.items() if n) or "a CRM export")[:64],
        file_name=", ".join(job.files)[:255],
        mode=job.mode,
        outcome=outcome,
        rows=sum(rows.values()) if status != ImportJob.Status.REJECTED else 0,
        errors=sum(i["count"] for i in issues if i["level"] == "error")
        + int(status == ImportJob.Status.FAILED),
        warnings=sum(i["count"] for i in issues if i["level"] == "warning"),
        seconds=float(result.get("seconds", 0.0)),
        user=job.user,
        at=timezone.now(),
    )
    return job
