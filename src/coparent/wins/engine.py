"""Run every rule that is on over the fact rows and the app data: the wins, newest first.

The result depends only on its inputs (no clock, no randomness, no order of
the input rows), so running the engine twice gives the same wins with the
same keys; the app stores them by key, which is what makes storing
idempotent. Wins dated before ``rows.since`` (the lookback) are left out.
"""

from __future__ import annotations

from collections.abc import Callable

from coparent.wins.app_rules import (
    fast_answer_wins,
    first_accepted_mql_wins,
    first_answered_brief_wins,
    offer_verdict_wins,
    winback_reactivation_wins,
)
from coparent.wins.campaigns import campaign_acceptance_wins
from coparent.wins.deals import (
    biggest_deal_wins,
    deal_won_wins,
    first_joint_win_wins,
    goal_milestone_wins,
    record_month_wins,
)
from coparent.wins.inputs import AppData, FactRows
from coparent.wins.model import Win
from coparent.wins.rules import RULE_NAMES, WinsConfig
from coparent.wins.streaks import (
    fast_contact_wins,
    marketing_sla_streak_wins,
    sales_sla_streak_wins,
)

__all__ = ["RULE_FUNCTIONS", "detect_wins"]

RuleFunction = Callable[[FactRows, AppData, WinsConfig], list[Win]]

RULE_FUNCTIONS: dict[str, RuleFunction] = {
    "deal_won": deal_won_wins,
    "biggest_deal": biggest_deal_wins,
    "record_month": record_month_wins,
    "goal_milestone": goal_milestone_wins,
    "sales_sla_streak": sales_sla_streak_wins,
    "marketing_sla_streak": marketing_sla_streak_wins,
    "fast_contact": fast_contact_wins,
    "campaign_acceptance": campaign_acceptance_wins,
    "fast_answer": fast_answer_wins,
    "winback_reactivation": winback_reactivation_wins,
    "offer_verdict": offer_verdict_wins,
    "first_accepted_mql": first_accepted_mql_wins,
    "first_joint_win": first_joint_win_wins,
    "first_answered_brief": first_answered_brief_wins,
}
if tuple(RULE_FUNCTIONS) != RULE_NAMES:  # pragma: no cover - fails at import, so every test sees it
    raise RuntimeError("RULE_FUNCTIONS and the RULES table disagree")


def detect_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """The wins of every rule that is on, one per key, newest first.

    >>> from datetime import date, datetime
    >>> rows = FactRows(until=datetime(2026, 8, 1), since=date(2026, 1, 1), won_deals=({
    ...     "opportunity_id": "O1", "closed_at": datetime(2026, 7, 3), "amount": 1200.0,
    ...     "owner_id": "P2", "owner_name": "Dana Reyes", "account_name": "Acme",
    ...     "campaign_id": "C1", "campaign_name": "Webinar", "campaign_owner_id": "P1",
    ...     "campaign_owner_name": "Lee Park"},))
    >>> [w.story for w in detect_wins(rows, AppData(), WinsConfig())]
    ['Won: $1,200 with Acme — Dana Reyes (Sales) and Lee Park (Marketing), whose campaign “Webinar” brought the lead.']
    """  # noqa: E501 - a doctest's expected output is one line
    found: dict[str, Win] = {}
    for name, rule in RULE_FUNCTIONS.items():
        if not config.on(name):
            continue
        for win in rule(rows, app, config):
            if win.date >= rows.since and win.key not in found:
                found[win.key] = win
    return sorted(found.values(), key=lambda w: (w.date, w.kind, w.key), reverse=True)
