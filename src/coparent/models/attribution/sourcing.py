"""Who started and who touched each won deal: sourced and influenced revenue, for both teams.

Definitions (docs/attribution.md), for every won opportunity and the steps
of its journey (lead, or account) up to the moment it was won:

- **marketing-sourced**: the first step is a marketing touch (a touch whose
  channel is not one of Sales' own, `journeys.SALES_CHANNELS`);
- **sales-sourced**: the first step is a sales activity or a touch in a sales
  channel (outbound); a tie at the very first instant counts for Sales;
- **no touch recorded**: the deal's journey has no step before the win;
- **marketing-influenced**: at least one marketing touch before the win;
- **sales-influenced**: at least one sales step before the win;
- **both teams**: influenced by both.

Sourced shares add up to the revenue; influenced shares overlap on purpose,
since most deals need both teams. It is one shared credit table, read
together, not a scoreboard.

Output of `revenue_sourcing`: one row with ``deals`` and ``revenue``, and
``<group>_deals`` / ``<group>_revenue`` for each group in `GROUPS`.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis.expr import types as ir

from coparent.metrics._guard import require_columns
from coparent.models.attribution.journeys import (
    SALES_CHANNELS,
    Journey,
    _opportunity_keys,
    journey_events,
)

__all__ = ["GROUPS", "revenue_sourcing"]

GROUPS: tuple[str, ...] = (
    "marketing_sourced",
    "sales_sourced",
    "no_touch_recorded",
    "marketing_influenced",
    "sales_influenced",
    "both_teams",
)


def revenue_sourcing(
    touches: ir.Table,
    *,
    opportunities: ir.Table,
    activities: ir.Table | None = None,
    leads: ir.Table | None = None,
    journey: Journey = "lead",
    sales_channels: Sequence[str] = SALES_CHANNELS,
) -> ir.Table:
    """Won deals and revenue per group of `GROUPS` (one row; see the module docstring)."""
    require_columns(
        opportunities,
        {"opportunity_id", "closed_at", "status", "amount", "lead_id"},
        feature="sourced revenue",
        table_name="opportunities",
    )
    opps = _opportunity_keys(opportunities, leads=leads, journey=journey)
    won = opps.filter((opps.status == "won") & opps.closed_at.notnull()).select(
        _deal=opps.opportunity_id,
        _key=opps.journey_id,
        _won_at=opps.closed_at,
        _amount=opps.amount.fill_null(0.0).cast("float64"),
    )
    steps = journey_events(
        touches, activities=activities, leads=leads, opportunities=opportunities, journey=journey
    )
    sales_channel = (
        steps.channel.isin(list(sales_channels)) if sales_channels else ibis.literal(False)
    )
    marketing = (steps.source == "touch") & ~sales_channel
    steps = steps.mutate(_marketing=marketing)
    joined = won.left_join(steps, (won._key == steps.journey_id) & (steps.at <= won._won_at))
    deals = joined.group_by(["_deal", "_amount"]).aggregate(
        _first_m=joined.at.min(where=joined._marketing),
        _first_s=joined.at.min(where=~joined._marketing),
    )
    m, s = deals._first_m.notnull(), deals._first_s.notnull()
    groups = {
        "marketing_sourced": m & (~s | (deals._first_m < deals._first_s)),
        "sales_sourced": s & (~m | (deals._first_s <= deals._first_m)),
        "no_touch_recorded": ~m & ~s,
        "marketing_influenced": m,
        "sales_influenced": s,
        "both_teams": m & s,
    }
    metrics: dict[str, ir.Value] = {
        "deals": deals.count(),
        "revenue": deals._amount.sum().fill_null(0.0),
    }
    for name, flag in groups.items():
        metrics[f"{name}_deals"] = flag.cast("int64").sum().fill_null(0)
        metrics[f"{name}_revenue"] = ibis.ifelse(flag, deals._amount, 0.0).sum().fill_null(0.0)
    return deals.aggregate(**metrics)
