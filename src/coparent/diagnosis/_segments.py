"""Segment and period columns, labelled exactly as `coparent.metrics.flows` labels them.

The diagnosis reads the bridge's factors from `flow_counts` and the reasons,
deal sizes and contact times from its own aggregates; both must put a deal in
the same segment, so the rules are the same: ``product_id`` or the lead's
``channel``, ``(none)`` when the value is missing and ``(no lead)`` for a deal
without a lead when segmenting by channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import in_range
from coparent.metrics.flows import NO_LEAD_SEGMENT, NONE_SEGMENT
from coparent.metrics.periods import Period

SegmentBy = Literal["product_id", "channel"]


def _label(value: ir.Value) -> ir.StringValue:
    return value.cast("string").fill_null(NONE_SEGMENT)


def with_deal_segment(
    opportunities: ir.Table, *, leads: ir.Table | None, by: SegmentBy
) -> ir.Table:
    """``opportunities`` plus a ``segment`` column."""
    opps = opportunities
    if by == "product_id":
        return opps.mutate(segment=_label(opps.product_id))
    if leads is None:
        return opps.mutate(segment=ibis.literal(NO_LEAD_SEGMENT))
    channel = leads.select(_lead_id=leads.lead_id, _channel=leads.channel)
    joined = opps.left_join(channel, opps.lead_id == channel._lead_id)
    return joined.mutate(
        segment=ibis.cases(
            (joined.lead_id.isnull(), NO_LEAD_SEGMENT), else_=_label(joined._channel)
        )
    ).drop("_lead_id", "_channel")


def with_lead_segment(leads: ir.Table, *, by: SegmentBy) -> ir.Table:
    """``leads`` plus a ``segment`` column."""
    return leads.mutate(segment=_label(leads[by]))


def period_label(at: ir.TimestampValue, periods: Mapping[str, Period]) -> ir.StringValue:
    """The name of the period ``at`` falls in, or null."""
    branches = [((at >= p.start_at) & (at < p.end_at), name) for name, p in periods.items()]
    return ibis.cases(*branches, else_=ibis.null("string"))


def within_periods(at: ir.TimestampValue, periods: Mapping[str, Period]) -> ir.BooleanValue:
    """``at`` lies between the first start and the last end of ``periods``.

    A bare range test for a filter ahead of `period_label`: the engine can
    push it into the scan and skip whole blocks of older rows.
    """
    return in_range(
        at,
        min(p.start_at for p in periods.values()),
        max(p.end_at for p in periods.values()),
    )


def in_some_period(at: ir.TimestampValue, periods: Mapping[str, Period]) -> ir.BooleanValue:
    """``at`` lies in one of ``periods`` (`period_label` is not null), as a filter."""
    return ibis.or_(*(in_range(at, p.start_at, p.end_at) for p in periods.values()))
