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
`period_flows` counts several windows in the same pass over each table and
stacks their rows with a ``period`` column (the bridge compares two periods).

Segments: ``by="product_id"`` (the default; leads and deals by their own
product), ``by="channel"`` (deals take the channel of their lead; deals without
a lead are ``(no lead)``), or ``by=None`` (one segment, ``all``). Missing
segment values are ``(none)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import ibis
from ibis.expr import types as ir

__all__ = ["FLOW_COLUMNS", "FLOW_EVENTS", "SegmentBy", "flow_counts", "flow_event", "period_flows"]

SegmentBy = Literal["product_id", "channel"] | None
FLOW_COLUMNS = ("mqls", "accepted", "opportunities", "closed", "won", "revenue")
NONE_SEGMENT = "(none)"
NO_LEAD_SEGMENT = "(no lead)"


def _in(col: ir.TimestampValue, start: datetime, end: datetime) -> ir.BooleanValue:
    return (col >= start) & (col < end)


FLOW_EVENTS = {
    "mqls": "leads",
    "accepted": "leads",
    "opportunities": "opportunities",
    "closed": "opportunities",
    "won": "opportunities",
}
"""Each counted flow and the table whose rows it counts."""


def flow_event(table: ir.Table, flow: str, start: datetime, end: datetime) -> ir.BooleanValue:
    """Whether a row of ``table`` counts in ``flow`` of [start, end): the one rule per flow.

    `period_flows` sums it and `coparent.metrics.rows` filters by it, so a
    bridge bar and the rows it opens cannot disagree.
    """
    if flow == "mqls":
        return _in(table.mql_at, start, end)
    if flow == "accepted":
        return _in(table.accepted_at, start, end)
    if flow == "opportunities":
        return _in(table.created_at, start, end)
    closed = _in(table.closed_at, start, end) & table.status.isin(["won", "lost"])
    if flow == "closed":
        return closed
    if flow == "won":
        return closed & (table.status == "won")
    raise ValueError(f"not a flow: {flow!r}; one of {sorted(FLOW_EVENTS)}")


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
    flows = period_flows(opportunities, leads=leads, windows={"": (start, end)}, by=by)
    return flows.drop("period").order_by("segment")


def period_flows(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None = None,
    windows: Mapping[str, tuple[datetime, datetime]],
    by: SegmentBy = "product_id",
) -> ir.Table:
    """`flow_counts` of several [start, end) windows, stacked with a ``period`` column.

    One pass over each table counts every window at once (one column per
    window and flow), and the few segment rows are then stacked per window:
    the cost does not grow with the number of windows.
    """
    opps = opportunities
    if by == "channel":
        if leads is None:
            segment: ir.StringValue = ibis.literal(NO_LEAD_SEGMENT)
        else:
            lead_channel = leads.select(_lead_id=leads.lead_id, _channel=leads.channel)
            opps = opps.left_join(lead_channel, opps.lead_id == lead_channel._lead_id)
            segment = ibis.cases(
                (opps.lead_id.isnull(), NO_LEAD_SEGMENT), else_=_segment(opps._channel)
            )
    elif by is None:
        segment = ibis.literal("all")
    else:
        segment = _segment(opps[by])
    opps = opps.select(
        segment=segment,
        created_at=opps.created_at,
        closed_at=opps.closed_at,
        status=opps.status,
        amount=opps.amount,
    )

    deal_metrics: dict[str, ir.Value] = {}
    for i, (start, end) in enumerate(windows.values()):
        closed = flow_event(opps, "closed", start, end)
        won = flow_event(opps, "won", start, end)
        deal_metrics |= {
            f"opportunities_{i}": flow_event(opps, "opportunities", start, end).sum().cast("int64"),
            f"closed_{i}": closed.sum().cast("int64"),
            f"won_{i}": won.sum().cast("int64"),
            f"revenue_{i}": won.ifelse(opps.amount.fill_null(0.0), 0.0).sum().cast("float64"),
        }
    wide = opps.group_by("segment").aggregate(**deal_metrics)

    if leads is not None:
        lead_segment = ibis.literal("all") if by is None else _segment(leads[by])
        narrow = leads.select(
            segment=lead_segment, mql_at=leads.mql_at, accepted_at=leads.accepted_at
        )
        lead_metrics: dict[str, ir.Value] = {}
        for i, (start, end) in enumerate(windows.values()):
            lead_metrics |= {
                f"mqls_{i}": flow_event(narrow, "mqls", start, end).sum().cast("int64"),
                f"accepted_{i}": flow_event(narrow, "accepted", start, end).sum().cast("int64"),
            }
        lead_flows = narrow.group_by("segment").aggregate(**lead_metrics)
        joined = lead_flows.outer_join(wide, lead_flows.segment == wide.segment)
        wide = joined.select(
            ibis.coalesce(joined.segment, joined.segment_right).name("segment"),
            *(joined[c] for c in lead_metrics),
            *(joined[c] for c in deal_metrics),
        )

    def flow(name: str, i: int) -> ir.Value:
        if leads is None and name in ("mqls", "accepted"):
            return ibis.null("int64")
        return wide[f"{name}_{i}"].fill_null(0.0 if name == "revenue" else 0)

    parts = [
        wide.select(
            "segment",
            **{name: flow(name, i) for name in FLOW_COLUMNS},
            period=ibis.literal(period),
        )
        for i, period in enumerate(windows)
    ]
    return ibis.union(*parts) if len(parts) > 1 else parts[0]
