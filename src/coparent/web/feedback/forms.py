"""Forms parse what people type; the services decide."""

from __future__ import annotations

from django import forms

from coparent.web.feedback.models import Topic, Verdict

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


class LeadReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    reason = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    product_id = forms.CharField(max_length=200, required=False)


class InsightForm(forms.Form):
    title = forms.CharField(max_length=200)
    topic = forms.ChoiceField(choices=Topic.choices)
    body = forms.CharField(required=False, widget=forms.Textarea)
    product_id = forms.CharField(max_length=200, required=False)


class BriefForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea)
    campaign_id = forms.CharField(max_length=200, required=False)
    product_id = forms.CharField(max_length=200, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea)
    close = forms.BooleanField(required=False)
