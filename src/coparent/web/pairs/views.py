"""Cross-team pairs: the current round for everyone; the owner and champions start the next."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from coparent.app.pairs import services
from coparent.app.teams.access import actor_for, page
from coparent.errors import CoparentError
from coparent.web.pairs.pages import pairs_page


@page()
def home(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("round", "")
    number = int(raw) if raw.isdigit() else None
    context = pairs_page(actor=actor_for(request), number=number)
    if number is not None and context["round"] is None:
        raise Http404(f"round {number} has not been started")
    return render(request, "pairs/home.html", context)


@page(allow="assign", methods=("POST",))
def start(request: HttpRequest) -> HttpResponse:
    try:
        round_ = services.pair_round_create(actor=actor_for(request))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    except CoparentError as exc:
        messages.error(request, f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    else:
        messages.success(
            request, f"Round {round_.number} started: {round_.pairs.count()} groups meet."
        )
    return HttpResponseRedirect(reverse("pairs:home"))
