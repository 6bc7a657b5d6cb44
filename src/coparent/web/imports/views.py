"""The Data page: freshness per table (everyone), upload and import (owner and champions).

A small single file is checked and imported inside the request, as before.
A whole CRM export (several files, or a .zip) and any upload larger than
``COPARENT_INLINE_IMPORT_MB`` become an import job (`coparent.app.imports.jobs`):
the page redirects to ``/data/jobs/<id>/``, which polls until the job ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coparent.app.imports.jobs import ZIP_SUFFIX, import_job_create, import_job_start
from coparent.app.imports.models import ImportJob
from coparent.app.imports.selectors import (
    data_overview_get,
    import_jobs_running,
    imports_recent,
    mapping_names,
)
from coparent.app.imports.services import CRM_EXPORT, data_import
from coparent.app.teams.access import actor_for, page
from coparent.web.imports.forms import UploadForm


def _context(form: UploadForm, outcome: Any = None) -> dict[str, Any]:
    tables, facts = data_overview_get()
    return {
        "form": form,
        "outcome": outcome,
        "tables": tables,
        "facts": facts,
        "imports": list(imports_recent()),
        "jobs": list(import_jobs_running()),
        "mappings": mapping_names(),
    }


def _as_job(uploads: list[Any], table: str) -> bool:
    """Several files, a .zip, or a large file: imported by a job, not in the request."""
    large = sum(u.size or 0 for u in uploads) > settings.COPARENT_INLINE_IMPORT_MB * (1 << 20)
    zipped = any(Path(u.name or "").suffix.lower() == ZIP_SUFFIX for u in uploads)
    return large or zipped or (table == CRM_EXPORT and len(uploads) > 1)


@page(allow="view", methods=("GET", "POST"), post_allow="import")
def data(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "imports/data.html", _context(UploadForm()))
    actor = actor_for(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "imports/data.html", _context(form), status=400)
    d = form.cleaned_data
    uploads = d["file"]
    check = d["action"] == "check"
    if _as_job(uploads, d["table"]):
        job = import_job_create(
            actor=actor,
            uploads=uploads,
            table="" if d["table"] == CRM_EXPORT else d["table"],
            mode=d["mode"],
            check=check,
            mapping_upload=d["mapping_file"],
            mapping_name=d["mapping"],
        )
        import_job_start(job)
        return redirect("imports:job", job_id=job.pk)
    outcome = data_import(
        actor=actor,
        upload=uploads[0],
        table=d["table"],
        mode=d["mode"],
        check=check,
        mapping_upload=d["mapping_file"],
        mapping_name=d["mapping"],
    )
    status = 422 if outcome.rejected else 200
    initial = {k: v for k, v in d.items() if k not in ("file", "mapping_file")}
    return render(
        request, "imports/data.html", _context(UploadForm(initial=initial), outcome), status=status
    )


@page(allow="import")
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import job: its status while it runs (the page polls), then its outcome."""
    found = ImportJob.objects.filter(pk=job_id).select_related("user").first()
    if found is None:
        raise Http404("no such import")
    template = "imports/_job.html" if request.headers.get("HX-Request") else "imports/job.html"
    return render(request, template, {"job": found, "result": found.result})
