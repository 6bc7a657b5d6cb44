"""Accounts (sign in with throttling, invitations) and the owner's Setup page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coparent.app.common.facts import cached_facts
from coparent.app.dashboards.selectors import resolve_period
from coparent.app.goals.models import SubGoalMetric
from coparent.app.goals.selectors import goals_list, sla_terms_current
from coparent.app.teams import services
from coparent.app.teams.access import actor_for, page
from coparent.app.teams.models import Invitation, Role, Team
from coparent.app.teams.selectors import (
    api_tokens_list,
    champion_names,
    invitations_open,
    memberships_list,
    owner_exists,
)
from coparent.services.web_facts import people_list
from coparent.web.notifications.views import preferences_context
from coparent.web.teams.forms import (
    ApiTokenForm,
    ChampionForm,
    CompanyForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipForm,
    ThrottledAuthenticationForm,
)


class SignInView(LoginView):
    """``/accounts/login/``: a throttled sign-in answers 429 until the wait is over."""

    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["no_owner"] = not owner_exists()
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link: create the invited account, then sign in."""
    invitation = Invitation.objects.filter(token=token, accepted_at__isnull=True).first()
    if invitation is None:
        return render(request, "registration/invitation_used.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
            else:
                for e in exc.messages:
                    form.add_error(None, e)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
            messages.success(request, "Welcome! Your account is ready.")
            return redirect("dashboards:scorecard")
    return render(request, "registration/invitation.html", {"form": form, "invitation": invitation})


def _problem(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _form_problem(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{field}: {e}" if field != "__all__" else str(e))


@page(allow="setup")
def setup_home(request: HttpRequest) -> HttpResponse:
    r = resolve_period(None)
    people = cached_facts("people", people_list, params={})
    members = list(memberships_list())
    invitations = [
        {"invitation": i, "link": request.build_absolute_uri(reverse("invite", args=[i.token]))}
        for i in invitations_open()
    ]
    return render(
        request,
        "teams/setup.html",
        {
            "r": r,
            "members": members,
            "invitations": invitations,
            "champions": champion_names(),
            "goals": list(goals_list()),
            "terms": sla_terms_current(),
            "people": people,
            "roles": Role.choices,
            "teams": Team.choices,
            "metrics": SubGoalMetric.choices,
            "linked": {m.person_id for m in members if m.person_id},
        },
    )


@page(allow="setup", methods=("POST",))
def company(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST)
    if form.is_valid():
        services.company_update(**form.cleaned_data)
        messages.success(request, "Company saved.")
    else:
        _form_problem(request, form)
    return redirect(reverse("setup:home") + "#company")


@page(allow="setup", methods=("POST",))
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return redirect(reverse("setup:home") + "#people")
    try:
        inv = services.invitation_create(invited_by=actor_for(request).user, **form.cleaned_data)
    except ValidationError as exc:
        _problem(request, exc)
    else:
        link = request.build_absolute_uri(reverse("invite", args=[inv.token]))
        messages.success(request, f"Invitation for {inv.email}: send them this link: {link}")
    return redirect(reverse("setup:home") + "#people")


@page(allow="setup", methods=("POST",))
def member(request: HttpRequest, user_id: int) -> HttpResponse:
    form = MembershipForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return redirect(reverse("setup:home") + "#people")
    try:
        services.membership_update(user_id=user_id, **form.cleaned_data)
    except ValidationError as exc:
        _problem(request, exc)
    else:
        messages.success(request, "Role saved.")
    return redirect(reverse("setup:home") + "#people")


@page(allow="setup", methods=("POST",))
def champion(request: HttpRequest) -> HttpResponse:
    form = ChampionForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return redirect(reverse("setup:home") + "#champions")
    try:
        services.champion_set(team=form.cleaned_data["team"], user_id=form.cleaned_data["user"])
    except ValidationError as exc:
        _problem(request, exc)
    else:
        messages.success(request, "Champion named.")
    return redirect(reverse("setup:home") + "#champions")


@page(allow="setup", methods=("POST",))
def people_link(request: HttpRequest) -> HttpResponse:
    people = cached_facts("people", people_list, params={})
    changed = services.people_link(people=people.value or [])
    messages.success(
        request, f"Linked {changed} user{'s' if changed != 1 else ''} to people by email."
    )
    return redirect(reverse("setup:home") + "#people")


def _profile(request: HttpRequest, *, new_token: str = "", status: int = 200) -> HttpResponse:
    actor = actor_for(request)
    tokens = api_tokens_list(username=actor.user.get_username())
    return render(
        request,
        "registration/profile.html",
        {
            "tokens": tokens,
            "new_token": new_token,
            "form": ApiTokenForm(),
            **preferences_context(actor),
        },
        status=status,
    )


@page(allow="view")
def profile(request: HttpRequest) -> HttpResponse:
    """``/accounts/profile/``: who you are, and your API tokens."""
    return _profile(request)


@page(allow="view", methods=("POST",))
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a token for yourself; the page shows it once (never stored, never redirected to)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, status=400)
    user = actor_for(request).user
    _, raw = services.api_token_create(username=user.get_username(), name=form.cleaned_data["name"])
    return _profile(request, new_token=raw)


@page(allow="view", methods=("POST",))
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of your own tokens."""
    try:
        services.api_token_revoke(token_id=token_id, user=actor_for(request).user)
    except ValidationError:
        raise Http404("no such token of yours") from None
    messages.success(request, "The token is revoked: the API refuses it from now on.")
    return redirect("profile")
