"""Pages that show facts. Each parses its query, calls one page context, renders.

With HTMX (a picker changed) only the page body is rendered and swapped in.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from coparent.app.teams.access import actor_for, page
from coparent.web.common.fragments import cached_fragment
from coparent.web.dashboards import pages


def _render(request: HttpRequest, name: str, context: dict[str, object]) -> HttpResponse:
    partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    template = f"dashboards/_{name}_body.html" if partial else f"dashboards/{name}.html"
    return render(request, template, context)


@page()
def scorecard(request: HttpRequest) -> HttpResponse:
    """The most visited page: its body is cached until facts or decisions change."""
    actor, period = actor_for(request), request.GET.get("period") or None

    def build() -> str:
        context = pages.scorecard_page(actor=actor, period=period)
        return render_to_string("dashboards/_scorecard_body.html", context, request)

    body = cached_fragment(pages.scorecard_key(actor=actor, period=period), build)
    if getattr(request, "htmx", False):
        return HttpResponse(body)
    # "For you" is the person's own, so it stays out of the body cached per role
    context = {"body": body, "mine": pages.mine_panel(actor=actor)}
    return render(request, "dashboards/scorecard.html", context)


@page()
def me(request: HttpRequest) -> HttpResponse:
    """Everything that concerns the signed-in person, in full (the scorecard shows the top)."""
    return render(request, "dashboards/me.html", pages.me_page(actor=actor_for(request)))


@page()
def diagnosis(request: HttpRequest) -> HttpResponse:
    context = pages.diagnosis_page(
        period=request.GET.get("period") or None,
        against=request.GET.get("against") or "previous",
        by=request.GET.get("by") or "product",
    )
    return _render(request, "diagnosis", context)


@page()
def funnel(request: HttpRequest) -> HttpResponse:
    context = pages.funnel_page(
        period=request.GET.get("period") or None, by=request.GET.get("by") or None
    )
    return _render(request, "funnel", context)


@page()
def products(request: HttpRequest) -> HttpResponse:
    return _render(
        request, "products", pages.products_page(period=request.GET.get("period") or None)
    )


@page()
def product(request: HttpRequest, product_id: str) -> HttpResponse:
    context = pages.product_page(product_id=product_id, period=request.GET.get("period") or None)
    report = context["report"]
    if report.value is None and not report.missing:
        raise Http404(f"no product {product_id!r} in the warehouse")
    return _render(request, "product", context)
