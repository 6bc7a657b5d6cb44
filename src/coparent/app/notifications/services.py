"""Writes of the notifications: enqueue what starts waiting, drain the queue, set preferences.

Enqueueing happens after the transaction that made something wait has
committed (`on_commit_notify`), and is only a few INSERTs into the queue;
nothing is sent inside a page request. `notify_scan` computes the reminders
and the wins to post from the data; `coparent.app.notifications.sending.notify_run`
(``coparent notify run``, from cron or systemd) calls it, claims the rows
that are due, and delivers them through the digest's path.

What triggers what (docs/notifications.md):

    an MQL appears in an import        -> mql_review to its owner (or Sales)
    a lead rejected, a field insight   -> feedback to the side it waits for
    a campaign brief                   -> brief to Sales
    an answer                          -> answer to the item's author
    due within notify_reminder_hours   -> due_soon     (notify run)
    past its due date                  -> overdue      (notify run)
      (an announced MQL is due its first contact within the Sales SLA)
    kudos, a big win                   -> a post to notify_slack_wins_url

Each row's ``key`` is unique, so the same event is never queued twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.feedback.models import Kind as ItemKind
from coparent.app.notifications.models import (
    Channel,
    Frequency,
    Kind,
    Notification,
    NotificationPreference,
)
from coparent.app.notifications.selectors import people_for_side, person_for_owner_id
from coparent.app.teams.models import Company
from coparent.app.wins.models import Kudos, Win
from coparent.errors import CoparentError
from coparent.metrics import display as fmt
from coparent.notify import (
    SLACK_MEMBER_ID,
)
from coparent.settings import Settings

__all__ = [
    "company_get",
    "notification_preference_update",
    "notifications_after_import",
    "notifications_enqueue",
    "notify_answer",
    "notify_feedback_item",
    "notify_kudos",
    "notify_mqls",
    "notify_scan",
    "on_commit_notify",
    "user_name",
]

log = logging.getLogger("coparent.notifications")

WIN_RECENT_DAYS = 14
"""Wins that happened longer ago are not posted: an old win found late is news to nobody."""
_BATCH = 500
_SIDE_LABELS = {
    False: {"marketing": "Marketing", "sales": "Sales"},
    True: {"marketing": "Marketing work", "sales": "Sales work"},
}


# --- enqueueing -------------------------------------------------------------------------------


def on_commit_notify(fn: Callable[[], object]) -> None:
    """Run ``fn`` (an enqueue) after the current transaction commits; a failure is only logged.

    The action that made something wait has committed by then, so a failure
    here (a full disk, a bug) can never undo it or turn its page into an error.
    """

    def run() -> None:
        try:
            fn()
        except Exception:  # never fails the action that caused it
            log.exception("queueing a notification failed; the action itself stands")

    transaction.on_commit(run)


def company_get() -> tuple[str, bool]:
    company = Company.objects.order_by("pk").first()
    return (company.name if company else ""), bool(company and company.single_team)


def _when(value: datetime) -> str:
    return f"{value.astimezone(ZoneInfo('UTC')):%a %-d %b %Y %H:%M} UTC"


def user_name(user: Any) -> str:
    if user is None:
        return "someone"
    return str(user.get_full_name() or user.get_username())


def _rows(
    *,
    kind: str,
    item_ref: str,
    recipients: Iterable[Any],
    heading: str,
    text: str,
    detail: str = "",
    path: str = "",
    side: str = "",
    now: datetime,
) -> list[Notification]:
    """One row per recipient and channel (preferences are applied when the run delivers)."""
    out = []
    for user in recipients:
        for channel in Channel.values:
            out.append(
                Notification(
                    key=f"{kind}:{item_ref}:user:{user.pk}:{channel}"[:300],
                    kind=kind,
                    channel=channel,
                    recipient=user,
                    side=side,
                    item_ref=item_ref[:220],
                    heading=heading[:120],
                    text=text[:500],
                    detail=detail[:500],
                    path=path[:300],
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    return out


def notifications_enqueue(rows: Sequence[Notification]) -> int:
    """Insert ``rows``, ignoring any whose key is queued already; how many are new."""
    if not rows:
        return 0
    keys = [r.key for r in rows]
    before = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=_BATCH)
    return len(set(keys) - before)


def _item_rows(item: FeedbackItem, *, kind: str, now: datetime) -> list[Notification]:
    _, single = company_get()
    labels = _SIDE_LABELS[single]
    recipients = [u for u in people_for_side(side=item.waiting_for) if u.pk != item.author_id]
    due = _when(item.due_at)
    if kind == Kind.DUE_SOON:
        heading, detail = "Due soon", f"due {due}; waiting for {labels[item.waiting_for]}"
    elif kind == Kind.OVERDUE:
        heading, detail = "Overdue", f"was due {due}; waiting for {labels[item.waiting_for]}"
    elif item.kind == ItemKind.CAMPAIGN_BRIEF:
        heading = f"Campaign brief for {labels[item.waiting_for]}"
        detail = f"from {user_name(item.author)}, answer by {due}"
    else:
        heading = f"Waiting for {labels[item.waiting_for]}"
        detail = f"{item.get_kind_display()} from {user_name(item.author)}, answer by {due}"
    return _rows(
        kind=kind,
        item_ref=f"feedback:{item.pk}",
        recipients=recipients,
        heading=heading,
        text=item.title,
        detail=detail,
        path=f"/feedback/{item.pk}/",
        side=item.waiting_for,
        now=now,
    )


def notify_feedback_item(*, item_id: int, now: datetime | None = None) -> int:
    """A new item waits for a side: tell the people who act for it (``brief`` for a brief)."""
    item = FeedbackItem.objects.select_related("author").filter(pk=item_id).first()
    if item is None or item.answered_at is not None or item.closed_at is not None:
        return 0
    kind = Kind.BRIEF if item.kind == ItemKind.CAMPAIGN_BRIEF else Kind.FEEDBACK
    return notifications_enqueue(_item_rows(item, kind=kind, now=now or timezone.now()))


def notify_answer(*, item_id: int, now: datetime | None = None) -> int:
    """An item was answered: its author (else the author's side) reads the answer and closes it."""
    item = FeedbackItem.objects.select_related("author", "answered_by").filter(pk=item_id).first()
    if item is None or item.answered_at is None:
        return 0
    author = item.author
    if author is not None and author.is_active and author.pk != item.answered_by_id:
        recipients = [author]
    else:
        recipients = [u for u in people_for_side(side=item.side) if u.pk != item.answered_by_id]
    answer = " ".join(item.answer.split())
    return notifications_enqueue(
        _rows(
            kind=Kind.ANSWER,
            item_ref=f"feedback:{item.pk}",
            recipients=recipients,
            heading="Answer to your item",
            text=f"{item.title}: {answer}",
            detail=f"answered by {user_name(item.answered_by)}; close it when it is settled",
            path=f"/feedback/{item.pk}/",
            side=item.side,
            now=now or timezone.now(),
        )
    )


def _moment(value: object) -> datetime | None:
    """A timestamp from the facts: a datetime, or ISO text (the report cache keeps JSON)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def notify_mqls(
    *, leads: Sequence[dict[str, Any]], settings: Settings, now: datetime | None = None
) -> int:
    """New MQLs to review: to the Sales person who owns each lead, else to everyone in Sales.

    ``leads`` are undecided MQLs (`coparent.services.web_facts.lead_queue`
    rows); those reviewed in the app, or older than ``notify_mql_days``, are
    left out, so an import of history does not announce every old lead.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.notify_mql_days)
    reviewed = set(
        LeadReview.objects.filter(lead_id__in=[str(r["lead_id"]) for r in leads]).values_list(
            "lead_id", flat=True
        )
    )
    sales: list[Any] | None = None
    rows: list[Notification] = []
    for lead in leads:
        lead_id = str(lead["lead_id"])
        mql_at = _moment(lead.get("mql_at"))
        if lead_id in reviewed or mql_at is None:
            continue
        if timezone.is_naive(mql_at):
            mql_at = timezone.make_aware(mql_at, ZoneInfo("UTC"))
        if mql_at < since or mql_at > now + timedelta(days=1):
            continue
        owner = person_for_owner_id(owner_id=str(lead.get("owner_id") or ""), side="sales")
        if owner is None and sales is None:
            sales = people_for_side(side="sales")
        where = [str(x) for x in (lead.get("account"), lead.get("channel")) if x]
        product = lead.get("product") or lead.get("product_id")
        rows += _rows(
            kind=Kind.MQL_REVIEW,
            item_ref=f"lead:{lead_id}",
            recipients=[owner] if owner is not None else (sales or []),
            heading="MQL to review",
            text=f"Lead {lead_id}" + (f" ({', '.join(where)})" if where else ""),
            detail=f"MQL since {_when(mql_at)}" + (f"; product {product}" if product else ""),
            path=f"/feedback/leads/{quote(lead_id, safe='')}/",
            side="sales",
            now=now,
        )
    return notifications_enqueue(rows)


MQL_SCAN = 2000
"""Undecided MQLs an import reads for announcements, newest first (older ones are not news)."""


def notifications_after_import(*, now: datetime | None = None) -> str:
    """The post-import hook: announce the new MQLs, queue the reminders and wins now due."""
    from coparent.app.common.facts import cached_facts, core_settings
    from coparent.services.web_facts import lead_queue

    settings = core_settings()
    facts = cached_facts(
        "notify-mqls", lambda con: lead_queue(con, limit=MQL_SCAN), params={"limit": MQL_SCAN}
    )
    mqls = 0
    if facts.ok and facts.value is not None:
        mqls = notify_mqls(leads=facts.value, settings=settings, now=now)
    scanned = notify_scan(settings=settings, now=now)
    note = "" if facts.ok else f"; no MQLs read: {facts.missing}"
    return f"{mqls} MQL notices and {scanned} reminders or wins queued{note}"


def _channel_row(
    *, kind: str, item_ref: str, text: str, detail: str, now: datetime
) -> Notification:
    return Notification(
        key=f"{kind}:{item_ref}:channel:wins:slack",
        kind=kind,
        channel=Channel.SLACK,
        recipient=None,
        item_ref=item_ref,
        heading="Kudos" if kind == Kind.KUDOS else "Win to celebrate",
        text=text[:500],
        detail=detail[:500],
        path="/wins/",
        created_at=now,
        next_attempt_at=now,
    )


def notify_kudos(*, kudos_id: int, settings: Settings, now: datetime | None = None) -> int:
    """Kudos go to the wins channel, when ``notify_slack_wins_url`` is set."""
    if not settings.notify_slack_wins_url:
        return 0
    kudos = Kudos.objects.select_related("author", "to_user").filter(pk=kudos_id).first()
    if kudos is None:
        return 0
    _, single = company_get()
    team = {"both": "both teams", **_SIDE_LABELS[single]}.get(kudos.to_team, "")
    to = user_name(kudos.to_user) if kudos.to_user is not None else team
    row = _channel_row(
        kind=Kind.KUDOS,
        item_ref=f"kudos:{kudos.pk}",
        text=f"{user_name(kudos.author)} to {to}: {kudos.message}",
        detail="",
        now=now or timezone.now(),
    )
    return notifications_enqueue([row])


def _big_win_rows(settings: Settings, now: datetime) -> list[Notification]:
    if not settings.notify_slack_wins_url or not settings.notify_big_wins:
        return []
    wins = Win.objects.filter(
        kind__in=list(settings.notify_big_wins),
        happened_on__gte=(now - timedelta(days=WIN_RECENT_DAYS)).date(),
    ).order_by("happened_on", "pk")
    out = []
    for win in wins:
        names = [str(c.get("name") or "") for c in win.credited or [] if c.get("name")]
        out.append(
            _channel_row(
                kind=Kind.BIG_WIN,
                item_ref=f"win:{win.key}"[:200],
                text=win.story,
                detail=("Credited: " + ", ".join(names)) if names else "",
                now=now,
            )
        )
    return out


def _reminder_rows(settings: Settings, now: datetime) -> list[Notification]:
    """Due soon (within ``notify_reminder_hours``) and overdue, for every open item."""
    soon = timedelta(hours=settings.notify_reminder_hours)
    items = FeedbackItem.objects.filter(answered_at__isnull=True, closed_at__isnull=True)
    items = items.filter(due_at__lte=now + soon)
    out: list[Notification] = []
    for item in items.select_related("author").order_by("due_at", "pk"):
        if item.due_at <= now:
            out += _item_rows(item, kind=Kind.OVERDUE, now=now)
        elif item.created_at <= item.due_at - soon:  # born inside the window: told already
            out += _item_rows(item, kind=Kind.DUE_SOON, now=now)
    return out


def _sla_hours(settings: Settings) -> float:
    """The Sales SLA's first-contact hours, resolved as the scorecard does.

    ``--setting sales_sla_hours=...`` (``coparent serve`` / ``notify run``) first,
    then the SLA terms set in the app (`core_overrides`), then ``settings``.
    """
    from django.conf import settings as django_settings

    from coparent.app.goals.selectors import core_overrides

    if "sales_sla_hours" in django_settings.COPARENT_SETTING_OVERRIDES:
        return settings.sales_sla_hours
    fy = settings.fiscal_year_start_month
    decided = core_overrides(period=None, fiscal_year_start_month=fy)
    return float(decided.get("sales_sla_hours", settings.sales_sla_hours))


def _mql_reminder_rows(settings: Settings, now: datetime) -> list[Notification]:
    """Due soon and overdue for the MQLs announced to people and still waiting for contact.

    An MQL is due ``_sla_hours`` after ``mql_at`` (the Sales SLA's first
    contact). The warehouse says which announced leads nobody has contacted,
    accepted or rejected yet; a lead reviewed in the app waits no more. Each
    reminder goes to the people the MQL was announced to.
    """
    from coparent.app.common.facts import workspace
    from coparent.services.web_facts import mqls_awaiting_contact

    reviewed = LeadReview.objects.annotate(
        ref=Concat(Value("lead:"), "lead_id", output_field=CharField())
    ).values("ref")
    announced = (
        Notification.objects.filter(
            kind=Kind.MQL_REVIEW, recipient__isnull=False, recipient__is_active=True
        )
        .exclude(item_ref__in=reviewed)
        .select_related("recipient")
        .order_by("item_ref", "recipient_id", "pk")
    )
    told: dict[str, dict[int, Notification]] = {}
    for row in announced:
        if row.recipient_id is None:
            continue
        told.setdefault(row.item_ref.removeprefix("lead:"), {}).setdefault(row.recipient_id, row)
    if not told:
        return []
    try:
        with workspace().open(settings) as con:
            waiting = mqls_awaiting_contact(con, lead_ids=told)
    except CoparentError as exc:  # no warehouse yet, or busy: the next run reminds
        log.warning("MQL reminders skipped: %s", exc)
        return []
    sla = _sla_hours(settings)
    soon = timedelta(hours=settings.notify_reminder_hours)
    out: list[Notification] = []
    for lead in waiting:
        mql_at = _moment(lead["mql_at"])
        if mql_at is None:
            continue
        if timezone.is_naive(mql_at):
            mql_at = timezone.make_aware(mql_at, ZoneInfo("UTC"))
        due = mql_at + timedelta(hours=sla)
        if due <= now:
            kind, heading, when = Kind.OVERDUE, "Overdue", "was due"
        elif due - soon <= now and mql_at <= due - soon:  # born inside the window: told already
            kind, heading, when = Kind.DUE_SOON, "Due soon", "due"
        else:
            continue
        rows = told[str(lead["lead_id"])]
        first = next(iter(rows.values()))
        out += _rows(
            kind=kind,
            item_ref=first.item_ref,
            recipients=[r.recipient for r in rows.values()],
            heading=heading,
            text=first.text,
            detail=f"MQL to contact: first contact {when} {_when(due)} "
            f"(the Sales SLA: within {fmt.hours(sla)})",
            path=first.path,
            side="sales",
            now=now,
        )
    return out


def notify_scan(*, settings: Settings, now: datetime | None = None, write: bool = True) -> int:
    """Queue the reminders and the big wins the data call for now; how many rows are new.

    Computed from the data each run and keyed by item, so running it again
    queues nothing twice. ``write`` False counts what would be queued.
    """
    now = now or timezone.now()
    rows = (
        _reminder_rows(settings, now)
        + _mql_reminder_rows(settings, now)
        + _big_win_rows(settings, now)
    )
    if not write:
        known = set(
            Notification.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True)
        )
        return len({r.key for r in rows} - known)
    return notifications_enqueue(rows)


# --- preferences ------------------------------------------------------------------------------


@transaction.atomic
def notification_preference_update(
    *, user: Any, email: bool, slack: bool, slack_member_id: str, frequency: str
) -> NotificationPreference:
    """Save how ``user`` is told; a Slack member id looks like U024BE7LH."""
    member = slack_member_id.strip().upper()
    if member and not SLACK_MEMBER_ID.match(member):
        raise ValidationError(
            {"slack_member_id": "a Slack member id looks like U024BE7LH (profile, Copy member ID)"}
        )
    if slack and not member:
        raise ValidationError({"slack_member_id": "give your Slack member id to be told on Slack"})
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "as it happens, or in a daily summary"})
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "email": email,
            "slack": slack,
            "slack_member_id": member,
            "frequency": frequency,
        },
    )
    return pref
