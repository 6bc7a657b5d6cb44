"""``/accounts/profile/notifications/``: save how you are told what waits for you (a POST)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from coparent.app.notifications.selectors import NOTIFIED_ROLES, notification_preference_get
from coparent.app.notifications.services import notification_preference_update
from coparent.app.teams.access import Actor, actor_for, page
from coparent.web.notifications.forms import NotificationPreferenceForm

__all__ = ["preferences_context", "preferences_update"]


def preferences_context(actor: Actor) -> dict[str, Any]:
    """What the profile page shows of the preferences: the form, and whether any apply."""
    pref = notification_preference_get(user=actor.user)
    return {
        "notify_form": NotificationPreferenceForm.for_preference(pref),
        "notified": actor.role in NOTIFIED_ROLES,
    }


@page(allow="view", methods=("POST",))
def preferences_update(request: HttpRequest) -> HttpResponse:
    """Save the signed-in person's own preferences, then back to the profile page."""
    form = NotificationPreferenceForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Preferences not saved: {problems}")
        return redirect("profile")
    data = form.cleaned_data
    try:
        notification_preference_update(
            user=actor_for(request).user,
            email=bool(data["email"]),
            slack=bool(data["slack"]),
            slack_member_id=str(data["slack_member_id"] or ""),
            frequency=str(data["frequency"]),
        )
    except ValidationError as exc:
        messages.error(request, "Preferences not saved: " + "; ".join(exc.messages))
        return redirect("profile")
    messages.success(request, "Your notification preferences are saved.")
    return redirect("profile")
