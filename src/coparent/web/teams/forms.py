"""Forms for accounts and setup; the sign-in form throttles failed attempts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from coparent.app.teams.models import Role, Team
from coparent.app.teams.selectors import login_wait_seconds
from coparent.app.teams.services import login_failure_record, login_failures_clear

__all__ = [
    "ChampionForm",
    "CompanyForm",
    "InvitationAcceptForm",
    "InvitationForm",
    "MembershipForm",
    "ThrottledAuthenticationForm",
    "client_ip",
]


def client_ip(request: HttpRequest | None) -> str:
    """The client's address; behind a trusted proxy, the last hop it appended."""
    if request is None:
        return ""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form (fields ``username`` and ``password``) with a wait after N misses."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        ip = client_ip(self.request)
        wait = login_wait_seconds(username=username, ip=ip)
        if wait:
            self.throttled = True
            minutes = max(1, round(wait / 60))
            raise forms.ValidationError(
                f"Too many failed sign-ins for this username from your address. "
                f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip=ip)
            raise
        login_failures_clear(username=username, ip=ip)
        return cleaned


class CompanyForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    single_team = forms.BooleanField(required=False)


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ChoiceField(choices=[("", "—"), *Team.choices], required=False)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ChoiceField(choices=[("", "—"), *Team.choices], required=False)


class ChampionForm(forms.Form):
    team = forms.ChoiceField(choices=[("marketing", "Marketing"), ("sales", "Sales")])
    user = forms.IntegerField()


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="What it is for")
