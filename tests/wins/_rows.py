"""Tiny hand-made fact rows for the rules' tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from coparent.wins import FactRows

Row = dict[str, Any]


def deal(
    opp: str,
    closed: datetime,
    amount: float,
    *,
    owner: str | None = "P2",
    campaign: str | None = None,
    campaign_owner: str | None = None,
) -> Row:
    """A won deal row as `coparent.wins.facts.won_deals` returns it."""
    names = {"P1": "Lee Park", "P2": "Dana Reyes", "P3": "Sam Ito"}
    return {
        "opportunity_id": opp,
        "closed_at": closed,
        "amount": amount,
        "owner_id": owner,
        "owner_name": names.get(owner or ""),
        "account_id": f"A-{opp}",
        "account_name": f"Account {opp}",
        "product_id": None,
        "product_name": None,
        "lead_id": f"L-{opp}" if campaign else None,
        "campaign_id": campaign,
        "campaign_name": f"Campaign {campaign}" if campaign else None,
        "campaign_owner_id": campaign_owner,
        "campaign_owner_name": names.get(campaign_owner or ""),
    }


def rows(
    *,
    until: datetime = datetime(2026, 10, 1),
    since: date = date(2025, 1, 1),
    deals_from: datetime | None = None,
    **parts: Any,
) -> FactRows:
    return FactRows(
        until=until,
        since=since,
        deals_from=deals_from,
        **{k: tuple(v) for k, v in parts.items()},
    )
