from __future__ import annotations

from django import forms


class KudosForm(forms.Form):
    message = forms.CharField(max_length=500)
    to_user = forms.IntegerField(required=False)
    to_team = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("marketing", "Marketing"), ("sales", "Sales"), ("both", "both")],
    )
