"""Flow counts per segment in a period: the factors of the revenue bridge.

Every count is a *flow* inside the period: MQLs whose ``mql_at`` falls in it,
leads accepted in it, opportunities created in it, opportunities closed (won or
lost) in it, won among those, and their won amount. Because each stage is
counted when it happens, a ratio of two flows can exceed 1 (more accepted than
MQLs in a quarter); DESIGN.md calls them flow ratios.

Input: ``opportunities`` (canonical) and optionally ``leads`` (canonical).
Output: one row per segment with columns ``segment`` (string), ``mqls``,
``accepted``, ``opportunities``, ``closed``, ``won`` (int64; ``mqls`` and
``accepted`` are null without leads) and ``revenue`` (float64).

Segments: ``by="product_id"`` (the default; leads and deals by their own
product), ``by="channel"`` (deals take the channel of their lead; deals without
a lead are ``(no lead)``), or ``by=None`` (one segment, ``all``). Missing
segment values are ``(none)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import ibis
from ibis.expr import types as ir

__all__ = ["FLOW_COLUMNS", "SegmentBy", "flow_counts"]

SegmentBy = Literal["product_id", "channel"] | None
FLOW_COLUMNS = ("mqls", "accepted", "opportunities", "closed", "won", "revenue")
NONE_SEGMENT = "(none)"
NO_LEAD_SEGMENT = "(no lead)"


def _in(col: ir.TimestampValue, start: datetime, end: datetime) -> ir.BooleanValue:
    return (col >= start) & (col < end)


def _segment(value: ir.Value) -> ir.StringValue:
    return value.cast("string").fill_null(NONE_SEGMENT)


def flow_counts(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None = None,
    start: datetime,
    end: datetime,
    by: SegmentBy = "product_id",
) -> ir.Table:
    """Flows per segment in [start, end); see the module docstring for the shape."""
    opps = opportunities
    if by == "channel":
        if leads is None:
            opps = opps.mutate(segment=ibis.literal(NO_LEAD_SEGMENT))
        else:
            lead_channel = leads.select(_lead_id=leads.lead_id, _channel=leads.channel)
            opps = opps.left_join(lead_channel, opps.lead_id == lead_channel._lead_id)
            opps = opps.mutate(
                segment=ibis.cases(
                    (opps.lead_id.isnull(), NO_LEAD_SEGMENT), else_=_segment(opps._channel)
                )
            )
    elif by is None:
        opps = opps.mutate(segment=ibis.literal("all"))
    else:
        opps = opps.mutate(segment=_segment(opps[by]))

    closed = _in(opps.closed_at, start, end) & opps.status.isin(["won", "lost"])
    won = closed & (opps.status == "won")
    deal_flows = opps.group_by("segment").aggregate(
        opportunities=_in(opps.created_at, start, end).sum().cast("int64"),
        closed=closed.sum().cast("int64"),
        won=won.sum().cast("int64"),
        revenue=won.ifelse(opps.amount.fill_null(0.0), 0.0).sum().cast("float64"),
    )
    if leads is None:
        return deal_flows.select(
            "segment",
            mqls=ibis.null("int64"),
            accepted=ibis.null("int64"),
            opportunities=deal_flows.opportunities.fill_null(0),
            closed=deal_flows.closed.fill_null(0),
            won=deal_flows.won.fill_null(0),
            revenue=deal_flows.revenue.fill_null(0.0),
        ).order_by("segment")

    lead_segment = (
        ibis.literal("all") if by is None else _segment(leads[by if by else "product_id"])
    )
    lead_flows = (
        leads.mutate(segment=lead_segment)
        .group_by("segment")
        .aggregate(
            mqls=_in(leads.mql_at, start, end).sum().cast("int64"),
            accepted=_in(leads.accepted_at, start, end).sum().cast("int64"),
        )
    )
    joined = lead_flows.outer_join(deal_flows, lead_flows.segment == deal_flows.segment)
    return joined.select(
        segment=ibis.coalesce(joined.segment, joined.segment_right),
        mqls=joined.mqls.fill_null(0),
        accepted=joined.accepted.fill_null(0),
        opportunities=joined.opportunities.fill_null(0),
        closed=joined.closed.fill_null(0),
        won=joined.won.fill_null(0),
        revenue=joined.revenue.fill_null(0.0),
    ).order_by("segment")
