"""Writes about goals and SLA terms (owner only; the views check the role)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from coparent.app.goals.models import Goal, SlaTerms, SubGoal, SubGoalMetric
from coparent.metrics.periods import parse_period

__all__ = ["goal_delete", "goal_set", "sla_terms_set"]


def _period_label(text: str, *, fiscal_year_start_month: int) -> str:
    try:
        return parse_period(text, fiscal_year_start_month=fiscal_year_start_month).label
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None


@transaction.atomic
def goal_set(
    *,
    set_by: User | None,
    period: str,
    won_revenue: Decimal,
    fiscal_year_start_month: int = 1,
    marketing_metric: str = "",
    marketing_target: Decimal | None = None,
    sales_metric: str = "",
    sales_target: Decimal | None = None,
) -> Goal:
    """Set (or replace) the shared goal of ``period`` and the teams' sub-goals."""
    label = _period_label(period, fiscal_year_start_month=fiscal_year_start_month)
    if won_revenue <= 0:
        raise ValidationError({"won_revenue": "the goal is a positive amount of won revenue"})
    goal, _ = Goal.objects.update_or_create(
        period=label, defaults={"won_revenue": won_revenue, "set_by": set_by}
    )
    for team, metric, target in (
        ("marketing", marketing_metric, marketing_target),
        ("sales", sales_metric, sales_target),
    ):
        if not metric or target is None:
            SubGoal.objects.filter(goal=goal, team=team).delete()
            continue
        if metric not in SubGoalMetric.values:
            raise ValidationError({f"{team}_metric": f"unknown metric {metric!r}"})
        if target < 0:
            raise ValidationError({f"{team}_target": "a target is zero or more"})
        SubGoal.objects.update_or_create(
            goal=goal, team=team, defaults={"metric": metric, "target": target}
        )
    return goal


@transaction.atomic
def goal_delete(*, goal_id: int) -> None:
    Goal.objects.filter(pk=goal_id).delete()


@transaction.atomic
def sla_terms_set(
    *,
    set_by: User | None,
    mql_commitment_per_month: int,
    first_contact_hours: Decimal,
    answer_within_days: int,
) -> SlaTerms:
    """Record new SLA terms; they apply from now on (earlier terms stay as history)."""
    if first_contact_hours <= 0:
        raise ValidationError({"first_contact_hours": "a positive number of hours"})
    if mql_commitment_per_month < 0 or answer_within_days < 1:
        raise ValidationError("commitments are zero or more; answers take at least a day")
    return SlaTerms.objects.create(
        set_by=set_by,
        mql_commitment_per_month=mql_commitment_per_month,
        first_contact_hours=first_contact_hours,
        answer_within_days=answer_within_days,
    )
