"""The API's endpoints: thin like the views (parse, call one selector, return JSON).

Authentication is a personal API token (``Authorization: Bearer cpt_…``; made
with ``coparent user token create`` or on /accounts/profile/) or the web
session (sign in at ``/accounts/login/``); every endpoint checks the role with
the same rules as the pages.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.security import HttpBearer, SessionAuth

from coparent.api.errors import install_error_handlers
from coparent.api.schemas import (
    DiagnosisOut,
    ErrorOut,
    FeedbackItemOut,
    GoalOut,
    MeOut,
    ScorecardOut,
    SubGoalOut,
    WinOut,
)
from coparent.app.common.facts import Facts
from coparent.app.dashboards.selectors import diagnosis_get, scorecard_get
from coparent.app.feedback.selectors import feedback_queue
from coparent.app.goals.selectors import goals_list
from coparent.app.teams.access import Capability, actor_for
from coparent.app.teams.services import api_token_authenticate
from coparent.app.wins.selectors import balance_get, wins_recent
from coparent.app.wins.services import wins_settings
from coparent.diagnosis.contracts import DiagnosisReport
from coparent.errors import MissingDataError
from coparent.metrics import display as fmt
from coparent.metrics.contracts import ScorecardReport

__all__ = ["api"]

T = TypeVar("T")

# The errors each operation may answer, declared in the OpenAPI document (one shape: ErrorOut).
# 401: no or a bad token / session; 403: the role may not; 422: a query the schema refuses.
_SIGNED_IN = frozenset({401})
_GUARDED = frozenset({401, 403, 422})
# Reports also answer 400 (a parameter the data can't use), 409 (a table not imported yet),
# 422 (a period the data do not reach) and 503 (the warehouse is busy past the wait).
_REPORT = _GUARDED | {400, 409, 503}


def _answers(ok: Any, errors: frozenset[int]) -> dict[Any, Any]:
    return {200: ok, errors: ErrorOut}


class _Session(SessionAuth):
    """The signed-in session; CSRF is checked on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and actor_for(request).authenticated else None


class _Token(HttpBearer):
    """``Authorization: Bearer cpt_…``: a personal API token acts with its user's role."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user  # the same role checks as a session (actor_for)
        request._coparent_actor = None  # type: ignore[attr-defined]
        return user


api = NinjaAPI(
    title="coparent API",
    version="1",
    description="Shared numbers for Sales and Marketing: scorecard, diagnosis, feedback, goals.",
    urls_namespace="api",
    auth=[_Token(), _Session()],
    docs_decorator=login_required,
)
install_error_handlers(api)
api.add_router("", "coparent.api.lists.router")  # GET /api/rows/{metric}


def _require(request: HttpRequest, capability: Capability = "view") -> None:
    if not actor_for(request).may(capability):
        raise PermissionDenied("not for your role")


def _facts(facts: Facts[T]) -> T:
    if facts.error is not None:
        raise facts.error  # e.g. a period the data do not reach: 422 period.out_of_range
    if not facts.ok or facts.value is None:
        raise MissingDataError(facts.missing or "no data", hint=facts.hint)
    return facts.value


class PeriodIn(Schema):
    period: str | None = None


class DiagnosisIn(PeriodIn):
    against: Literal["previous", "last-year", "goal"] = "previous"
    by: Literal["product", "channel"] = "product"


@api.get(
    "/me", response=_answers(MeOut, _SIGNED_IN), summary="Who is signed in, with role and team"
)
def me(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(request)
    return {
        "username": actor.user.get_username(),
        "role": actor.role or "",
        "team": actor.team,
        "single_team": actor.single_team,
    }


@api.get(
    "/scorecard",
    response=_answers(ScorecardOut, _REPORT),
    summary="The shared scorecard of a period",
)
def scorecard(request: HttpRequest, query: Query[PeriodIn]) -> ScorecardReport:
    """Same report as `coparent scorecard --json`, with the owner's goal and SLA terms applied."""
    _require(request)
    _, report = scorecard_get(period=query.period)
    return _facts(report)


@api.get(
    "/diagnosis",
    response=_answers(DiagnosisOut, _REPORT),
    summary="Why revenue changed, without blame",
)
def diagnosis(request: HttpRequest, query: Query[DiagnosisIn]) -> DiagnosisReport:
    """Same report as `coparent diagnose --json`."""
    _require(request)
    _, report, _ = diagnosis_get(period=query.period, against=query.against, by=query.by)
    return _facts(report)


@api.get(
    "/feedback",
    response=_answers(list[FeedbackItemOut], _GUARDED),
    summary="Open feedback items waiting for one side",
)
def feedback(
    request: HttpRequest, waiting_for: Literal["marketing", "sales"] = "marketing"
) -> list[dict[str, Any]]:
    _require(request)
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "side": i.side,
            "waiting_for": i.waiting_for,
            "status": i.status,
            "title": i.title,
            "body": i.body,
            "lead_id": i.lead_id,
            "product_id": i.product_id,
            "created_at": i.created_at,
            "due_at": i.due_at,
            "answered_at": i.answered_at,
            "answer": i.answer,
        }
        for i in feedback_queue(side=waiting_for)
    ]


@api.get(
    "/goals", response=_answers(list[GoalOut], _GUARDED), summary="Shared goals and team sub-goals"
)
def goals(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request)
    return [
        {
            "period": g.period,
            "won_revenue": float(g.won_revenue),
            "sub_goals": [
                SubGoalOut(team=s.team, metric=s.metric, target=float(s.target))
                for s in g.sub_goals.all()
            ],
        }
        for g in goals_list()
    ]


@api.get(
    "/wins",
    response=_answers(list[WinOut], _GUARDED),
    summary="Wins found in the data, newest first",
)
def wins(
    request: HttpRequest,
    team: Literal["marketing", "sales"] | None = None,
    limit: int = Query(50, ge=1, le=500),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """The wins engine's wins with the people and teams credited (``team``: crediting it)."""
    _require(request)
    single_team = actor_for(request).single_team
    return [
        {
            "kind": w.kind,
            "key": w.key,
            "date": w.happened_on,
            "story": fmt.one_team(w.story) if single_team else w.story,
            "teams": list(w.teams or []),
            "credited": [
                {"name": str(c.get("name", "")), "team": str(c.get("team", ""))}
                for c in (w.credited or [])
            ],
            "evidence": [str(e) for e in (w.evidence or [])],
            "amount": w.amount,
        }
        for w in wins_recent(limit=limit, team=team)
    ]


@api.get(
    "/wins/balance",
    response=_answers(dict[str, Any], _GUARDED),
    summary="Recognition, credited revenue, goals and answers per side (owner and champions)",
)
def wins_balance(request: HttpRequest) -> dict[str, Any]:
    """The balance panel's numbers and its warning (see docs/wins.md)."""
    _require(request, "assign")
    return balance_get(settings=wins_settings(), single_team=actor_for(request).single_team)
