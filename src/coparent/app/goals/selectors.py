"""Reads about goals, and the `Settings` overrides that make them feed the numbers.

The core services read the goal and the SLA terms from `Settings`
(``goal_won_revenue`` per quarter, ``marketing_mql_commitment`` per month,
``sales_sla_hours``). `core_overrides` turns the owner's decisions for a
period into those overrides (the ``app`` layer of `coparent.settings`), so
the scorecard and the diagnosis show them; `app_decisions` does the same for
callers outside the web app (``coparent scorecard``, ``coparent diagnose``),
whose app database may not have been migrated yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, connection
from django.db.models import QuerySet

from coparent.app.common.memo import memo
from coparent.app.goals.models import Goal, SlaTerms, SubGoal
from coparent.errors import WorkspaceError
from coparent.metrics.periods import Period, parse_period, period_containing

__all__ = [
    "GoalForPeriod",
    "app_decisions",
    "core_overrides",
    "goal_for_period",
    "goals_list",
    "sla_terms_current",
]

_QUARTERS_IN = {"month": Decimal(1) / Decimal(3), "quarter": Decimal(1), "year": Decimal(4)}


@dataclass(frozen=True)
class GoalForPeriod:
    """The goal that applies to a period, and its won revenue per quarter."""

    goal: Goal
    per_quarter: Decimal
    exact: bool

    @property
    def sub_goals(self) -> list[SubGoal]:
        return list(self.goal.sub_goals.all())


def goals_list() -> QuerySet[Goal]:
    return Goal.objects.prefetch_related("sub_goals").order_by("-period")


def sla_terms_current() -> SlaTerms | None:
    return memo("sla_terms", lambda: SlaTerms.objects.order_by("-created_at", "-pk").first())


def _per_quarter(goal: Goal, *, fiscal_year_start_month: int) -> Decimal:
    kind = parse_period(goal.period, fiscal_year_start_month=fiscal_year_start_month).kind
    return goal.won_revenue / _QUARTERS_IN[kind]


def goal_for_period(*, period: str, fiscal_year_start_month: int = 1) -> GoalForPeriod | None:
    """The goal set for ``period`` itself, else the quarter's goal for a month of it."""
    return memo(
        f"goal:{period}:{fiscal_year_start_month}",
        lambda: _goal_for_period(period, fiscal_year_start_month),
    )


def _goal_for_period(period: str, fiscal_year_start_month: int) -> GoalForPeriod | None:
    try:
        p: Period = parse_period(period, fiscal_year_start_month=fiscal_year_start_month)
    except ValueError:
        return None
    fy = fiscal_year_start_month
    goal = Goal.objects.filter(period=p.label).first()
    if goal is not None:
        return GoalForPeriod(goal, _per_quarter(goal, fiscal_year_start_month=fy), True)
    if p.kind == "month":
        quarter = period_containing(p.start, "quarter", fiscal_year_start_month=fy)
        goal = Goal.objects.filter(period=quarter.label).first()
        if goal is not None:
            return GoalForPeriod(goal, _per_quarter(goal, fiscal_year_start_month=fy), False)
    return None


def core_overrides(*, period: str | None, fiscal_year_start_month: int = 1) -> dict[str, str]:
    """``Settings`` overrides from the SLA terms and (for ``period``) the shared goal."""
    out: dict[str, str] = {}
    terms = sla_terms_current()
    if terms is not None:
        out["sales_sla_hours"] = str(terms.first_contact_hours)
        out["marketing_mql_commitment"] = str(terms.mql_commitment_per_month)
    if period:
        found = goal_for_period(period=period, fiscal_year_start_month=fiscal_year_start_month)
        if found is not None:
            out["goal_won_revenue"] = str(found.per_quarter)
    return out


def app_decisions(*, period: str | None, fiscal_year_start_month: int = 1) -> dict[str, str]:
    """`core_overrides` for the CLI: none while the app database has no tables yet.

    A database that exists but cannot be read is a `WorkspaceError`: its
    goal would silently be missing from the numbers otherwise.
    """
    try:
        if Goal._meta.db_table not in connection.introspection.table_names():
            return {}  # never migrated: nobody has decided anything yet
        return core_overrides(period=period, fiscal_year_start_month=fiscal_year_start_month)
    except DatabaseError as exc:
        raise WorkspaceError(
            f"the app database cannot be read: {exc}",
            hint="check DATABASE_URL (or the workspace's app.sqlite3); the goal and SLA terms "
            "set in the app live there",
        ) from None
