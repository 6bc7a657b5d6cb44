"""Send the weekly digest by email and to Slack: at most once per week and channel, recorded.

For each channel: claim the week (a ``sending`` `DigestDelivery`; refused when
the week was already sent or is being sent, unless ``force``), deliver with
retries and exponential backoff (`coparent.notify.deliver`), and record every
attempt and the outcome on the row. A failed channel never stops the other
one, and nothing fails silently: every outcome comes back as a
`ChannelOutcome` for the caller to report.

Email goes through Django's SMTP backend with the ``smtp_*`` settings, as one
message with a plain-text and an HTML part; Slack through its incoming
webhook (``slack_webhook_url``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from coparent.app.digest.models import Channel, DigestDelivery, Status
from coparent.app.digest.selectors import digest_recipients_default
from coparent.errors import DigestNotConfigured
from coparent.notify import (
    Attempt,
    DeliveryError,
    Digest,
    DigestError,
    RetryPolicy,
    deliver,
    render_html,
    render_text,
    slack_payload,
    slack_post,
    smtp_failure,
    webhook_label,
)
from coparent.settings import Settings

__all__ = [
    "CHANNELS",
    "ChannelOutcome",
    "DigestNotConfigured",
    "digest_channels",
    "digest_send",
    "smtp_sender",
]

log = logging.getLogger("coparent.digest")

CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.SLACK)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_SETUP_HINT = (
    "for email set smtp_host (and smtp_port, smtp_user, smtp_password, digest_from, "
    "digest_recipients); for Slack set slack_webhook_url; see docs/digest.md"
)
_NEEDS = {"email": "smtp_host", "slack": "slack_webhook_url"}


@dataclass(frozen=True)
class ChannelOutcome:
    """How sending went on one channel: ``sent``, ``failed`` or ``refused`` (already sent)."""

    channel: str
    status: Literal["sent", "failed", "refused"]
    week: str
    attempts: int = 0
    error: str = ""
    hint: str = ""
    recipients: tuple[str, ...] = ()
    delivery_id: int | None = None
    previous_at: datetime | None = None
    log: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "status": self.status,
            "week": self.week,
            "attempts": self.attempts,
            "error": self.error,
            "hint": self.hint,
            "recipients": list(self.recipients),
            "delivery_id": self.delivery_id,
            "previous_at": self.previous_at.isoformat() if self.previous_at else None,
            "log": list(self.log),
        }


def digest_channels(settings: Settings, *, only: Sequence[str] | None = None) -> list[str]:
    """The configured channels (narrowed to ``only``); `DigestNotConfigured` says what to set."""
    configured = {"email": bool(settings.smtp_host), "slack": bool(settings.slack_webhook_url)}
    if only:
        unknown = sorted(set(only) - set(CHANNELS))
        if unknown:
            raise DigestError(
                f"unknown channel(s): {', '.join(unknown)}", hint="use email and/or slack"
            )
        for channel in only:
            if not configured[channel]:
                raise DigestNotConfigured(
                    f"{channel} is not configured: {_NEEDS[channel]} is empty",
                    hint=_SETUP_HINT,
                )
        return [c for c in CHANNELS if c in only]
    chosen = [c for c in CHANNELS if configured[c]]
    if not chosen:
        raise DigestNotConfigured(
            "there is nothing to send the digest with: neither email nor Slack is configured",
            hint=_SETUP_HINT,
        )
    return chosen


def _claim(
    *, week: str, channel: str, force: bool, recipients: Sequence[str]
) -> tuple[DigestDelivery | None, DigestDelivery | None]:
    """(the new ``sending`` row, None), or (None, the earlier send that blocks this one)."""
    earlier = DigestDelivery.objects.filter(
        week=week, channel=channel, status__in=[Status.SENDING, Status.SENT]
    ).order_by("-started_at", "-pk")
    if not force and earlier.exists():
        return None, earlier.first()
    try:
        with transaction.atomic():
            row = DigestDelivery.objects.create(
                week=week,
                channel=channel,
                status=Status.SENDING,
                forced=force,
                recipients=list(recipients),
                started_at=timezone.now(),
            )
    except IntegrityError:  # another run claimed the week a moment ago
        return None, earlier.first()
    return row, None


def _refused(week: str, channel: str, earlier: DigestDelivery | None) -> ChannelOutcome:
    when = earlier.sent_at or earlier.started_at if earlier is not None else None
    stamp = f"{when:%a %-d %b %Y %H:%M} UTC" if when else "earlier"
    if earlier is not None and earlier.status == Status.SENDING:
        error = f"a send of the {week} digest by {channel} started {stamp} and has not finished"
        hint = "if that run crashed, check whether it arrived and send again with --force"
    else:
        error = f"the {week} digest was already sent by {channel} on {stamp}"
        hint = "use --force to send it again"
    return ChannelOutcome(
        channel,
        "refused",
        week,
        error=error,
        hint=hint,
        delivery_id=earlier.pk if earlier is not None else None,
        previous_at=when,
    )


def _email_sender(digest: Digest, settings: Settings, recipients: list[str]) -> Callable[[], None]:
    if settings.smtp_use_tls and settings.smtp_use_ssl:
        raise DigestError(
            "smtp_use_tls and smtp_use_ssl are both on; a server speaks one or the other",
            hint="STARTTLS (usually port 587): smtp_use_tls; SSL from the start (465): "
            "smtp_use_ssl",
        )
    message = EmailMultiAlternatives(
        subject=digest.title,
        body=render_text(digest),
        from_email=settings.digest_from,
        bcc=recipients,  # nobody sees the others' addresses
        headers={
            "To": "undisclosed-recipients:;",
            "X-Coparent-Digest-Week": digest.week,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_html(digest), "text/html")
    return smtp_sender(message, settings)


def smtp_sender(message: EmailMessage, settings: Settings) -> Callable[[], None]:
    """One attempt to send ``message`` through the ``smtp_*`` settings, for `deliver`.

    SMTP and socket errors become `DeliveryError` (retry or not, with a hint);
    the notifications reuse it, so there is one SMTP client.
    """
    if settings.smtp_use_tls and settings.smtp_use_ssl:
        raise DigestError(
            "smtp_use_tls and smtp_use_ssl are both on; a server speaks one or the other",
            hint="STARTTLS (usually port 587): smtp_use_tls; SSL from the start (465): "
            "smtp_use_ssl",
        )

    def send() -> None:
        connection = get_connection(
            SMTP_BACKEND,
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_use_tls,
            use_ssl=settings.smtp_use_ssl,
            timeout=settings.digest_timeout_seconds,
            fail_silently=False,
        )
        try:
            sent = connection.send_messages([message])
        except Exception as exc:  # smtplib / socket errors: classified for the retry policy
            raise smtp_failure(exc, host=settings.smtp_host, port=settings.smtp_port) from None
        finally:
            connection.close()
        if sent != 1:
            raise DeliveryError("the SMTP backend did not send the message", retry=True)

    return send


def _slack_sender(digest: Digest, settings: Settings) -> Callable[[], None]:
    payload = slack_payload(digest)
    url, timeout = settings.slack_webhook_url, settings.digest_timeout_seconds
    return lambda: slack_post(url, payload, timeout=timeout)


def _recorder(row: DigestDelivery, total: int) -> Callable[[Attempt], None]:
    def record(attempt: Attempt) -> None:
        row.attempts = attempt.number
        row.log = [*row.log, attempt.to_dict()]
        row.last_error = attempt.error
        row.save(update_fields=["attempts", "log", "last_error"])
        if not attempt.ok:
            then = f"; next attempt in {attempt.wait_seconds:g} s" if attempt.wait_seconds else ""
            log.warning(
                "digest %s by %s: attempt %d of %d failed: %s%s",
                row.week,
                row.channel,
                attempt.number,
                total,
                attempt.error,
                then,
            )

    return record


def _finish(row: DigestDelivery, status: Status, error: str = "") -> None:
    row.status = status
    row.finished_at = timezone.now()
    if status == Status.SENT:
        row.sent_at = row.finished_at
    if error:
        row.last_error = error
    row.save(update_fields=["status", "finished_at", "sent_at", "last_error"])


def _send_one(
    digest: Digest,
    settings: Settings,
    channel: str,
    *,
    force: bool,
    sleep: Callable[[float], None],
) -> ChannelOutcome:
    week = digest.week
    if channel == Channel.EMAIL:
        recipients = list(settings.digest_recipients) or digest_recipients_default()
    else:
        recipients = [webhook_label(settings.slack_webhook_url)]
    row, earlier = _claim(week=week, channel=channel, force=force, recipients=recipients)
    if row is None:
        return _refused(week, channel, earlier)
    hint = ""
    try:
        if channel == Channel.EMAIL and not recipients:
            raise DigestError(
                "nobody to email: digest_recipients is empty and no app user has an email address",
                hint="set digest_recipients, or add email addresses to the users on Setup",
            )
        send = (
            _email_sender(digest, settings, recipients)
            if channel == Channel.EMAIL
            else _slack_sender(digest, settings)
        )
    except DigestError as exc:
        _finish(row, Status.FAILED, exc.message)
        return ChannelOutcome(
            channel, "failed", week, error=exc.message, hint=exc.hint, delivery_id=row.pk
        )
    policy = RetryPolicy(
        attempts=settings.digest_retry_attempts, base_seconds=settings.digest_retry_base_seconds
    )
    try:
        result = deliver(
            channel, send, policy=policy, sleep=sleep, on_attempt=_recorder(row, policy.attempts)
        )
    except BaseException:
        _finish(row, Status.FAILED, "interrupted while sending")
        raise
    if result.ok:
        _finish(row, Status.SENT)
    else:
        last = result.attempts[-1] if result.attempts else None
        if last is not None and not last.retry:
            hint = last.hint or "trying again does not help with this error; see docs/digest.md"
        elif last is not None:
            hint = last.hint or "the next run tries again (nothing was recorded as sent)"
        _finish(row, Status.FAILED)
    return ChannelOutcome(
        channel,
        "sent" if result.ok else "failed",
        week,
        attempts=len(result.attempts),
        error=result.error,
        hint=hint,
        recipients=tuple(recipients),
        delivery_id=row.pk,
        log=tuple(a.to_dict() for a in result.attempts),
    )


def digest_send(
    *,
    digest: Digest,
    settings: Settings,
    channels: Sequence[str] | None = None,
    force: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ChannelOutcome]:
    """Send ``digest`` on each configured channel (or ``channels``); one outcome per channel.

    Raises `DigestNotConfigured` before anything is claimed when no channel
    (or an asked-for one) is configured. ``sleep`` waits between attempts.
    """
    chosen = digest_channels(settings, only=channels)
    return [_send_one(digest, settings, c, force=force, sleep=sleep) for c in chosen]
