"""Forms parse what people type; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from coparent.app.common.facts import cached_facts
from coparent.app.feedback.models import Topic, Verdict
from coparent.services.web_facts import products_list

REJECTION_REASONS = (
    "No budget",
    "No need",
    "Not a decision maker",
    "Wrong company size",
    "Existing customer",
    "Duplicate",
    "Competitor",
    "Student or job seeker",
)


def product_resolve(text: str) -> str:
    """The product id that ``text`` names (its id, or its name in any case); "" for none.

    Feedback refers to products by id; checking it here means no stored value
    can link to a missing product page. `forms.ValidationError` lists the choices.
    """
    text = text.strip()
    if not text:
        return ""
    facts = cached_facts("products-list", products_list, params={})
    products = facts.value or []
    if not products:
        raise forms.ValidationError(
            f"no products are imported, so {text!r} cannot be checked; import products first"
        )
    for p in products:
        if text == str(p["product_id"]):
            return text
    for p in products:
        if text.casefold() == str(p["name"]).casefold():
            return str(p["product_id"])
    names = ", ".join(str(p["name"]) for p in products[:12])
    raise forms.ValidationError(f"no product {text!r}; the products are: {names}")


class _ProductField(forms.CharField):
    def clean(self, value: Any) -> str:
        return product_resolve(str(super().clean(value) or ""))


class LeadReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    reason = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    product_id = _ProductField(max_length=200, required=False)


class InsightForm(forms.Form):
    title = forms.CharField(max_length=200)
    topic = forms.ChoiceField(choices=Topic.choices)
    body = forms.CharField(required=False, widget=forms.Textarea)
    product_id = _ProductField(max_length=200, required=False)


class BriefForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea)
    campaign_id = forms.CharField(max_length=200, required=False)
    product_id = _ProductField(max_length=200, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea)
    close = forms.BooleanField(required=False)
