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
    hours_between,
    in_range,
    ratio,
    segment_sources,
    where,
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
    "with_response",
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
    """``col`` where it happened before ``as_of``, else null (CASE treats a null test as false)."""
    known = col.notnull() if as_of is None else col < as_of
    return ibis.cases((known, col), else_=ibis.null("timestamp"))


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
    mq = leads.filter(in_range(leads.mql_at, start, end))
    return with_response(mq, activities, since=start, as_of=as_of, sla_hours=sla_hours)


def with_response(
    mq: ir.Table,
    activities: ir.Table | None,
    *,
    since: datetime | None,
    as_of: datetime | None,
    sla_hours: float,
) -> ir.Table:
    """MQL rows ``mq`` (``mql_at`` at or after ``since``) plus their response columns.

    ``since`` is only a bound that lets the engine skip older activities: an
    activity counts from its lead's ``mql_at`` on, so none before ``since``
    can count.
    """
    contacted = _known(mq.first_contacted_at, as_of)
    attempts: ir.IntegerValue = ibis.null("int64")
    if activities is not None:
        # one filter and one projection (not a chain): fewer relations for Ibis to rewrite
        at = activities.occurred_at
        kept = [activities.lead_id.notnull()]
        kept += [] if as_of is None else [at < as_of]
        kept += [] if since is None else [at >= since]
        acts = activities.filter(*kept).select(
            _act_lead=activities.lead_id, _act_at=activities.occurred_at
        )
        decided = ibis.least(_known(mq.accepted_at, as_of), _known(mq.rejected_at, as_of))
        keys = mq.select(_lid=mq.lead_id, _mql=mq.mql_at, _decided=decided)
        pairs = keys.inner_join(acts, [keys._lid == acts._act_lead, acts._act_at >= keys._mql])
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
    added = {
        "contacted_at": contacted,
        "hours_to_contact": hours,
        "attempts": attempts,
        "sla_status": status,
    }
    # one projection, not a chain: fewer layers for Ibis to rewrite when compiling
    helpers = {"_lid", "_first_act", "_attempts", *added}
    return mq.select(*(c for c in mq.columns if c not in helpers), **added)


def response_metrics(r: ir.Table, *, within: ir.BooleanValue | None = None) -> dict[str, ir.Value]:
    """The aggregates of speed to lead over response rows (one group).

    ``within`` restricts them to the rows where it holds, so several subsets
    can be aggregated side by side from the same rows.
    """
    h = r.hours_to_contact if within is None else where(within, r.hours_to_contact)

    def count(cond: ir.BooleanValue) -> ir.IntegerScalar:
        return count_if(cond if within is None else cond & within)

    # one aggregate for the three quantiles: the engine orders the hours once, not three times
    quantiles = h.quantile([0.5, 0.75, 0.9])
    return {
        "mqls": r.count() if within is None else count_if(within),
        "contacted": count(r.contacted_at.notnull()),
        "mean_hours": h.mean(),
        "median_hours": quantiles[0],
        "p75_hours": quantiles[1],
        "p90_hours": quantiles[2],
        "met": count(r.sla_status == MET),
        "missed": count(r.sla_status == MISSED),
        "pending": count(r.sla_status == PENDING),
    }


def response_summary(agg: ir.Table) -> ir.Table:
    """Columns derived from `response_metrics` once aggregated."""
    return agg.mutate(
        never_contacted=agg.mqls - agg.contacted,
        share_within_sla=ratio(agg.met, agg.met + agg.missed),
    )
