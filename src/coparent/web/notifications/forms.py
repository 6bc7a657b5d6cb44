"""The notification preferences form (profile page)."""

from __future__ import annotations

from django import forms

from coparent.app.notifications.models import Frequency, NotificationPreference

__all__ = ["NotificationPreferenceForm"]


class NotificationPreferenceForm(forms.Form):
    email = forms.BooleanField(required=False, label="By email")
    slack = forms.BooleanField(required=False, label="On Slack, mentioned in my team's channel")
    slack_member_id = forms.CharField(
        max_length=24,
        required=False,
        label="Slack member id",
        help_text="In Slack: your profile, ⋮, Copy member ID (looks like U024BE7LH).",
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.RadioSelect, label="When")

    @classmethod
    def for_preference(cls, pref: NotificationPreference) -> NotificationPreferenceForm:
        return cls(
            initial={
                "email": pref.email,
                "slack": pref.slack,
                "slack_member_id": pref.slack_member_id,
                "frequency": pref.frequency,
            }
        )
