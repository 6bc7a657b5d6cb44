"""The weekly digest page (owner and champions): preview it, send it, see what was sent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from coparent.app.common.facts import core_settings, workspace
from coparent.app.digest.selectors import digest_data_last, digest_get, digest_week
from coparent.app.digest.services import digest_channels, digest_send
from coparent.app.teams.access import page
from coparent.notify import parse_week
from coparent.web.digest.pages import digest_page, today


# "assign" is the owner and the champions: the people who run the family meeting.
@page(allow="assign")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "digest/home.html", digest_page(week=request.GET.get("week")))


@page(allow="assign", methods=("POST",))
def send(request: HttpRequest) -> HttpResponse:
    """Send the week's digest now (retries happen within the request)."""
    ws = workspace()
    settings = core_settings(ws)
    digest_channels(settings)  # nothing configured: say so before building anything
    raw = request.POST.get("week") or None
    chosen = digest_week(
        week=parse_week(raw) if raw else None, today=today(settings), data_last=digest_data_last(ws)
    )
    digest = digest_get(ws=ws, week=chosen)
    outcomes = digest_send(digest=digest, settings=settings, force=request.POST.get("force") == "1")
    for o in outcomes:
        if o.status == "sent":
            messages.success(request, f"{o.channel}: sent ({o.attempts} attempt(s)).")
        elif o.status == "refused":
            messages.warning(request, f"{o.channel}: not sent again: {o.error}.")
        else:
            hint = f" ({o.hint})" if o.hint else ""
            messages.error(
                request, f"{o.channel}: failed after {o.attempts} attempt(s): {o.error}{hint}"
            )
    return HttpResponseRedirect(reverse("digest:home") + "?" + urlencode({"week": chosen.week}))
