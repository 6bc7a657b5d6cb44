"""Sending the digest to a real local SMTP server and webhook receiver: retries, records, dedupe."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from coparent.app.digest.models import DigestDelivery
from coparent.app.digest.services import DigestNotConfigured, digest_send
from coparent.settings import Settings
from tests.notify.samples import sample_digest
from tests.notify.servers import Mailbox, free_port, smtp_server, webhook_receiver

pytestmark = pytest.mark.django_db

SECTION_TITLES = (
    "Scorecard 2026-Q3",
    "Diagnosis",
    "Wins to celebrate",
    "Waiting for an answer",
    "Starter projects",
    "pairs",
)


def _settings(*, smtp_port: int | None = None, webhook: str = "", **extra: Any) -> Settings:
    return replace(
        Settings(),
        smtp_host="127.0.0.1" if smtp_port else "",
        smtp_port=smtp_port or 587,
        smtp_use_tls=False,
        slack_webhook_url=webhook,
        digest_from="digest@acme.example",
        digest_retry_attempts=4,
        digest_retry_base_seconds=1.5,
        digest_timeout_seconds=5.0,
        **extra,
    )


class Waits(list[float]):
    """An injected sleep: remembers each wait, never waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _parts(box: Mailbox) -> dict[str, str]:
    message = box.messages[0]
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_the_digest_goes_by_email_with_text_and_html_and_to_slack(people: dict[str, Any]) -> None:
    digest = sample_digest()
    with smtp_server() as (port, box), webhook_receiver() as hook:
        outcomes = digest_send(
            digest=digest, settings=_settings(smtp_port=port, webhook=hook.url), sleep=Waits()
        )
    assert [(o.channel, o.status, o.attempts) for o in outcomes] == [
        ("email", "sent", 1),
        ("slack", "sent", 1),
    ]
    everyone = sorted(u.email for u in people.values())
    assert box.envelopes == [("digest@acme.example", everyone)]
    message = box.messages[0]
    assert message["Subject"] == digest.title
    assert message["To"] == "undisclosed-recipients:;"  # addresses only in the envelope (Bcc)
    assert message["Bcc"] is None
    assert not any(address in message.as_string() for address in everyone)
    assert message["X-Coparent-Digest-Week"] == "2026-W40"
    assert message["Auto-Submitted"] == "auto-generated"
    parts = _parts(box)
    assert set(parts) == {"text/plain", "text/html"}
    for title in SECTION_TITLES:
        assert title in parts["text/plain"]
        assert title.replace("'", "&#x27;") in parts["text/html"]
    assert "Credited: Ana Rep (Sales), Bo Webinar (Marketing)" in parts["text/plain"]
    assert "&lt;script&gt;" in parts["text/html"]
    assert len(hook.requests) == 1
    slack_text = "\n".join(b["text"]["text"] for b in hook.payloads[0]["blocks"] if "text" in b)
    for title in SECTION_TITLES:
        assert title in slack_text
    rows = {r.channel: r for r in DigestDelivery.objects.all()}
    assert {c: (r.status, r.attempts, r.week, r.forced) for c, r in rows.items()} == {
        "email": ("sent", 1, "2026-W40", False),
        "slack": ("sent", 1, "2026-W40", False),
    }
    assert rows["email"].recipients == everyone
    assert rows["slack"].recipients == ["slack webhook at 127.0.0.1"]  # never the secret URL
    assert rows["email"].sent_at is not None
    assert rows["email"].log[0]["ok"] is True


def test_recipients_from_the_settings_replace_the_app_users(people: dict[str, Any]) -> None:
    with smtp_server() as (port, box):
        digest_send(
            digest=sample_digest(),
            settings=_settings(smtp_port=port, digest_recipients=("team@acme.example",)),
        )
    assert box.envelopes[0][1] == ["team@acme.example"]


def test_smtp_down_is_retried_with_backoff_recorded_and_reported(people: dict[str, Any]) -> None:
    waits = Waits()
    with webhook_receiver() as hook:
        outcomes = digest_send(
            digest=sample_digest(),
            settings=_settings(smtp_port=free_port(), webhook=hook.url),
            sleep=waits,
        )
    email, slack = outcomes
    assert email.status == "failed"
    assert email.attempts == 4
    assert "cannot connect to the SMTP server 127.0.0.1" in email.error
    assert waits == [1.5, 3.0, 6.0]
    assert slack.status == "sent"  # one channel failing never stops the other
    row = DigestDelivery.objects.get(channel="email")
    assert (row.status, row.attempts, row.sent_at) == ("failed", 4, None)
    assert [entry["number"] for entry in row.log] == [1, 2, 3, 4]
    assert all("cannot connect" in entry["error"] for entry in row.log)
    assert row.last_error == email.error


class _Busy(Mailbox):
    """Answers 451 (try again later) to the first ``busy`` messages, then accepts."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy
        self.tries = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.tries <= self.busy:
            return "451 Busy, try again later"
        return await super().handle_DATA(server, session, envelope)


def test_an_smtp_server_saying_try_later_gets_the_digest_on_a_later_attempt(
    people: dict[str, Any],
) -> None:
    from aiosmtpd.controller import Controller

    box = _Busy(busy=2)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        waits = Waits()
        (email,) = digest_send(
            digest=sample_digest(), settings=_settings(smtp_port=controller.port), sleep=waits
        )
    finally:
        controller.stop()
    assert box.tries == 3
    assert len(box.messages) == 1
    assert (email.status, email.attempts) == ("sent", 3)
    assert waits == [1.5, 3.0]
    assert [e["ok"] for e in DigestDelivery.objects.get().log] == [False, False, True]


def test_a_webhook_answering_500_is_retried_every_attempt_reaching_the_receiver(db: None) -> None:
    waits = Waits()
    with webhook_receiver([500] * 10) as hook:
        (slack,) = digest_send(
            digest=sample_digest(), settings=_settings(webhook=hook.url), sleep=waits
        )
    assert len(hook.requests) == 4
    assert (slack.status, slack.attempts) == ("failed", 4)
    assert "answered HTTP 500" in slack.error
    assert waits == [1.5, 3.0, 6.0]
    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 4)
    assert all("HTTP 500" in entry["error"] for entry in row.log)


def test_a_webhook_that_recovers_gets_the_message(db: None) -> None:
    with webhook_receiver([500, 503]) as hook:
        (slack,) = digest_send(
            digest=sample_digest(), settings=_settings(webhook=hook.url), sleep=Waits()
        )
    assert len(hook.requests) == 3
    assert (slack.status, slack.attempts) == ("sent", 3)


def test_a_revoked_webhook_is_not_hammered(db: None) -> None:
    with webhook_receiver([404] * 10) as hook:
        (slack,) = digest_send(
            digest=sample_digest(), settings=_settings(webhook=hook.url), sleep=Waits()
        )
    assert len(hook.requests) == 1
    assert slack.status == "failed"
    assert "does not help" in slack.hint


def test_a_second_send_in_the_same_week_is_refused_unless_forced(people: dict[str, Any]) -> None:
    digest = sample_digest()
    with smtp_server() as (port, box), webhook_receiver() as hook:
        settings = _settings(smtp_port=port, webhook=hook.url)
        first = digest_send(digest=digest, settings=settings)
        second = digest_send(digest=digest, settings=settings)
        assert [o.status for o in first] == ["sent", "sent"]
        assert [o.status for o in second] == ["refused", "refused"]
        assert "already sent by email" in second[0].error
        assert "--force" in second[0].hint
        assert (len(box.messages), len(hook.requests)) == (1, 1)
        other_week = digest_send(digest=sample_digest(week="2026-W41"), settings=settings)
        assert [o.status for o in other_week] == ["sent", "sent"]
        forced = digest_send(digest=digest, settings=settings, force=True)
        assert [o.status for o in forced] == ["sent", "sent"]
        assert (len(box.messages), len(hook.requests)) == (3, 3)
        again = digest_send(digest=digest, settings=settings, channels=["slack"])
        assert [o.status for o in again] == ["refused"]
    rows = DigestDelivery.objects.filter(week="2026-W40")
    assert sorted((r.channel, r.forced) for r in rows) == [
        ("email", False),
        ("email", True),
        ("slack", False),
        ("slack", True),
    ]


def test_a_failed_week_is_not_a_sent_week(db: None) -> None:
    with webhook_receiver([500] * 4) as hook:
        settings = _settings(webhook=hook.url)
        assert (
            digest_send(digest=sample_digest(), settings=settings, sleep=Waits())[0].status
            == "failed"
        )
        assert (
            digest_send(digest=sample_digest(), settings=settings, sleep=Waits())[0].status
            == "sent"
        )


def test_a_send_still_running_blocks_another_one(db: None) -> None:
    DigestDelivery.objects.create(
        week="2026-W40",
        channel="slack",
        status="sending",
        started_at=timezone.now() - timedelta(minutes=3),
    )
    with webhook_receiver() as hook:
        (slack,) = digest_send(digest=sample_digest(), settings=_settings(webhook=hook.url))
    assert slack.status == "refused"
    assert "has not finished" in slack.error
    assert hook.requests == []


def test_only_one_unforced_send_per_week_and_channel_can_exist(db: None) -> None:
    from django.db import IntegrityError, transaction

    DigestDelivery.objects.create(
        week="2026-W40", channel="email", status="sent", started_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestDelivery.objects.create(
            week="2026-W40", channel="email", status="sending", started_at=timezone.now()
        )


def test_nothing_configured_says_what_to_set(db: None) -> None:
    with pytest.raises(DigestNotConfigured, match="neither email nor Slack") as caught:
        digest_send(digest=sample_digest(), settings=Settings())
    assert "smtp_host" in caught.value.hint
    assert "slack_webhook_url" in caught.value.hint
    with pytest.raises(DigestNotConfigured, match="slack_webhook_url is empty"):
        digest_send(digest=sample_digest(), settings=_settings(smtp_port=25), channels=["slack"])
    assert not DigestDelivery.objects.exists()


def test_email_with_nobody_to_send_to_fails_and_says_why(db: None) -> None:
    (email,) = digest_send(digest=sample_digest(), settings=_settings(smtp_port=free_port()))
    assert email.status == "failed"
    assert "nobody to email" in email.error
    assert "digest_recipients" in email.hint
    assert DigestDelivery.objects.get().status == "failed"
