"""Attribution: one page, read-only; the pickers swap its body with HTMX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coparent.app.teams.access import actor_for, page
from coparent.web.attribution.pages import attribution_page


@page()
def home(request: HttpRequest) -> HttpResponse:
    context = attribution_page(
        actor=actor_for(request),
        period=request.GET.get("period") or None,
        model=request.GET.get("model") or None,
        by=request.GET.get("by") or None,
    )
    partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    template = "attribution/_body.html" if partial else "attribution/home.html"
    return render(request, template, context)
