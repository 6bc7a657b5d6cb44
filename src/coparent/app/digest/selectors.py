"""Gather the weekly digest's data from the facts and the app, as plain data for `notify`.

One week, one as-of date: the week's Sunday, or today while the week is
running. The scorecard and the diagnosis are computed as of that date, but
never past the data's last date (the latest complete quarter, with the
owner's goal and SLA terms, exactly as the Scorecard page does): a day the
data do not reach would turn MQLs still within the SLA into misses, so the
digest's figures are the Scorecard page's for the same period. Wins are those
of the seven days up to the week's date; pairs are the round in force on it.
The feedback queues and starter projects show their state now (the app keeps
no history of them).

Each section that cannot be filled becomes a `Missing` with what to import or
set up, so one missing table never stops the whole digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from coparent.app.common.facts import Facts, cached_facts, core_settings, core_settings_sourced
from coparent.app.digest.models import DigestDelivery
from coparent.app.feedback.models import FeedbackItem
from coparent.app.feedback.selectors import SIDES, feedback_queue
from coparent.app.goals.selectors import core_overrides
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.models import Company
from coparent.errors import CoparentError
from coparent.metrics.freshness import data_last_at_in
from coparent.notify import Digest, DigestError, Missing, digest_build, iso_week, week_bounds
from coparent.services.diagnosis import diagnosis_report
from coparent.services.offers import offer_analyze
from coparent.services.scorecard import scorecard_report
from coparent.services.winback import (
    LIST_DIR,
    winback_list_load,
    winback_list_values,
    winback_outcome,
)
from coparent.settings import Settings
from coparent.workspace import Workspace

__all__ = [
    "DigestWeek",
    "digest_data_last",
    "digest_deliveries",
    "digest_get",
    "digest_recipients_default",
    "digest_week",
]

T = TypeVar("T")
WAITING_SHOWN = 8  # items listed per side; the rest are counted


@dataclass(frozen=True)
class DigestWeek:
    """The ISO week a digest covers and the date its numbers are taken at."""

    week: str
    as_of: date
    note: str = ""
    pairs_on: date | None = None  # stale data: the digest is still this week's meeting

    @property
    def pairs_day(self) -> date:
        """The day whose pairing round the digest lists (app data, like the waiting items)."""
        return self.pairs_on or self.as_of

    @property
    def wins_window(self) -> tuple[date, date]:
        return self.as_of - timedelta(days=6), self.as_of


def digest_week(
    *,
    week: str | None = None,
    day: date | None = None,
    today: date,
    data_last: date | None = None,
) -> DigestWeek:
    """The week named by ``week`` (``2026-W48``) or containing ``day`` (default: today).

    With neither given and data that end before this week (``data_last``, the
    data's last date), the digest covers the week the data end in and says so:
    the last complete picture beats a week of empty sections, and a schedule
    that runs again on the same stale data is refused as already sent.
    """
    if week is None and day is None and data_last is not None:
        this_monday = week_bounds(iso_week(today))[0]
        if data_last < this_monday:
            name = iso_week(data_last)
            note = (
                f"The data end on {data_last:%a %-d %b %Y}, before this week "
                f"({iso_week(today)}): this digest covers {name}, the week they end in. "
                "Import fresh exports to see this week."
            )
            return DigestWeek(name, week_bounds(name)[1], note, pairs_on=today)
    name = iso_week(day or today) if week is None else week
    monday, sunday = week_bounds(name)
    if monday > today:
        raise DigestError(
            f"the week {name} has not started yet (today is {today})",
            hint=f"pick this week ({iso_week(today)}) or an earlier one",
        )
    return DigestWeek(iso_week(monday), min(sunday, today))


def digest_data_last(ws: Workspace, overrides: Mapping[str, str] | None = None) -> date | None:
    """The data's last date (the scorecard's rule), None without facts; cached per data version."""
    settings = _settings(ws, dict(overrides or {}), None)
    facts = cached_facts("digest-data-last", data_last_at_in, settings=settings, ws=ws)
    last = facts.value
    return last.date() if isinstance(last, datetime) else None


def _facts_or_missing(facts: Facts[T]) -> T | Missing:
    if facts.ok and facts.value is not None:
        return facts.value
    return Missing(facts.missing or "no data", facts.hint)


def _guarded(produce: Callable[[], T]) -> T | Missing:
    """A section's data, or the user-facing reason it cannot be had (never a crash)."""
    try:
        return produce()
    except CoparentError as exc:
        return Missing(exc.message, exc.hint)


def _settings(ws: Workspace, overrides: Mapping[str, str], period: str | None) -> Settings:
    return _sourced(ws, overrides, period)[0]


def _sourced(
    ws: Workspace, overrides: Mapping[str, str], period: str | None
) -> tuple[Settings, dict[str, str]]:
    """The settings with the owner's goal and SLA terms, and their sources; ``--setting`` still
    wins over the app, as on the CLI."""
    fy = core_settings(ws, overrides=overrides).fiscal_year_start_month
    app = core_overrides(period=period, fiscal_year_start_month=fy)
    settings, sources = core_settings_sourced(ws, overrides=overrides, app=app)
    return settings, dict(sources)


def _reports(
    ws: Workspace, overrides: Mapping[str, str], as_of: date
) -> tuple[dict[str, Any] | Missing, dict[str, Any] | Missing]:
    """Scorecard and diagnosis of the latest complete period as of ``as_of``."""
    base, base_sources = _sourced(ws, overrides, None)
    card = _guarded(  # a week before the data start has no quarter to show: say so
        lambda: _facts_or_missing(
            cached_facts(
                "digest-scorecard",
                lambda con: dict[str, Any](
                    scorecard_report(con, settings=base, as_of=as_of, sources=base_sources)
                ),
                params={"as_of": as_of, "period": None, "sources": base_sources},
                settings=base,
                ws=ws,
            )
        )
    )
    if isinstance(card, Missing):
        return card, card
    label = str(card["period"]["label"])
    settings, sources = _sourced(ws, overrides, label)
    if (settings, sources) != (base, base_sources):  # the owner's goal for that period
        card = _guarded(
            lambda: _facts_or_missing(
                cached_facts(
                    "digest-scorecard",
                    lambda con: dict[str, Any](
                        scorecard_report(
                            con, period=label, settings=settings, as_of=as_of, sources=sources
                        )
                    ),
                    params={"as_of": as_of, "period": label, "sources": sources},
                    settings=settings,
                    ws=ws,
                )
            )
        )
    diagnosis = _guarded(
        lambda: _facts_or_missing(
            cached_facts(
                "digest-diagnosis",
                lambda con: dict[str, Any](
                    diagnosis_report(
                        con, period=label, settings=settings, as_of=as_of, sources=sources
                    )
                ),
                params={"as_of": as_of, "period": label, "sources": sources},
                settings=settings,
                ws=ws,
            )
        )
    )
    return card, diagnosis


def _waiting(labels: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    queues = []
    for side in SIDES:
        queue: QuerySet[FeedbackItem] = feedback_queue(side=side)
        count = queue.count()
        overdue = queue.filter(due_at__lt=now).count()
        items = [
            {
                "title": item.title,
                "kind": item.get_kind_display(),
                "age_hours": (now - item.created_at).total_seconds() / 3600,
                "due_in_hours": (item.due_at - now).total_seconds() / 3600,
            }
            for item in queue[:WAITING_SHOWN]
        ]
        queues.append(
            {
                "side": side,
                "label": labels[side],
                "count": count,
                "overdue": overdue,
                "items": items,
            }
        )
    return queues


def _latest_list(ws: Workspace) -> str | None:
    folder = ws.path / LIST_DIR
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("wb-*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    return files[-1].stem if files else None


def _winback(ws: Workspace, settings: Settings) -> dict[str, Any] | Missing:
    list_id = _latest_list(ws)
    if list_id is None:
        return Missing(
            "No win-back list has been frozen yet.",
            "freeze one on the Starter projects page or with: coparent winback create",
        )
    document = winback_list_load(ws, list_id)
    members = document["members"]
    to_contact = [m for m in members if m["group"] == "contacted"]
    work = WinbackAssignment.objects.filter(list_id=list_id)
    outcome = cached_facts(
        "digest-winback-outcome",
        lambda con: winback_outcome(con, workspace=ws, list_ref=list_id),
        params={"list": list_id, "created_at": document.get("created_at")},
        settings=settings,
        ws=ws,
    )
    return {
        "list_id": list_id,
        "as_of": document["as_of"],
        "members": len(members),
        "to_contact": len(to_contact),
        "holdout": len(members) - len(to_contact),
        "assigned": work.filter(assignee__isnull=False).count(),
        "contacted": work.filter(contacted_at__isnull=False).count(),
        **winback_list_values(members),
        "verdict": (outcome.value or {}).get("verdict") if outcome.ok else outcome.missing,
    }


def _offer(ws: Workspace, settings: Settings) -> dict[str, Any] | Missing:
    return _facts_or_missing(
        cached_facts("offer-analysis", lambda con: offer_analyze(con), settings=settings, ws=ws)
    )


def _company() -> tuple[str, dict[str, str]]:
    company = Company.objects.order_by("pk").first()
    if company is not None and company.single_team:
        labels = {"marketing": "Marketing work", "sales": "Sales work"}
    else:
        labels = {"marketing": "Marketing", "sales": "Sales"}
    return (company.name if company is not None else "") or "Your company", labels


def digest_get(
    *,
    ws: Workspace,
    week: DigestWeek,
    overrides: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Digest:
    """The digest of ``week`` for the workspace ``ws`` (``overrides``: ``--setting`` pairs).

    A read: the wins are those stored by the post-import hooks and
    ``coparent refresh`` (schedule it before a digest so this week's wins are in).
    """
    from coparent.app.pairs.selectors import digest_pairs
    from coparent.app.wins.selectors import digest_wins

    now = now or timezone.now()
    extra = dict(overrides or {})
    company, labels = _company()
    settings = _settings(ws, extra, None)
    as_of, note = _numbers_as_of(ws, extra, week)
    scorecard, diagnosis = _reports(ws, extra, as_of)
    start, end = week.wins_window
    return digest_build(
        week=week.week,
        company=company,
        as_of=as_of,
        wins_window=week.wins_window,
        scorecard=scorecard,
        diagnosis=diagnosis,
        wins=_guarded(lambda: digest_wins(start=start, end=end)),
        waiting=_waiting(labels, now),
        winback=_guarded(lambda: _winback(ws, settings)),
        offer=_guarded(lambda: _offer(ws, settings)),
        pairs=_guarded(lambda: digest_pairs(on=week.pairs_day)),
        side_labels=labels,
        note=note,
    )


def _numbers_as_of(
    ws: Workspace, overrides: Mapping[str, str], week: DigestWeek
) -> tuple[date, str]:
    """The day the figures are read at (the week's, at most the data's last) and the note.

    Said in the note, not silently: a reader comparing with the Scorecard page
    sees why the dates differ.
    """
    last = digest_data_last(ws, overrides)
    if last is None or last >= week.as_of:
        return week.as_of, week.note
    if week.note:  # stale data: the note already says where the data end
        return last, week.note
    return last, (
        f"Numbers are as of {last:%a %-d %b %Y}, the data's last date, as on the Scorecard "
        "page: later days are not imported yet."
    )


def digest_recipients_default() -> list[str]:
    """Every active app user's email address (when ``digest_recipients`` is empty)."""
    emails = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({e.strip().lower() for e in emails if "@" in e})


def digest_deliveries(*, week: str | None = None, limit: int = 20) -> QuerySet[DigestDelivery]:
    """Delivery records, the latest first (of one week when given)."""
    rows = DigestDelivery.objects.all()
    if week is not None:
        rows = rows.filter(week=week)
    return rows.order_by("-started_at", "-pk")[:limit]
