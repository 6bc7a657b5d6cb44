"""The Data page: freshness per table (everyone), upload and import (owner and champions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coparent.web.imports.forms import UploadForm
from coparent.web.imports.selectors import data_overview_get, imports_recent, mapping_names
from coparent.web.imports.services import data_import
from coparent.web.teams.access import actor_for, page


def _context(form: UploadForm, outcome: Any = None) -> dict[str, Any]:
    tables, facts = data_overview_get()
    return {
        "form": form,
        "outcome": outcome,
        "tables": tables,
        "facts": facts,
        "imports": list(imports_recent()),
        "mappings": mapping_names(),
    }


@page(allow="view", methods=("GET", "POST"), post_allow="import")
def data(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "imports/data.html", _context(UploadForm()))
    actor = actor_for(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "imports/data.html", _context(form), status=400)
    d = form.cleaned_data
    outcome = data_import(
        actor=actor,
        upload=d["file"],
        table=d["table"],
        mode=d["mode"],
        check=d["action"] == "check",
        mapping_upload=d["mapping_file"],
        mapping_name=d["mapping"],
    )
    status = 422 if outcome.rejected else 200
    return render(
        request, "imports/data.html", _context(UploadForm(initial=d), outcome), status=status
    )
