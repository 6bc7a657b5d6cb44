"""The digest page: the email as recipients see it, a send button, the week's deliveries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coparent.app.digest.models import DigestDelivery
from tests.notify.servers import webhook_receiver

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_email_in_a_sandboxed_frame(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("owner").get("/digest/", {"week": "2026-W40"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<iframe" in html
    assert "sandbox" in html
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in html  # the email, escaped into the attribute
    assert "Scorecard 2026-Q3" in html
    assert "Sending is not set up." in html
    assert "slack_webhook_url" in html


def test_a_bad_week_is_a_clear_400(workspace: Path, login: Callable[[str], Client]) -> None:
    response = login("champion_sales").get("/digest/", {"week": "soon"})
    assert response.status_code == 400
    assert "not an ISO week" in response.content.decode()


def test_sending_from_the_page_posts_to_slack_then_refuses_a_second_time(
    workspace: Path, login: Callable[[str], Client], settings: Any
) -> None:
    with webhook_receiver() as hook:
        settings.COPARENT_SETTING_OVERRIDES = {"slack_webhook_url": hook.url}
        client = login("champion_marketing")
        first = client.post("/digest/send/", {"week": "2026-W40"}, follow=True)
        second = client.post("/digest/send/", {"week": "2026-W40"}, follow=True)
    assert len(hook.requests) == 1
    assert "slack: sent (1 attempt(s))." in first.content.decode()
    assert "slack: not sent again: the 2026-W40 digest was already sent" in second.content.decode()
    assert "send again (already sent by slack)" in second.content.decode()
    assert DigestDelivery.objects.get().status == "sent"
