"""Setup's goal and SLA forms (owner only)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coparent.app.common.facts import core_settings
from coparent.app.goals.models import SubGoalMetric
from coparent.app.goals.services import goal_delete, goal_set, sla_terms_set
from coparent.app.teams.access import actor_for, page
from coparent.web.goals.forms import GoalForm, SlaTermsForm

_RATES = (SubGoalMetric.ACCEPTANCE_RATE, SubGoalMetric.WIN_RATE, SubGoalMetric.SLA_SHARE)


def _messages(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _target(metric: str, value: Decimal | None) -> Decimal | None:
    """Rates are typed as percentages (30) and stored as shares (0.30)."""
    if value is None or metric not in _RATES:
        return value
    return value / 100 if value > 1 else value


@page(allow="setup", methods=("POST",))
def goal(request: HttpRequest) -> HttpResponse:
    form = GoalForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{field}: {e}")
        return redirect(reverse("setup:home") + "#goals")
    d = form.cleaned_data
    try:
        saved = goal_set(
            set_by=actor_for(request).user,
            period=d["period"],
            won_revenue=d["won_revenue"],
            fiscal_year_start_month=core_settings().fiscal_year_start_month,
            marketing_metric=d["marketing_metric"],
            marketing_target=_target(d["marketing_metric"], d["marketing_target"]),
            sales_metric=d["sales_metric"],
            sales_target=_target(d["sales_metric"], d["sales_target"]),
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, f"Shared goal for {saved.period} saved.")
    return redirect(reverse("setup:home") + "#goals")


@page(allow="setup", methods=("POST",))
def goal_remove(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal_delete(goal_id=goal_id)
    messages.success(request, "Goal removed.")
    return redirect(reverse("setup:home") + "#goals")


@page(allow="setup", methods=("POST",))
def sla(request: HttpRequest) -> HttpResponse:
    form = SlaTermsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{field}: {e}")
        return redirect(reverse("setup:home") + "#sla")
    try:
        sla_terms_set(set_by=actor_for(request).user, **form.cleaned_data)
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, "SLA terms saved; they apply from now on.")
    return redirect(reverse("setup:home") + "#sla")
