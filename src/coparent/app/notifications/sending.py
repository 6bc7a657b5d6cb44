"""``coparent notify run``: claim the notifications that are due and deliver them, once.

`notify_run` queues the reminders and wins the data call for
(`coparent.app.notifications.services.notify_scan`), claims the due rows (a
conditional UPDATE from ``queued`` to ``sending`` with the run's token; on
PostgreSQL after ``SELECT ... FOR UPDATE SKIP LOCKED``), skips what no longer
waits or what a preference or a missing setting rules out (saying why), and
sends each person's rows as one message through the digest's path:
`coparent.notify.deliver`, `coparent.app.digest.services.smtp_sender` and
`slack_post`. Every attempt is recorded on the rows; a failure another
attempt may fix is queued again for a later run.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.notifications.models import (
    Channel,
    Frequency,
    Kind,
    Notification,
    NotificationPreference,
    Status,
)
from coparent.app.notifications.services import company_get, notify_scan, user_name
from coparent.errors import CoparentError
from coparent.notify import (
    Attempt,
    Message,
    Notice,
    RetryPolicy,
    deliver,
    message_slack,
    message_subject,
    message_text,
    slack_post,
)
from coparent.settings import Settings

__all__ = ["MAX_BATCHES", "STALE_CLAIM", "RunReport", "notify_run", "summary_moment"]

log = logging.getLogger("coparent.notifications")

STALE_CLAIM = timedelta(hours=1)
"""A row still ``sending`` this long after its claim was left by a run that died."""
MAX_BATCHES = 20
"""Claims of `CLAIM_BATCH` rows one run makes at most; the rest wait for the next run."""
CLAIM_BATCH = 500


@dataclass
class RunReport:
    """What one ``coparent notify run`` did: rows queued by the scan, and each message."""

    queued: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    stale: int = 0
    dry_run: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "retrying": self.retrying,
            "stale": self.stale,
            "dry_run": self.dry_run,
            "messages": self.messages,
        }


def _zone(settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def summary_moment(now: datetime, settings: Settings) -> datetime:
    """The latest daily-summary time at or before ``now`` (``notify_summary_hour`` local)."""
    local = now.astimezone(_zone(settings))
    moment = local.replace(hour=settings.notify_summary_hour, minute=0, second=0, microsecond=0)
    if moment > local:
        moment -= timedelta(days=1)
    return moment


def _candidates(
    now: datetime, settings: Settings, *, lock: bool, skip: Iterable[int] = ()
) -> list[int]:
    """The rows due now, oldest first: everything for people told as it happens; for a
    daily-summary person only what was queued before the latest summary time."""
    daily = NotificationPreference.objects.filter(frequency=Frequency.DAILY).values("user_id")
    rows = (
        Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .exclude(recipient_id__in=daily, created_at__gt=summary_moment(now, settings))
        .exclude(pk__in=list(skip))
        .order_by("next_attempt_at", "pk")
    )
    if lock:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows.values_list("pk", flat=True)[:CLAIM_BATCH])


def _claim(now: datetime, settings: Settings, *, skip: Iterable[int] = ()) -> list[Notification]:
    """Claim the due rows for this run: only rows still ``queued`` change hands.

    On PostgreSQL the candidates are locked (``FOR UPDATE SKIP LOCKED``) so a
    second run passes over them; everywhere the UPDATE is conditional on
    ``status = 'queued'``, so a row another run claimed first is not claimed.
    """
    token = uuid.uuid4().hex
    lock = bool(connection.features.has_select_for_update_skip_locked)
    # SQLite: no transaction around the read, so the UPDATE waits for another writer instead of
    # failing to upgrade its lock; the condition on status keeps the claim exclusive.
    with transaction.atomic() if lock else contextlib.nullcontext():
        ids = _candidates(now, settings, lock=lock, skip=skip)
        if ids:
            Notification.objects.filter(pk__in=ids, status=Status.QUEUED).update(
                status=Status.SENDING, claim=token, claimed_at=now
            )
    return list(
        Notification.objects.filter(claim=token, status=Status.SENDING)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )


def _release_stale(now: datetime) -> int:
    """Rows a dead run left ``sending``: failed, never sent again (it may have arrived)."""
    return Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        status=Status.FAILED,
        finished_at=now,
        last_error="the run that claimed it stopped before it finished; it may have arrived",
    )


def _still_waiting(rows: Sequence[Notification]) -> set[int]:
    """The rows whose item still waits (an item answered or closed, a lead reviewed: no)."""
    items = {int(r.item_ref.split(":", 1)[1]) for r in rows if r.item_ref.startswith("feedback:")}
    leads = {r.item_ref.split(":", 1)[1] for r in rows if r.item_ref.startswith("lead:")}
    open_items = set(
        FeedbackItem.objects.filter(
            pk__in=items, answered_at__isnull=True, closed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    unclosed = set(
        FeedbackItem.objects.filter(pk__in=items, closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    reviewed = set(LeadReview.objects.filter(lead_id__in=leads).values_list("lead_id", flat=True))
    out = set()
    for r in rows:
        ref = r.item_ref.split(":", 1)[1] if ":" in r.item_ref else ""
        if r.item_ref.startswith("lead:"):
            ok = ref not in reviewed
        elif r.item_ref.startswith("feedback:"):
            ok = int(ref) in (unclosed if r.kind == Kind.ANSWER else open_items)
        else:
            ok = True
        if ok:
            out.add(r.pk)
    return out


def _slack_url(row: Notification, settings: Settings) -> str:
    if row.recipient_id is None:
        return settings.notify_slack_wins_url
    team = {
        "sales": settings.notify_slack_sales_url,
        "marketing": settings.notify_slack_marketing_url,
    }.get(row.side, "")
    return team or settings.slack_webhook_url


def _why_not(row: Notification, pref: NotificationPreference | None, settings: Settings) -> str:
    """Why the row is not sent (a preference, a missing setting or address), or ""."""
    user = row.recipient
    if user is not None and not user.is_active:
        return "the recipient's account is inactive"
    if row.channel == Channel.EMAIL:
        if user is None:
            return "channel posts go to Slack only"
        if pref is not None and not pref.email:
            return "email is off in the recipient's preferences"
        if not settings.smtp_host:
            return "email is not configured (smtp_host)"
        if not user.email:
            return "the recipient has no email address"
        return ""
    if user is not None:
        if pref is None or not pref.slack:
            return "Slack is off in the recipient's preferences"
        if not pref.slack_member_id:
            return "the recipient gave no Slack member id"
    if not _slack_url(row, settings):
        return "no Slack webhook is configured for it (notify_slack_*_url, slack_webhook_url)"
    return ""


def _finish(rows: Iterable[Notification], status: str, now: datetime, **values: Any) -> None:
    ids = [r.pk for r in rows]
    if ids:
        Notification.objects.filter(pk__in=ids).update(status=status, finished_at=now, **values)


def _email_send(
    message: Message, user: Any, kinds: Sequence[str], settings: Settings
) -> Callable[[], None]:
    from coparent.app.digest.services import smtp_sender

    mail = EmailMessage(
        subject=message_subject(message),
        body=message_text(message),
        from_email=settings.notify_from or settings.digest_from,
        to=[user.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Coparent-Notification": ",".join(sorted(set(kinds))),
        },
    )
    return smtp_sender(mail, settings)


def _deliver_group(
    rows: list[Notification],
    *,
    pref: NotificationPreference | None,
    settings: Settings,
    company: str,
    now: datetime,
    sleep: Callable[[float], None],
    report: RunReport,
) -> None:
    first = rows[0]
    user = first.recipient
    summary = pref is not None and pref.frequency == Frequency.DAILY
    message = Message(
        notices=tuple(Notice(r.heading, r.text, r.detail, r.path) for r in rows),
        name=user_name(user) if user is not None else "",
        company=company,
        summary=summary and user is not None,
        app_url=settings.notify_app_url,
        mention=pref.slack_member_id if pref is not None and user is not None else "",
    )
    to = user.get_username() if user is not None else "the wins channel"
    entry: dict[str, Any] = {
        "channel": first.channel,
        "to": to,
        "notices": len(rows),
        "kinds": sorted({r.kind for r in rows}),
        "summary": message.summary,
    }
    send: Callable[[], None]
    try:
        if first.channel == Channel.EMAIL:
            send = _email_send(message, user, [r.kind for r in rows], settings)
        else:
            send = functools.partial(
                slack_post,
                _slack_url(first, settings),
                message_slack(message),
                timeout=settings.digest_timeout_seconds,
            )
    except CoparentError as exc:  # a setting that cannot work (TLS and SSL both on)
        _finish(rows, Status.FAILED, now, last_error=exc.message)
        report.failed += len(rows)
        report.messages.append({**entry, "status": "failed", "error": exc.message})
        return
    attempts: list[Attempt] = []
    result = deliver(
        first.channel, send, policy=RetryPolicy(attempts=1), sleep=sleep, on_attempt=attempts.append
    )
    logged = [a.to_dict() for a in attempts]
    if result.ok:
        for r in rows:
            Notification.objects.filter(pk=r.pk).update(
                status=Status.SENT,
                attempts=r.attempts + 1,
                log=[*r.log, *logged],
                last_error="",
                sent_at=now,
                finished_at=now,
            )
        report.sent += len(rows)
        report.messages.append({**entry, "status": "sent", "error": ""})
        return
    last = attempts[-1]
    policy = RetryPolicy(
        attempts=settings.notify_retry_attempts, base_seconds=settings.notify_retry_base_seconds
    )
    status = "failed"
    for r in rows:
        tried = r.attempts + 1
        values: dict[str, Any] = {
            "attempts": tried,
            "log": [*r.log, *logged],
            "last_error": last.error,
        }
        if last.retry and tried < policy.attempts:
            wait = policy.delay(tried)
            values.update(
                status=Status.QUEUED, claim="", next_attempt_at=now + timedelta(seconds=wait)
            )
            report.retrying += 1
            status = "retrying"
        else:
            values.update(status=Status.FAILED, finished_at=now)
            report.failed += 1
        Notification.objects.filter(pk=r.pk).update(**values)
    log.warning("notification by %s to %s failed: %s", first.channel, to, last.error)
    report.messages.append({**entry, "status": status, "error": last.error, "hint": last.hint})


def notify_run(
    *,
    settings: Settings,
    now: datetime | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """Queue the reminders and wins due, then send every row that is due; one report.

    A daily-summary recipient's rows wait for the first run after
    ``notify_summary_hour``. A failure that another attempt can fix is queued
    again for a later run (``notify_retry_base_seconds``, doubling); the rest
    fail at once. Nothing here raises for a failed delivery.
    """
    now = now or timezone.now()
    report = RunReport(dry_run=dry_run)
    if dry_run:
        report.queued = notify_scan(settings=settings, now=now, write=False)
        ids = _candidates(now, settings, lock=False)
        due = Notification.objects.filter(pk__in=ids).select_related("recipient")
        groups: dict[tuple[Any, str], int] = {}
        for r in due:
            k = (r.recipient.get_username() if r.recipient else "the wins channel", r.channel)
            groups[k] = groups.get(k, 0) + 1
        report.messages = [
            {"channel": c, "to": to, "notices": n, "status": "due"}
            for (to, c), n in sorted(groups.items())
        ]
        return report
    report.stale = _release_stale(now)
    report.queued = notify_scan(settings=settings, now=now)
    seen: set[int] = set()
    for _ in range(MAX_BATCHES):
        rows = _claim(now, settings, skip=seen)
        if not rows:
            break
        seen |= {r.pk for r in rows}  # a row queued again for a later run is not retried now
        _send(rows, settings=settings, now=now, sleep=sleep, report=report)
    return report


def _send(
    rows: list[Notification],
    *,
    settings: Settings,
    now: datetime,
    sleep: Callable[[float], None],
    report: RunReport,
) -> None:
    """Skip what no longer waits or may not be sent (saying why); send the rest, one message
    per recipient, channel and webhook."""
    waiting = _still_waiting(rows)
    users = {r.recipient_id for r in rows if r.recipient_id is not None}
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=users)}
    company, _ = company_get()
    groups_: dict[tuple[Any, str, str], list[Notification]] = {}
    for r in rows:
        pref = prefs.get(r.recipient_id) if r.recipient_id is not None else None
        if r.pk not in waiting:
            why = "it no longer waits (answered, closed or reviewed)"
        else:
            why = _why_not(r, pref, settings)
        if why:
            _finish([r], Status.SKIPPED, now, reason=why[:300])
            report.skipped += 1
            continue
        target = _slack_url(r, settings) if r.channel == Channel.SLACK else ""
        groups_.setdefault((r.recipient_id, r.channel, target), []).append(r)
    for (uid, _, _), group in groups_.items():
        _deliver_group(
            group,
            pref=prefs.get(uid) if uid is not None else None,
            settings=settings,
            company=company,
            now=now,
            sleep=sleep,
            report=report,
        )
