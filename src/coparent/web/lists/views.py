"""The rows behind a number, and their export. Each parses its query, calls one page, renders.

Everyone signed in sees the rows of the numbers they see; a file of them
(CSV, Excel: names of accounts and owners leaving the app) is for people
who work in the company, not for viewers (capability ``contribute``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coparent.app.teams.access import actor_for, page
from coparent.errors import BadParameter
from coparent.web.lists import pages


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page") or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise BadParameter(f"not a page number: {raw!r}", parameter="page", hint="1, 2, 3 ...")
    return int(raw)


@page()
def rows(request: HttpRequest, metric: str) -> HttpResponse:
    query = pages.query_from(metric, request.GET)
    may_export = actor_for(request).may("contribute")
    context = pages.rows_page(query=query, page=_page_number(request), may_export=may_export)
    return render(request, "lists/rows.html", context)


@page(allow="contribute")
def export(request: HttpRequest, metric: str) -> HttpResponse:
    query = pages.query_from(metric, request.GET)
    chosen = request.GET.get("format") or "csv"
    if chosen not in ("csv", "xlsx"):
        raise BadParameter(
            f"not an export format: {chosen!r}", parameter="format", hint="csv or xlsx"
        )
    found = pages.rows_file(query=query, fmt=chosen)  # type: ignore[arg-type]
    if found is None:
        context = pages.rows_page(query=query, page=1)
        return render(request, "lists/rows.html", context, status=409)
    name, content_type, body = found
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
