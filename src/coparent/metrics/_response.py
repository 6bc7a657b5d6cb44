"""Per-MQL response rows shared by speed to lead and the Sales SLA.

The rules (first contact, 0 hours for a contact before the MQL, met / missed /
pending) are stated once, in `coparent.metrics.speed`'s docstring.
"""

from __future__ import annotations

from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    By,
    count_if,
    happened_before,
    hours_between,
    in_window,
    ratio,
    segment_sources,
    window,
)
from coparent.metrics._guard import require_columns
from coparent.metrics.periods import Period

__all__ = [
    "MET",
    "MISSED",
    "PENDING",
    "check_lead_inputs",
    "response_metrics",
    "response_rows",
    "response_summary",
]

MET, MISSED, PENDING = "met", "missed", "pending"


def check_lead_inputs(
    leads: ir.Table,
    activities: ir.Table | None,
    *,
    by: By,
    columns: set[str],
    feature: str,
) -> None:
    """The one column check of a metric reading leads (and optionally activities)."""
    need = {"lead_id", "accepted_at", "rejected_at", *columns, *segment_sources(by)}
    require_columns(leads, need, feature=feature, table_name="leads")
    if activities is not None:
        require_columns(
            activities, {"lead_id", "occurred_at"}, feature=feature, table_name="activities"
        )


def _known(col: ir.TimestampValue, as_of: datetime | None) -> ir.TimestampValue:
    return ibis.cases((happened_before(col, as_of), col), else_=ibis.null("timestamp"))


def response_rows(
    leads: ir.Table,
    activities: ir.Table | None,
    *,
    period: Period | None,
    as_of: datetime | None,
    sla_hours: float,
) -> ir.Table:
    """Canonical ``leads`` of MQLs in the window, plus their response columns.

    The MQLs are filtered before the activities join, so only the window's
    leads meet the (large) activities table.
    """
    start, end = window(period, as_of)
    mq = leads.filter(in_window(leads.mql_at, start, end))
    contacted = _known(mq.first_contacted_at, as_of)
    attempts: ir.IntegerValue = ibis.null("int64")
    if activities is not None:
        acts = activities.filter(activities.lead_id.notnull())
        acts = acts.select(_act_lead=acts.lead_id, _act_at=acts.occurred_at)
        if as_of is not None:
            acts = acts.filter(acts._act_at < as_of)
        decided = ibis.least(_known(mq.accepted_at, as_of), _known(mq.rejected_at, as_of))
        keys = mq.select(_lid=mq.lead_id, _mql=mq.mql_at, _decided=decided)
        pairs = keys.inner_join(acts, keys._lid == acts._act_lead)
        pairs = pairs.filter(pairs._act_at >= pairs._mql)
        per_lead = pairs.group_by("_lid").aggregate(
            _first_act=pairs._act_at.min(),
            _attempts=count_if(pairs._decided.isnull() | (pairs._act_at <= pairs._decided)),
        )
        mq = mq.left_join(per_lead, mq.lead_id == per_lead._lid)
        # LEAST skips nulls on DuckDB and Spark: either source alone is enough
        contacted = ibis.least(_known(mq.first_contacted_at, as_of), mq._first_act)
        attempts = mq._attempts.fill_null(0)
    hours = hours_between(contacted, mq.mql_at)
    hours = ibis.cases((hours < 0, 0.0), else_=hours)
    waited_enough = (
        ibis.literal(True)
        if as_of is None
        else hours_between(ibis.literal(as_of), mq.mql_at) >= sla_hours
    )
    status = ibis.cases(
        (contacted.notnull() & (hours <= sla_hours), MET),
        (contacted.notnull() | waited_enough, MISSED),
        else_=PENDING,
    )
    out = mq.mutate(contacted_at=contacted, hours_to_contact=hours, attempts=attempts)
    out = out.mutate(sla_status=status)
    if activities is not None:
        out = out.drop("_lid", "_first_act", "_attempts")
    return out


def response_metrics(r: ir.Table) -> dict[str, ir.Value]:
    """The aggregates of speed to lead over response rows (one group)."""
    h = r.hours_to_contact
    return {
        "mqls": r.count(),
        "contacted": count_if(r.contacted_at.notnull()),
        "mean_hours": h.mean(),
        "median_hours": h.median(),
        "p75_hours": h.quantile(0.75),
        "p90_hours": h.quantile(0.9),
        "met": count_if(r.sla_status == MET),
        "missed": count_if(r.sla_status == MISSED),
        "pending": count_if(r.sla_status == PENDING),
    }


def response_summary(agg: ir.Table) -> ir.Table:
    """Columns derived from `response_metrics` once aggregated."""
    return agg.mutate(
        never_contacted=agg.mqls - agg.contacted,
        share_within_sla=ratio(agg.met, agg.met + agg.missed),
    )
