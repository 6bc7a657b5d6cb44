"""Reads for the Wins page, the scorecard, the digest and the balance panel.

`app_data_get` gathers what the wins engine reads from the app (answers,
reviews, goals, win-back work, the setup day) as plain data; `digest_wins`
is the contract the weekly digest reads; `balance_get` feeds the balance
panel from stored wins, kudos, goals and answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Max, QuerySet
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem, LeadReview, Verdict
from coparent.app.goals.models import Goal, SubGoal
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.models import Company
from coparent.app.wins.models import Kudos, Win, WinsRun
from coparent.metrics import display as fmt
from coparent.metrics.periods import parse_period
from coparent.settings import Settings
from coparent.wins import (
    AppData,
    BalanceItem,
    FeedbackAnswer,
    GoalTarget,
    LeadAcceptance,
    WinsConfig,
    balance_report,
)
from coparent.wins.model import SIDES

__all__ = [
    "WINS_PER_PAGE",
    "app_data_get",
    "balance_get",
    "digest_wins",
    "kudos_recent",
    "kudos_sides",
    "wins_filtered",
    "wins_last_run",
    "wins_page_get",
    "wins_recent",
]


def kudos_recent(*, limit: int = 20) -> QuerySet[Kudos]:
    return Kudos.objects.select_related("author", "to_user").order_by("-created_at", "-pk")[:limit]


def wins_recent(*, limit: int = 20, team: str | None = None) -> list[Win]:
    """The latest wins, newest first (``team``: only those crediting that side)."""
    wins = Win.objects.order_by("-happened_on", "-pk")
    if team is None:
        return list(wins[:limit])
    # the JSON list is filtered in Python: the same code on SQLite and PostgreSQL
    out = []
    for w in wins.iterator(chunk_size=200):
        if team in w.teams:
            out.append(w)
            if len(out) >= limit:
                break
    return out


WINS_PER_PAGE = 25


def wins_filtered(
    *,
    team: str | None = None,
    kinds: Collection[str] | None = None,
    person_id: str | None = None,
) -> list[int]:
    """Ids of the wins that credit ``team`` and ``person_id``, of one of ``kinds``, newest first.

    The JSON lists are filtered in Python (the same code on SQLite and PostgreSQL),
    over ids, teams and credits only.
    """
    wins = Win.objects.order_by("-happened_on", "-pk")
    if kinds is not None:
        wins = wins.filter(kind__in=list(kinds))
    ids = []
    for pk, teams, credited in wins.values_list("pk", "teams", "credited").iterator(chunk_size=500):
        if team is not None and team not in (teams or []):
            continue
        if person_id is not None and not any(
            str(c.get("person_id", "")) == person_id for c in credited or []
        ):
            continue
        ids.append(pk)
    return ids


def wins_page_get(
    *,
    page: int = 1,
    per_page: int = WINS_PER_PAGE,
    team: str | None = None,
    kinds: Collection[str] | None = None,
    person_id: str | None = None,
) -> tuple[list[Win], Page[int]]:
    """One page of the filtered wins (a page past the last shows the last), and its paginator
    page (``number``, ``paginator.num_pages``, ``paginator.count``)."""
    ids = wins_filtered(team=team, kinds=kinds, person_id=person_id)
    shown = Paginator(ids, per_page).get_page(page)
    found = Win.objects.in_bulk(list(shown.object_list))
    return [found[pk] for pk in shown.object_list if pk in found], shown


def wins_last_run() -> WinsRun | None:
    return WinsRun.objects.order_by("-ran_at", "-pk").first()


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _naive(value: datetime) -> datetime:
    """UTC without a zone, like the facts."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _team_of(user: Any) -> str:
    membership = getattr(user, "membership", None) if user is not None else None
    return str(getattr(membership, "team", "") or "")


def app_data_get(*, config: WinsConfig, settings: Settings) -> AppData:
    """What the wins engine reads from the app, as plain data."""
    company = Company.objects.order_by("pk").first()
    setup_on = company.created_at.astimezone(UTC).date() if company is not None else None
    answers = tuple(
        FeedbackAnswer(
            item_id=str(i.pk),
            kind=i.kind,
            title=i.title,
            side=i.waiting_for,  # type: ignore[arg-type]
            created_at=_naive(i.created_at),
            answered_at=_naive(i.answered_at),
            answered_by=_name(i.answered_by),
            author=_name(i.author),
            author_side=i.side,  # type: ignore[arg-type]
        )
        for i in FeedbackItem.objects.filter(answered_at__isnull=False).select_related(
            "author", "answered_by"
        )
        if i.answered_at is not None
    )
    window = config.early_days(setup_on)
    acceptances: tuple[LeadAcceptance, ...] = ()
    if window is not None:
        # only the earliest can be the first accepted MQL (and it keys the cached facts)
        first = (
            LeadReview.objects.filter(
                verdict=Verdict.ACCEPTED,
                reviewed_at__date__gte=window[0],
                reviewed_at__date__lt=window[1],
            )
            .select_related("reviewer")
            .order_by("reviewed_at", "lead_id")
            .first()
        )
        if first is not None:
            acceptances = (
                LeadAcceptance(first.lead_id, _naive(first.reviewed_at), _name(first.reviewer)),
            )
    contacted: dict[str, dict[str, str]] = defaultdict(dict)
    for a in WinbackAssignment.objects.filter(contacted_at__isnull=False).select_related(
        "contacted_by"
    ):
        contacted[a.list_id][a.account_id] = _name(a.contacted_by)
    return AppData(
        setup_on=setup_on,
        answers=answers,
        acceptances=acceptances,
        goals=_goals(settings),
        contacted_by=dict(contacted),
    )


def _goals(settings: Settings) -> tuple[GoalTarget, ...]:
    fy = settings.fiscal_year_start_month
    out = []
    for g in Goal.objects.all():
        try:
            p = parse_period(g.period, fiscal_year_start_month=fy)
        except ValueError:
            continue
        out.append(GoalTarget(p.label, p.start, p.end, float(g.won_revenue)))
    return tuple(sorted(out, key=lambda g: (g.start, g.period)))


def _win_dict(w: Win, *, single_team: bool = False) -> dict[str, Any]:
    return {
        "kind": w.kind,
        "date": w.happened_on.isoformat(),
        "story": fmt.one_team(w.story) if single_team else w.story,
        "teams": [t for t in SIDES if t in (w.teams or [])],
        "credited": [
            {"name": str(c.get("name", "")), "team": str(c.get("team", ""))}
            for c in (w.credited or [])
        ],
        "evidence": [str(e) for e in (w.evidence or [])],
    }


def kudos_sides(k: Kudos, *, single_team: bool = False) -> list[str]:
    """The sides a kudos credits: its team, or the person's team (both roles for ``both``)."""
    team = k.to_team or _team_of(k.to_user)
    if team == "both" or (single_team and not k.to_team and k.to_user is not None):
        return list(SIDES)
    return [team] if team in SIDES else []


def _kudos_dict(k: Kudos, *, single_team: bool = False) -> dict[str, Any]:
    """A kudos as the digest lists it; in single-team mode a person is credited for both roles."""
    sides = kudos_sides(k, single_team=single_team)
    both = "the whole team" if single_team else "both teams"
    to = _name(k.to_user) if k.to_user else (both if k.to_team == "both" else k.to_team)
    credited = (
        [{"name": _name(k.to_user), "team": sides[0] if len(sides) == 1 else "both"}]
        if k.to_user is not None
        else []
    )
    return {
        "kind": "kudos",
        "date": _naive(k.created_at).date().isoformat(),
        "story": f"{_name(k.author) or 'Someone'} to {to}: {k.message}",
        "teams": sides,
        "credited": credited,
        "evidence": [f"kudos:{k.pk}"],
    }


def digest_wins(*, start: date, end: date) -> list[dict[str, Any]]:
    """Wins dated in [start, end] and kudos given then, newest first (the digest's contract).

    Each: ``kind``, ``date`` (ISO), ``story``, ``teams`` (``sales`` /
    ``marketing``), ``credited`` ([{``name``, ``team``}]), ``evidence``.
    Kudos have kind ``kudos``.
    """
    company = Company.objects.order_by("pk").first()
    single_team = bool(company is not None and company.single_team)
    wins = [
        _win_dict(w, single_team=single_team)
        for w in Win.objects.filter(happened_on__gte=start, happened_on__lte=end).order_by(
            "-happened_on", "-pk"
        )
    ]
    kudos = [
        _kudos_dict(k, single_team=single_team)
        for k in Kudos.objects.filter(
            created_at__date__gte=start, created_at__date__lte=end
        ).select_related("author", "to_user", "to_user__membership")
    ]
    both = wins + kudos
    both.sort(key=lambda d: d["date"], reverse=True)  # stable: wins before kudos of a day
    return both


def _latest_day(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def balance_get(
    *,
    settings: Settings,
    single_team: bool,
    end: date | None = None,
    history_weeks: int | None = None,
) -> dict[str, Any]:
    """The balance panel's numbers (see `coparent.wins.balance`), up to ``end``.

    One window, stated once and used once: the week-by-week table covers the
    same ``wins_balance_weeks`` weeks as the shares and the warning (unless a
    caller asks for a longer ``history_weeks``).

    By default the panel ends on the latest day anything was recognised,
    answered or set (today for a company whose data is current), so a demo
    with facts from last quarter still shows its last weeks.
    """
    today = timezone.now().astimezone(UTC).date()
    if end is None:
        latest_kudos = Kudos.objects.aggregate(last=Max("created_at"))["last"]
        latest_answer = FeedbackItem.objects.aggregate(last=Max("answered_at"))["last"]
        end = _latest_day(
            Win.objects.aggregate(last=Max("happened_on"))["last"],
            latest_kudos.astimezone(UTC).date() if latest_kudos else None,
            latest_answer.astimezone(UTC).date() if latest_answer else None,
        )
        end = min(end, today) if end is not None else today
    weeks = settings.wins_balance_weeks
    history_weeks = weeks if history_weeks is None else history_weeks
    start = end - timedelta(weeks=max(weeks, history_weeks) + 1)
    items: list[BalanceItem] = []
    for w in Win.objects.filter(happened_on__gte=start, happened_on__lte=end):
        # revenue once per deal: its deal_won win (biggest deal and firsts celebrate it again)
        amount = w.amount if w.kind == "deal_won" else None
        items.append(BalanceItem("recognition", w.happened_on, tuple(w.teams or ()), amount))
    for k in Kudos.objects.filter(created_at__date__gte=start).select_related(
        "to_user", "to_user__membership"
    ):
        sides = kudos_sides(k, single_team=single_team)
        items.append(BalanceItem("recognition", _naive(k.created_at).date(), tuple(sides)))
    for i in FeedbackItem.objects.filter(answered_at__date__gte=start).only(
        "waiting_for", "answered_at"
    ):
        if i.answered_at is not None:
            items.append(BalanceItem("answered", _naive(i.answered_at).date(), (i.waiting_for,)))
    for s in SubGoal.objects.filter(goal__created_at__date__gte=start).select_related("goal"):
        items.append(BalanceItem("goals", _naive(s.goal.created_at).date(), (s.team,)))
    return balance_report(
        items,
        end=end,
        weeks=weeks,
        history_weeks=history_weeks,
        max_share=settings.wins_balance_max_share,
        min_items=settings.wins_balance_min_items,
        single_team=single_team,
    )
