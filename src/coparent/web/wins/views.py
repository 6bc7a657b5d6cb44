"""The Wins page (wins found in the data, and kudos), the refresh button, the balance panel.

Anyone but a viewer gives kudos; the owner and the champions refresh the
engine by hand and see the balance panel.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coparent.app.teams.access import actor_for, page
from coparent.app.wins.services import kudos_give, wins_refresh
from coparent.errors import CoparentError
from coparent.web.wins import pages
from coparent.web.wins.forms import KudosForm


@page()
def home(request: HttpRequest) -> HttpResponse:
    query = pages.wins_query(
        team=request.GET.get("team"),
        kind=request.GET.get("kind"),
        mine=request.GET.get("mine") == "1",
        page=request.GET.get("page"),
    )
    return render(request, "wins/home.html", pages.wins_page(actor=actor_for(request), **query))


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


@page(allow="assign", methods=("POST",))
def refresh(request: HttpRequest) -> HttpResponse:
    """Run the engine now, even when nothing seems to have changed."""
    try:
        run = wins_refresh(force=True)
    except CoparentError as exc:
        messages.error(request, f"The wins engine could not run: {exc.message}")
    else:
        if run is None:
            messages.error(request, "There is no workspace yet: import data first.")
        else:
            new = f"{run.added} new" if run.added else "nothing new"
            messages.success(request, f"Wins refreshed: {run.found} found, {new}.")
    return redirect("wins:home")


@page(allow="assign")
def balance(request: HttpRequest) -> HttpResponse:
    return render(request, "wins/balance.html", pages.balance_page(actor=actor_for(request)))
