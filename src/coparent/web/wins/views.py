"""The Wins page: won deals and kudos; anyone but a viewer gives kudos."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coparent.web.dashboards.selectors import won_deals_get
from coparent.web.teams.access import actor_for, page
from coparent.web.wins.forms import KudosForm
from coparent.web.wins.selectors import kudos_recent
from coparent.web.wins.services import kudos_give


@page()
def home(request: HttpRequest) -> HttpResponse:
    deals = won_deals_get(limit=15)
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    return render(
        request,
        "wins/home.html",
        {
            "deals": deals.value or [],
            "deals_facts": deals,
            "kudos": list(kudos_recent(limit=30)),
            "people": people,
        },
    )


@page(allow="contribute", methods=("POST",))
def kudos(request: HttpRequest) -> HttpResponse:
    form = KudosForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("wins:home")
    try:
        kudos_give(
            actor=actor_for(request),
            message=form.cleaned_data["message"],
            to_user_id=form.cleaned_data["to_user"],
            to_team=form.cleaned_data["to_team"] or "",
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, "Kudos sent.")
    return redirect("wins:home")
