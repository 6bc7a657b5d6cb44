"""``notify_run``: preferences, the daily summary, reminders, retries and failures, the claim."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from coparent.app.notifications import sending
from coparent.app.notifications.models import Notification
from coparent.app.notifications.sending import notify_run
from coparent.app.notifications.services import (
    notification_preference_update,
    notify_feedback_item,
)
from tests.app.notifications.helpers import NOW, notify_settings, open_item
from tests.notify.servers import free_port, smtp_server, webhook_receiver

pytestmark = pytest.mark.django_db


def _prefer(people: dict[str, Any], name: str, **values: Any) -> None:
    defaults = {"email": True, "slack": False, "slack_member_id": "", "frequency": "immediate"}
    notification_preference_update(user=people[name], **{**defaults, **values})


def test_slack_mentions_the_member_in_the_channel_of_the_side_and_email_off_is_skipped(
    people: dict[str, Any],
) -> None:
    _prefer(people, "member_marketing", email=False, slack=True, slack_member_id="u024be7lh")
    item = open_item(people, title="Why <b>no</b> SSO?")
    notify_feedback_item(item_id=item.pk, now=NOW)
    with (
        smtp_server() as (port, box),
        webhook_receiver() as marketing,
        webhook_receiver() as sales,
        webhook_receiver() as fallback,
    ):
        settings = notify_settings(
            smtp_port=port,
            webhook=fallback.url,
            notify_slack_marketing_url=marketing.url,
            notify_slack_sales_url=sales.url,
        )
        report = notify_run(settings=settings, now=NOW)
    assert [rcpt for _, (rcpt,) in box.envelopes] == ["champion_marketing@example.com"]
    assert (len(marketing.requests), len(sales.requests), len(fallback.requests)) == (1, 0, 0)
    payload = marketing.payloads[0]
    assert payload["text"].startswith("<@U024BE7LH> Waiting for Marketing: Why &lt;b&gt;no")
    lines = [b["text"]["text"] for b in payload["blocks"] if "text" in b]
    assert any(
        f"<https://coparent.acme.example/feedback/{item.pk}/|open in the app>" in x for x in lines
    )
    skipped = set(
        Notification.objects.filter(status="skipped").values_list(
            "recipient__username", "channel", "reason"
        )
    )
    assert skipped == {
        ("champion_marketing", "slack", "Slack is off in the recipient's preferences"),
        ("member_marketing", "email", "email is off in the recipient's preferences"),
    }
    assert report.sent == 2


def test_a_slack_member_id_is_checked_when_saved(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="looks like U024BE7LH"):
        _prefer(people, "member_sales", slack=True, slack_member_id="@ana")
    with pytest.raises(ValidationError, match="give your Slack member id"):
        _prefer(people, "member_sales", slack=True)


def test_a_daily_summary_waits_for_the_summary_hour_then_goes_as_one_email(
    people: dict[str, Any],
) -> None:
    _prefer(people, "champion_marketing", frequency="daily")
    morning = NOW.replace(hour=9)  # after today's 08:00 summary
    for title in ("First", "Second"):
        notify_feedback_item(item_id=open_item(people, title=title).pk, now=morning)
    settings_ = {"notify_summary_hour": 8}
    with smtp_server() as (port, box):
        settings = notify_settings(smtp_port=port, **settings_)
        same_day = notify_run(settings=settings, now=morning + timedelta(hours=3))
        to_champion = [m for m in box.messages if "champion_marketing" in m["To"]]
        assert not to_champion  # held for tomorrow's summary
        assert same_day.sent == 2  # the member, told as it happens: one email per item
        next_day = notify_run(settings=settings, now=morning + timedelta(hours=23, minutes=5))
    summaries = [m for m in box.messages if "champion_marketing" in m["To"]]
    assert (len(summaries), next_day.sent) == (1, 2)
    assert summaries[0]["Subject"] == "your daily summary, 2 things for you"
    body = summaries[0].get_content()
    assert "- Waiting for Marketing: First" in body
    assert "- Waiting for Marketing: Second" in body


def test_reminders_before_the_due_date_and_when_overdue_are_queued_once(
    people: dict[str, Any],
) -> None:
    item = open_item(people, created=NOW - timedelta(days=2), due=NOW + timedelta(hours=10))
    answered = open_item(people, created=NOW - timedelta(days=3), due=NOW - timedelta(hours=1))
    answered.answered_at = NOW - timedelta(hours=2)
    answered.save()
    with smtp_server() as (port, box):
        settings = notify_settings(smtp_port=port, notify_reminder_hours=24.0)
        first = notify_run(settings=settings, now=NOW)
        again = notify_run(settings=settings, now=NOW + timedelta(minutes=10))
        late = notify_run(settings=settings, now=NOW + timedelta(hours=11))
    assert (first.queued, again.queued, late.queued) == (4, 0, 4)  # 2 people x 2 channels
    subjects = sorted(m["Subject"] for m in box.messages)
    assert subjects == [
        "Due soon: Prospects ask for SSO",
        "Due soon: Prospects ask for SSO",
        "Overdue: Prospects ask for SSO",
        "Overdue: Prospects ask for SSO",
    ]
    assert "was due Tue 8 Dec 2026 20:00 UTC" in box.messages[-1].get_content()
    assert not Notification.objects.filter(item_ref=f"feedback:{answered.pk}").exists()
    assert Notification.objects.filter(item_ref=f"feedback:{item.pk}", kind="overdue").count() == 4


def test_a_failure_that_may_pass_is_retried_by_later_runs_then_given_up(
    people: dict[str, Any],
) -> None:
    notify_feedback_item(item_id=open_item(people).pk, now=NOW)
    settings = notify_settings(smtp_port=free_port(), notify_retry_attempts=2)
    first = notify_run(settings=settings, now=NOW)
    assert (first.retrying, first.failed) == (2, 0)
    row = Notification.objects.get(channel="email", recipient=people["member_marketing"])
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert "cannot connect to the SMTP server 127.0.0.1" in row.log[0]["error"]
    too_soon = notify_run(settings=settings, now=NOW + timedelta(seconds=30))
    assert too_soon.retrying == too_soon.failed == 0  # not due yet
    second = notify_run(settings=settings, now=NOW + timedelta(seconds=61))
    assert (second.retrying, second.failed) == (0, 2)
    row.refresh_from_db()
    assert (row.status, row.attempts, len(row.log)) == ("failed", 2, 2)


def test_a_revoked_webhook_fails_at_once_and_the_email_still_goes(people: dict[str, Any]) -> None:
    _prefer(people, "member_marketing", slack=True, slack_member_id="U1ABC")
    notify_feedback_item(item_id=open_item(people).pk, now=NOW)
    with smtp_server() as (port, box), webhook_receiver(statuses=[404]) as hook:
        report = notify_run(settings=notify_settings(smtp_port=port, webhook=hook.url), now=NOW)
    assert (report.sent, report.failed, len(box.messages)) == (2, 1, 2)
    failed = Notification.objects.get(status="failed")
    assert failed.channel == "slack"
    assert "answered HTTP 404" in failed.last_error
    assert "secret" not in failed.last_error  # the webhook URL is the credential


def test_a_claimed_row_is_never_claimed_again_by_a_second_run(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs read the same candidates; the conditional UPDATE gives each row to one run."""
    notify_feedback_item(item_id=open_item(people).pk, now=NOW)
    settings = notify_settings(smtp_port=1)
    seen = sending._candidates(NOW, settings, lock=False)
    first = sending._claim(NOW, settings)
    monkeypatch.setattr(sending, "_candidates", lambda *args, **kwargs: seen)  # a stale read
    second = sending._claim(NOW, settings)
    assert (len(first), second) == (4, [])
    assert set(Notification.objects.values_list("status", flat=True)) == {"sending"}


def test_a_row_left_sending_by_a_dead_run_is_failed_not_sent_again(people: dict[str, Any]) -> None:
    notify_feedback_item(item_id=open_item(people).pk, now=NOW)
    sending._claim(NOW, notify_settings())
    with smtp_server() as (port, box):
        report = notify_run(settings=notify_settings(smtp_port=port), now=NOW + timedelta(hours=2))
    assert (report.stale, report.sent, len(box.messages)) == (4, 0, 0)
    assert set(Notification.objects.values_list("status", flat=True)) == {"failed"}


def test_a_dry_run_sends_and_writes_nothing(people: dict[str, Any]) -> None:
    notify_feedback_item(item_id=open_item(people).pk, now=NOW)
    open_item(
        people, title="Overdue", created=NOW - timedelta(days=3), due=NOW - timedelta(hours=1)
    )
    before = list(Notification.objects.values_list("pk", "status"))
    report = notify_run(settings=notify_settings(smtp_port=1), now=NOW, dry_run=True)
    assert report.queued == 4
    assert {(m["to"], m["channel"], m["notices"]) for m in report.messages} == {
        ("champion_marketing", "email", 1),
        ("champion_marketing", "slack", 1),
        ("member_marketing", "email", 1),
        ("member_marketing", "slack", 1),
    }
    assert list(Notification.objects.values_list("pk", "status")) == before
