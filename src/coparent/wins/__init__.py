"""The wins engine (rules over facts and app data that credit both teams) and the balance panel.

    facts.py      Ibis expressions: won deals, revenue per month, SLAs per week, fast contacts...
    inputs.py     the executed fact rows and the app data, as plain data
    rules.py      the rules table (`RULES`) and the thresholds (`WinsConfig`, from settings)
    deals.py      won deal, biggest deal, record month, goal milestones, first joint win
    streaks.py    SLA streaks of both sides, fast contacts
    app_rules.py  fast answers, win-back, offer verdicts, first accepted MQL, first answered brief
    engine.py     `detect_wins`: every rule that is on, one win per natural key
    balance.py    `balance_report`: recognition, revenue, goals, answers per side; the warning

`coparent.services.wins` runs the fact queries and the engine; the web app
stores the wins by key (running twice never duplicates one) and shows them.
"""

from __future__ import annotations

from coparent.wins.balance import BalanceItem, balance_report, recognition_shares
from coparent.wins.engine import detect_wins
from coparent.wins.inputs import (
    AppData,
    FactRows,
    FeedbackAnswer,
    GoalTarget,
    LeadAcceptance,
    OfferVerdict,
    WinbackList,
)
from coparent.wins.model import SIDES, Credit, Win, win_key
from coparent.wins.rules import RULE_NAMES, RULES, Rule, WinsConfig, wins_config

__all__ = [
    "RULES",
    "RULE_NAMES",
    "SIDES",
    "AppData",
    "BalanceItem",
    "Credit",
    "FactRows",
    "FeedbackAnswer",
    "GoalTarget",
    "LeadAcceptance",
    "OfferVerdict",
    "Rule",
    "Win",
    "WinbackList",
    "WinsConfig",
    "balance_report",
    "detect_wins",
    "recognition_shares",
    "win_key",
    "wins_config",
]
