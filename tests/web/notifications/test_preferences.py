"""The profile page's notification preferences, and the nav's count of what waits for me."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem
from coparent.app.notifications.models import NotificationPreference
from coparent.app.notifications.services import notify_mqls
from coparent.settings import Settings

pytestmark = pytest.mark.django_db


def _item(people: dict[str, Any], waiting_for: str = "marketing") -> FeedbackItem:
    now = timezone.now()
    return FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for=waiting_for,
        title="Prospects ask for SSO",
        author=people["member_sales"],
        created_at=now,
        due_at=now + timedelta(days=2),
    )


def test_the_profile_shows_the_defaults_and_saves_a_change(
    login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    client = login("member_marketing")
    html = client.get(reverse("profile")).content.decode()
    assert 'id="notifications"' in html
    assert 'name="email" id="id_email" checked' in html
    assert 'value="immediate" id="id_frequency_0" required checked' in html
    response = client.post(
        reverse("notification_preferences"),
        {"slack": "on", "slack_member_id": "u024be7lh", "frequency": "daily"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=people["member_marketing"])
    assert (pref.email, pref.slack, pref.slack_member_id, pref.frequency) == (
        False,
        True,
        "U024BE7LH",
        "daily",
    )
    page = unescape(client.get(reverse("profile")).content.decode())
    assert "Your notification preferences are saved." in page
    assert 'value="U024BE7LH"' in page


def test_a_bad_member_id_is_refused_with_its_reason(
    login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    client = login("member_sales")
    response = client.post(
        reverse("notification_preferences"),
        {"slack": "on", "slack_member_id": "@ana", "frequency": "immediate"},
        follow=True,
    )
    assert "Preferences not saved: a Slack member id looks like U024BE7LH" in unescape(
        response.content.decode()
    )
    assert not NotificationPreference.objects.exists()


def test_a_viewer_is_told_that_nothing_waits_for_them(login: Callable[[str], Client]) -> None:
    html = login("viewer").get(reverse("profile")).content.decode()
    assert "you get the weekly digest instead" in html


def test_the_nav_counts_what_waits_for_my_side_and_my_mqls(
    login: Callable[[str], Client], people: dict[str, Any], workspace: Any
) -> None:
    _item(people)
    _item(people)
    now = timezone.now()
    notify_mqls(leads=[{"lead_id": "L9", "mql_at": now}], settings=Settings(), now=now)
    counts = {}
    for role in ("member_marketing", "member_sales", "owner", "viewer"):
        html = login(role).get(reverse("feedback:home")).content.decode()
        found = html.split('class="waiting-count"', 1)
        counts[role] = found[1].split(">", 1)[1].split("<", 1)[0] if len(found) == 2 else None
    assert counts == {"member_marketing": "2", "member_sales": "1", "owner": "2", "viewer": None}


def test_the_count_takes_two_queries_and_writes_nothing(
    login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    from coparent.app.notifications.selectors import waiting_count
    from coparent.app.teams.access import Actor

    _item(people)
    me = Actor(user=people["champion_marketing"], role="champion", team="marketing")
    with CaptureQueriesContext(connection) as ctx:
        assert waiting_count(actor=me) == 1
    assert len(ctx.captured_queries) == 2
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in ctx)
