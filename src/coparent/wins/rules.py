"""The rules table: which wins exist, whose work each celebrates, and what tunes it.

Rules are data. `RULES` lists every rule once (its name is the win's kind);
`WinsConfig` holds the thresholds, resolved from `Settings` by `wins_config`
(``wins_rules_off`` turns rules off by name, the other ``wins_*`` settings
set the thresholds). docs/wins.md describes each rule in words; a test checks
that every rule there has a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from coparent.errors import SettingsError
from coparent.settings import Settings

__all__ = [
    "GOAL_MILESTONES",
    "RULES",
    "RULE_NAMES",
    "Rule",
    "WinsConfig",
    "wins_config",
]

GOAL_MILESTONES: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
"""Shares of a shared goal that are celebrated when reached."""


@dataclass(frozen=True)
class Rule:
    """One rule: the kind of win it makes, whose work, where it reads, what tunes it."""

    name: str
    work: Literal["sales", "marketing", "both"]
    reads: Literal["facts", "app", "facts and app"]
    summary: str
    settings: tuple[str, ...] = ()
    early_days: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "deal_won",
        "both",
        "facts",
        "every won deal: the owner (Sales) and, when the lead came from a campaign, "
        "the campaign's owner (Marketing)",
    ),
    Rule(
        "biggest_deal",
        "both",
        "facts",
        "a deal bigger than every earlier deal of its quarter, and the quarter's biggest "
        "deal once the quarter is over",
    ),
    Rule(
        "record_month",
        "both",
        "facts",
        "a month whose won revenue passes every earlier month's",
        ("wins_record_month_min_months",),
    ),
    Rule(
        "goal_milestone",
        "both",
        "facts and app",
        "the shared goal of a period reaching 25%, 50%, 75% and 100%",
    ),
    Rule(
        "sales_sla_streak",
        "sales",
        "facts",
        "N weeks in a row with the share of MQLs contacted within the Sales SLA on target",
        ("wins_streak_weeks", "wins_sales_sla_target", "sales_sla_hours"),
    ),
    Rule(
        "marketing_sla_streak",
        "marketing",
        "facts",
        "N weeks in a row with the MQLs delivered on the commitment and their acceptance "
        "rate on target",
        ("wins_streak_weeks", "wins_acceptance_target", "marketing_mql_commitment"),
    ),
    Rule(
        "fast_contact",
        "sales",
        "facts",
        "MQLs contacted within the hour, one win per week crediting each person who did",
        ("wins_fast_contact_minutes",),
    ),
    Rule(
        "campaign_acceptance",
        "marketing",
        "facts",
        "an ended campaign whose decided MQLs Sales accepted at the target rate",
        ("wins_campaign_min_mqls", "wins_acceptance_target"),
    ),
    Rule(
        "fast_answer",
        "both",
        "app",
        "a feedback item answered within a day, crediting who answered",
        ("wins_fast_answer_hours",),
    ),
    Rule(
        "winback_reactivation",
        "both",
        "facts and app",
        "the first account of a win-back list that buys again",
    ),
    Rule(
        "offer_verdict",
        "both",
        "facts",
        "an offer test reaching a verdict (ship the challenger, or keep the control)",
    ),
    Rule(
        "first_accepted_mql",
        "both",
        "facts and app",
        "early days: the first MQL Sales accepts",
        ("wins_early_days_weeks",),
        early_days=True,
    ),
    Rule(
        "first_joint_win",
        "both",
        "facts",
        "early days: the first won deal that credits both teams",
        ("wins_early_days_weeks",),
        early_days=True,
    ),
    Rule(
        "first_answered_brief",
        "both",
        "app",
        "early days: the first campaign brief Sales answers",
        ("wins_early_days_weeks",),
        early_days=True,
    ),
)
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)


@dataclass(frozen=True)
class WinsConfig:
    """The thresholds every rule reads, and which rules are on."""

    enabled: frozenset[str] = frozenset(RULE_NAMES)
    lookback_days: int = 180
    streak_weeks: int = 4
    sales_sla_target: float = 0.7
    acceptance_target: float = 0.5
    sales_sla_hours: float = 24.0
    mql_commitment_per_month: int = 0
    fast_contact_minutes: int = 60
    campaign_min_mqls: int = 10
    fast_answer_hours: float = 24.0
    record_month_min_months: int = 3
    early_days_weeks: int = 8
    fiscal_year_start_month: int = 1

    def on(self, rule: str) -> bool:
        if rule not in RULE_NAMES:
            raise ValueError(f"unknown rule {rule!r}")
        return rule in self.enabled

    def early_days(self, setup_on: date | None) -> tuple[date, date] | None:
        """[first day, day after the last) of early-days mode; None when it is off."""
        if setup_on is None or self.early_days_weeks <= 0:
            return None
        return setup_on, setup_on + timedelta(weeks=self.early_days_weeks)


def wins_config(settings: Settings) -> WinsConfig:
    """The rules' thresholds from the settings; an unknown rule name is a `SettingsError`."""
    unknown = sorted(set(settings.wins_rules_off) - set(RULE_NAMES))
    if unknown:
        raise SettingsError(
            f"unknown rule(s) {', '.join(unknown)}",
            setting="wins_rules_off",
            source="settings",
            hint="rules: " + ", ".join(RULE_NAMES),
        )
    return WinsConfig(
        enabled=frozenset(RULE_NAMES) - set(settings.wins_rules_off),
        lookback_days=settings.wins_lookback_days,
        streak_weeks=settings.wins_streak_weeks,
        sales_sla_target=settings.wins_sales_sla_target,
        acceptance_target=settings.wins_acceptance_target,
        sales_sla_hours=settings.sales_sla_hours,
        mql_commitment_per_month=settings.marketing_mql_commitment,
        fast_contact_minutes=settings.wins_fast_contact_minutes,
        campaign_min_mqls=settings.wins_campaign_min_mqls,
        fast_answer_hours=settings.wins_fast_answer_hours,
        record_month_min_months=settings.wins_record_month_min_months,
        early_days_weeks=settings.wins_early_days_weeks,
        fiscal_year_start_month=settings.fiscal_year_start_month,
    )
