"""Goal and SLA services, and the Settings overrides they turn into."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from coparent.app.goals.models import Goal, SubGoal
from coparent.app.goals.selectors import core_overrides, goal_for_period
from coparent.app.goals.services import goal_delete, goal_set, sla_terms_set

pytestmark = pytest.mark.django_db


def test_goal_set_normalises_the_period_and_replaces_an_earlier_goal() -> None:
    goal_set(set_by=None, period="2026-q3", won_revenue=Decimal(100))
    goal_set(
        set_by=None,
        period="2026-Q3",
        won_revenue=Decimal(200),
        sales_metric="win_rate",
        sales_target=Decimal("0.3"),
    )
    assert list(Goal.objects.values_list("period", "won_revenue")) == [("2026-Q3", Decimal(200))]
    assert SubGoal.objects.get().metric == "win_rate"


def test_goal_set_refuses_a_period_that_does_not_parse_and_a_zero_goal() -> None:
    with pytest.raises(ValidationError, match="not a period"):
        goal_set(set_by=None, period="soon", won_revenue=Decimal(1))
    with pytest.raises(ValidationError, match="positive"):
        goal_set(set_by=None, period="2026-Q3", won_revenue=Decimal(0))


def test_removing_a_sub_goal_and_deleting_a_goal() -> None:
    goal = goal_set(
        set_by=None,
        period="2026",
        won_revenue=Decimal(4),
        marketing_metric="mqls",
        marketing_target=Decimal(10),
    )
    goal_set(set_by=None, period="2026", won_revenue=Decimal(4))
    assert not SubGoal.objects.exists()
    goal_delete(goal_id=goal.pk)
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("goal_period", "goal", "viewed", "per_quarter"),
    [
        ("2026-Q3", 900, "2026-Q3", "900"),
        ("2026-Q3", 900, "2026-08", "900"),  # a month of the quarter: the core scales it
        ("2026-08", 300, "2026-08", "900"),
        ("2026", 4000, "2026", "1000"),
    ],
)
def test_core_overrides_give_the_goal_per_quarter(
    goal_period: str, goal: int, viewed: str, per_quarter: str
) -> None:
    goal_set(set_by=None, period=goal_period, won_revenue=Decimal(goal))
    value = Decimal(core_overrides(period=viewed)["goal_won_revenue"])
    assert value.quantize(Decimal(1)) == Decimal(per_quarter)


def test_no_goal_means_no_goal_override_and_sla_terms_override_both_slas() -> None:
    assert core_overrides(period="2026-Q3") == {}
    sla_terms_set(
        set_by=None,
        mql_commitment_per_month=120,
        first_contact_hours=Decimal("8.5"),
        answer_within_days=2,
    )
    assert core_overrides(period="2026-Q3") == {
        "sales_sla_hours": "8.50",
        "marketing_mql_commitment": "120",
    }
    assert goal_for_period(period="2026-Q4") is None


def test_sla_terms_refuse_impossible_values() -> None:
    with pytest.raises(ValidationError):
        sla_terms_set(
            set_by=None,
            mql_commitment_per_month=1,
            first_contact_hours=Decimal(0),
            answer_within_days=1,
        )
