"""What both teams agreed to aim for: a shared goal per period, team sub-goals, SLA terms.

These decisions feed the numbers: the web app passes them to the core
services as `coparent.settings.Settings` overrides (``goal_won_revenue``,
``marketing_mql_commitment``, ``sales_sla_hours``), see `selectors.core_overrides`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubGoalMetric(models.TextChoices):
    MQLS = "mqls", "MQLs delivered"
    ACCEPTANCE_RATE = "acceptance_rate", "acceptance rate"
    PIPELINE = "pipeline", "open pipeline"
    WIN_RATE = "win_rate", "win rate"
    REVENUE = "revenue", "won revenue"
    SLA_SHARE = "sla_share", "MQLs contacted within the SLA"


class Goal(models.Model):
    """The shared goal of one period (``2026-Q3``, ``2026-08`` or ``2026``): won revenue."""

    period = models.CharField(max_length=20, unique=True)
    won_revenue = models.DecimalField(max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-period",)

    def __str__(self) -> str:
        return f"{self.period}: won revenue {self.won_revenue}"


class SubGoal(models.Model):
    """One team's part of a shared goal (e.g. Marketing: 1,800 MQLs; Sales: 30% win rate)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="sub_goals")
    team = models.CharField(max_length=16, choices=[("marketing", "Marketing"), ("sales", "Sales")])
    metric = models.CharField(max_length=32, choices=SubGoalMetric.choices)
    target = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["goal", "team"], name="one_sub_goal_per_team"),
        )
        ordering = ("team",)

    def __str__(self) -> str:
        return f"{self.goal.period} {self.team}: {self.metric} {self.target}"


class SlaTerms(models.Model):
    """The service levels in force from ``created_at`` on (the latest row applies)."""

    mql_commitment_per_month = models.PositiveIntegerField(
        default=0, help_text="Marketing: MQLs delivered per month (0: no commitment)."
    )
    first_contact_hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=24,
        help_text="Sales: first contact within this many hours of the MQL.",
    )
    answer_within_days = models.PositiveSmallIntegerField(
        default=2, help_text="Both: answer a feedback item within this many days."
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "SLA terms"
        ordering = (
            "-created_at",
            "-pk",
        )

    def __str__(self) -> str:
        return (
            f"{self.mql_commitment_per_month} MQLs/month; contact within "
            f"{self.first_contact_hours} h"
        )
