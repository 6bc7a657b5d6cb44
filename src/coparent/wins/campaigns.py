"""Rule over campaigns: a campaign whose MQLs Sales accepted at the target rate.

The Marketing counterpart of a fast first contact: leads good enough that
Sales takes them on. Judged when the campaign has ended, on its MQLs that
Sales has decided on (accepted, or rejected), once there are at least
``campaign_min_mqls`` of them; the acceptance target is Marketing's weekly
one (``acceptance_target``; 0 turns the rule off).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from coparent.metrics import display as fmt
from coparent.wins import stories
from coparent.wins.inputs import AppData, FactRows
from coparent.wins.model import Credit, Win, win_key
from coparent.wins.rules import WinsConfig

__all__ = ["campaign_acceptance_wins"]


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def campaign_acceptance_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """An ended campaign with at least the target share of its decided MQLs accepted."""
    if config.acceptance_target <= 0:
        return []
    out = []
    for c in rows.campaigns:
        accepted = int(c["accepted"] or 0)
        decided = accepted + int(c["rejected"] or 0)
        if decided < config.campaign_min_mqls or accepted / decided < config.acceptance_target:
            continue
        credits = (
            (Credit(c.get("owner_name") or c["owner_id"], "marketing", c["owner_id"]),)
            if c.get("owner_id")
            else ()
        )
        who = stories.people(credits) if credits else "the Marketing team"
        name = c.get("campaign_name") or c["campaign_id"]
        story = (
            f"Campaign “{name}” ended with {fmt.percent(accepted / decided)} of its "
            f"{fmt.count(decided)} decided MQLs accepted by Sales — {who}."
        )
        out.append(
            Win(
                kind="campaign_acceptance",
                key=win_key("campaign_acceptance", c["campaign_id"]),
                date=_day(c["ended_on"]),
                story=story,
                teams=("marketing",),
                credited=credits,
                evidence=(str(c["campaign_id"]),),
            )
        )
    return out
