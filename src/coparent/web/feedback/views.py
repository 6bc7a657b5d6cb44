"""Feedback pages and their POSTs (each POST redirects back with a message)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from coparent.app.feedback import services
from coparent.app.feedback.models import FeedbackItem, Kind
from coparent.app.teams.access import actor_for, page
from coparent.web.feedback import pages
from coparent.web.feedback.forms import AnswerForm, BriefForm, InsightForm, LeadReviewForm


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return HttpResponseRedirect(target)


def _problem(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _form_problem(request: HttpRequest, form: Form) -> None:
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{field}: {e}" if field != "__all__" else str(e))


@page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/home.html", pages.feedback_page(actor=actor_for(request)))


@page()
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        context = pages.item_page(actor=actor_for(request), item_id=item_id)
    except FeedbackItem.DoesNotExist:
        raise Http404("no such feedback item") from None
    return render(request, "feedback/item.html", context)


@page()
def lead(request: HttpRequest, lead_id: str) -> HttpResponse:
    context = pages.lead_page(actor=actor_for(request), lead_id=lead_id)
    if context["lead"] is None and not context["facts"].missing and context["review"] is None:
        raise Http404(f"no lead {lead_id!r} in the warehouse")
    return render(request, "feedback/lead.html", context)


@page(allow="act_sales", methods=("POST",))
def lead_review(request: HttpRequest, lead_id: str) -> HttpResponse:
    form = LeadReviewForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return _back(request, reverse("feedback:home"))
    try:
        review = services.lead_review_create(
            actor=actor_for(request), lead_id=lead_id, **form.cleaned_data
        )
    except ValidationError as exc:
        _problem(request, exc)
    else:
        word = "accepted" if review.verdict == "accepted" else f"rejected ({review.reason})"
        messages.success(request, f"Lead {lead_id} {word}.")
    return _back(request, reverse("feedback:home"))


def _post_item(request: HttpRequest, kind: Kind, form: InsightForm | BriefForm) -> HttpResponse:
    if not form.is_valid():
        _form_problem(request, form)
        return _back(request, reverse("feedback:home"))
    try:
        created = services.feedback_item_create(
            actor=actor_for(request), kind=kind, **form.cleaned_data
        )
    except ValidationError as exc:
        _problem(request, exc)
    else:
        messages.success(request, f"Posted: {created.title}.")
    return _back(request, reverse("feedback:home"))


@page(allow="act_sales", methods=("POST",))
def insight_create(request: HttpRequest) -> HttpResponse:
    return _post_item(request, Kind.FIELD_INSIGHT, InsightForm(request.POST))


@page(allow="act_marketing", methods=("POST",))
def brief_create(request: HttpRequest) -> HttpResponse:
    return _post_item(request, Kind.CAMPAIGN_BRIEF, BriefForm(request.POST))


@page(allow="contribute", methods=("POST",))
def answer(request: HttpRequest, item_id: int) -> HttpResponse:
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return _back(request, reverse("feedback:item", args=[item_id]))
    try:
        done = services.feedback_item_answer(
            actor=actor_for(request), item_id=item_id, **form.cleaned_data
        )
    except FeedbackItem.DoesNotExist:
        raise Http404("no such feedback item") from None
    except ValidationError as exc:
        _problem(request, exc)
    else:
        messages.success(request, f"Answered: {done.title}.")
    return _back(request, reverse("feedback:home"))


@page(allow="contribute", methods=("POST",))
def close(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        done = services.feedback_item_close(actor=actor_for(request), item_id=item_id)
    except FeedbackItem.DoesNotExist:
        raise Http404("no such feedback item") from None
    messages.success(request, f"Closed: {done.title}.")
    return _back(request, reverse("feedback:home"))
