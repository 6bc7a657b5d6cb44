from __future__ import annotations

from django import forms

from coparent.app.goals.models import SubGoalMetric

_METRICS = [("", "—"), *SubGoalMetric.choices]


class GoalForm(forms.Form):
    period = forms.CharField(max_length=20)
    won_revenue = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    marketing_metric = forms.ChoiceField(choices=_METRICS, required=False)
    marketing_target = forms.DecimalField(max_digits=16, decimal_places=4, required=False)
    sales_metric = forms.ChoiceField(choices=_METRICS, required=False)
    sales_target = forms.DecimalField(max_digits=16, decimal_places=4, required=False)


class SlaTermsForm(forms.Form):
    mql_commitment_per_month = forms.IntegerField(min_value=0)
    first_contact_hours = forms.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    answer_within_days = forms.IntegerField(min_value=1, max_value=60)
