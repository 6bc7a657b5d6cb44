"""Starter projects: the win-back list and the offer lab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from coparent.app.starters import services
from coparent.app.starters.selectors import person_name, winback_account_name
from coparent.app.teams.access import actor_for, page
from coparent.errors import CoparentError
from coparent.web.starters.forms import FreezeForm
from coparent.web.starters.pages import starters_page


def _back(list_id: str | None = None) -> HttpResponseRedirect:
    url = reverse("starters:home")
    if list_id:
        url += "?" + urlencode({"list": list_id})
    return HttpResponseRedirect(url + "#winback")


@page()
def home(request: HttpRequest) -> HttpResponse:
    context = starters_page(
        actor=actor_for(request), list_id=request.GET.get("list"), query=request.GET
    )
    return render(request, "starters/home.html", context)


@page(allow="assign", methods=("POST",))
def winback_create(request: HttpRequest) -> HttpResponse:
    form = FreezeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{label}: {e}" if label else str(e))
        return _back()
    try:
        created = services.winback_freeze(
            actor=actor_for(request),
            top=form.cleaned_data["top"],
            holdout_share=form.cleaned_data["holdout"] / 100,
            max_p_alive=form.threshold(),
        )
    except CoparentError as exc:
        messages.error(request, f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
        return _back()
    messages.success(
        request,
        f"Froze {created['id']}: {created['contacted']} accounts to contact, "
        f"{created['holdout']} held out for comparison. Earlier lists stay in the list picker.",
    )
    return _back(created["id"])


@page(allow="assign", methods=("POST",))
def assign(request: HttpRequest, list_id: str, account_id: str) -> HttpResponse:
    raw = request.POST.get("assignee", "")
    try:
        row = services.winback_assign(
            actor=actor_for(request),
            list_id=list_id,
            account_id=account_id,
            assignee_id=int(raw) if raw.isdigit() else None,
        )
    except (ValidationError, CoparentError) as exc:
        text = exc.messages if isinstance(exc, ValidationError) else [exc.message]
        for t in text:
            messages.error(request, t)
    else:
        name = winback_account_name(list_id=list_id, account_id=account_id)
        if row.assignee is None:
            messages.success(request, f"{name} is nobody's call now.")
        else:
            messages.success(request, f"{name} assigned to {person_name(row.assignee)}.")
    return _back(list_id)


@page(allow="act_sales", methods=("POST",))
def contacted(request: HttpRequest, list_id: str, account_id: str) -> HttpResponse:
    try:
        services.winback_mark_contacted(
            actor=actor_for(request),
            list_id=list_id,
            account_id=account_id,
            note=request.POST.get("note", ""),
        )
    except (ValidationError, CoparentError) as exc:
        text = exc.messages if isinstance(exc, ValidationError) else [exc.message]
        for t in text:
            messages.error(request, t)
    else:
        name = winback_account_name(list_id=list_id, account_id=account_id)
        messages.success(request, f"{name} marked as contacted.")
    return _back(list_id)
