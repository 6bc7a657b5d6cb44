"""The two hand-off SLAs: Sales answers fast, Marketing delivers enough good leads.

Sales SLA: the share of the period's MQLs first contacted within
``sla_hours``. An MQL not contacted counts as a miss once ``sla_hours`` have
passed at ``as_of``; before that it is *pending* (too young to judge) and left
out of the share, so a report run mid-period does not punish Sales for leads
that arrived an hour ago (rules in `coparent.metrics.speed`).

Marketing SLA: the MQLs delivered in the period against the commitment
(``commitment_per_month`` times the months in the period; none when no
commitment is set), and the acceptance rate of the period's MQLs,
accepted / (accepted + rejected), undecided leads left out (acceptance rule in
`coparent.metrics._stages`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    By,
    add_segments,
    count_if,
    fiscal_start,
    period_bucket,
    ratio,
    segment_sources,
    to_canonical,
)
from coparent.metrics._guard import require_columns
from coparent.metrics._response import (
    MET,
    MISSED,
    PENDING,
    check_lead_inputs,
    response_metrics,
    response_rows,
    response_summary,
)
from coparent.metrics._stages import OPPORTUNITY_LINK_COLUMNS, with_stages
from coparent.metrics.funnel import mql_cohort
from coparent.metrics.periods import Period

__all__ = ["committed_mqls", "marketing_sla", "sales_sla", "sla_compliance"]

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _judged_metrics(r: ir.Table) -> dict[str, ir.Value]:
    return {
        "mqls": r.count(),
        "met": count_if(r.sla_status == MET),
        "missed": count_if(r.sla_status == MISSED),
        "pending": count_if(r.sla_status == PENDING),
    }


def _acceptance_metrics(r: ir.Table) -> dict[str, ir.Value]:
    return {"accepted": count_if(r._accepted), "rejected": count_if(r._rejected)}


def sales_sla(
    leads: ir.Table,
    *,
    activities: ir.Table | None = None,
    period: Period | None = None,
    as_of: datetime | None = None,
    by: By = None,
    sla_hours: float = 24.0,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
    contacted_col: str = "first_contacted_at",
) -> ir.Table:
    """Sales SLA compliance of the period's MQLs, per segment.

    Input: canonical ``leads``; optionally ``activities`` (first contact and
    attempts). ``by``: lead columns or ``month``/``quarter``/``year`` of the MQL.

    Output: one row per segment: every column of `speed_to_lead` (``mqls``,
    ``contacted``, ``never_contacted``, ``met``, ``missed``, ``pending``,
    ``share_within_sla`` = met / (met + missed), null when nothing can be
    judged, and the hours ``mean``/``median``/``p75``/``p90``), plus
    ``sla_hours`` (float64), ``attempts`` (int64, activities from MQL to
    decision; null without activities) and ``attempts_per_mql`` (float64).

    Examples
    --------
    Read at 2026-07-03 00:00 with a 24 h SLA: one MQL contacted in 2 h (met),
    one never and 2 days old (missed), one never and 6 h old (pending):
    1 of 2 judged MQLs within the SLA.

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3"],
    ...     "mql_at": [dt(2026, 7, 1), dt(2026, 7, 1), dt(2026, 7, 2, 18)],
    ...     "first_contacted_at": [dt(2026, 7, 1, 2), None, None],
    ...     "accepted_at": [None] * 3, "rejected_at": [None] * 3,
    ... })
    >>> row = sales_sla(leads, as_of=dt(2026, 7, 3)).to_pyarrow().to_pylist()[0]
    >>> row["met"], row["missed"], row["pending"], row["share_within_sla"]
    (1, 1, 1, 0.5)
    """
    check_lead_inputs(
        leads, activities, by=by, columns={mql_col, contacted_col}, feature="the Sales SLA"
    )
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    r = response_rows(t, activities, period=period, as_of=as_of, sla_hours=sla_hours)
    r, names = add_segments(
        r, by, at=r.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    attempts = r.attempts.sum().fill_null(0) if activities is not None else ibis.null("int64")
    metrics = response_metrics(r) | {"attempts": attempts}
    agg = r.group_by(names).aggregate(**metrics) if names else r.aggregate(**metrics)
    agg = response_summary(agg)
    return agg.mutate(
        sla_hours=ibis.literal(float(sla_hours)),
        attempts_per_mql=ratio(agg.attempts, agg.mqls),
    )


def _elapsed_share(period: Period, as_of: datetime | None) -> float:
    if as_of is None or as_of >= period.end_at:
        return 1.0
    if as_of <= period.start_at:
        return 0.0
    return (as_of - period.start_at) / (period.end_at - period.start_at)


def committed_mqls(
    periods: Mapping[str, Period], *, as_of: datetime | None, per_month: float | None
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """MQLs committed in each period, and pro rata of it elapsed at ``as_of`` (None: no commitment).

    >>> from coparent.metrics.periods import parse_period
    >>> committed_mqls({"q": parse_period("2026-Q3")}, as_of=None, per_month=100)
    ({'q': 300.0}, {'q': 300.0})
    """
    committed: dict[str, float | None] = {}
    to_date: dict[str, float | None] = {}
    for name, period in periods.items():
        total = float(per_month) * _MONTHS[period.kind] if per_month else None
        committed[name] = total
        to_date[name] = None if total is None else total * _elapsed_share(period, as_of)
    return committed, to_date


def marketing_sla(
    leads: ir.Table,
    *,
    period: Period,
    opportunities: ir.Table | None = None,
    as_of: datetime | None = None,
    by: By = None,
    commitment_per_month: float | None = None,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
) -> ir.Table:
    """MQLs delivered against the commitment, and their acceptance rate, per segment.

    Input: canonical ``leads``; optionally ``opportunities`` (to date the
    opportunity link with ``as_of``). The commitment is company-wide, so the
    committed columns are null when ``by`` splits the MQLs, and when
    ``commitment_per_month`` is None or 0.

    Output: one row per segment: the ``by`` columns, ``mqls`` (delivered),
    ``committed`` (float64: commitment x months in the period),
    ``committed_to_date`` (float64: pro rata of the period elapsed at
    ``as_of``), ``delivery_rate`` = mqls / committed_to_date, ``accepted``,
    ``rejected``, ``undecided`` (int64) and ``acceptance_rate`` =
    accepted / (accepted + rejected) (float64).

    Examples
    --------
    A quarter with a commitment of 2 MQLs a month (6 committed): 4 delivered,
    2 accepted, 1 rejected, 1 undecided.

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3", "L4"],
    ...     "mql_at": [dt(2026, 7, 1), dt(2026, 8, 1), dt(2026, 8, 2), dt(2026, 9, 1)],
    ...     "accepted_at": [dt(2026, 7, 2), dt(2026, 8, 2), None, None],
    ...     "rejected_at": [None, None, dt(2026, 8, 3), None],
    ...     "opportunity_id": [None] * 4,
    ... })
    >>> q3 = parse_period("2026-Q3")
    >>> row = marketing_sla(leads, period=q3, commitment_per_month=2).to_pyarrow().to_pylist()[0]
    >>> row["mqls"], row["committed"], row["delivery_rate"], row["acceptance_rate"]
    (4, 6.0, 0.6666666666666666, 0.6666666666666666)
    """
    require_columns(
        leads,
        {"lead_id", mql_col, "accepted_at", "rejected_at", "opportunity_id"} | segment_sources(by),
        feature="the Marketing SLA",
        table_name="leads",
    )
    if opportunities is not None:
        require_columns(
            opportunities,
            OPPORTUNITY_LINK_COLUMNS,
            feature="the Marketing SLA",
            table_name="opportunities",
        )
    t = to_canonical(leads, {"mql_at": mql_col})
    t = mql_cohort(t, opportunities=opportunities, period=period, as_of=as_of)
    t, names = add_segments(
        t, by, at=t.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    metrics = {"mqls": t.count(), **_acceptance_metrics(t)}
    agg = t.group_by(names).aggregate(**metrics) if names else t.aggregate(**metrics)
    committed_by, to_date_by = committed_mqls(
        {"": period}, as_of=as_of, per_month=None if names else commitment_per_month
    )
    committed, to_date = committed_by[""], to_date_by[""]
    committed_lit = ibis.literal(committed, type="float64")
    to_date_lit = ibis.literal(to_date, type="float64")
    return agg.mutate(
        committed=committed_lit,
        committed_to_date=to_date_lit,
        delivery_rate=ratio(agg.mqls, to_date_lit),
        undecided=agg.mqls - agg.accepted - agg.rejected,
        acceptance_rate=ratio(agg.accepted, agg.accepted + agg.rejected),
    )


def sla_compliance(
    leads: ir.Table,
    *,
    period: Period,
    every: Literal["week", "month"] = "week",
    activities: ir.Table | None = None,
    opportunities: ir.Table | None = None,
    as_of: datetime | None = None,
    by: By = None,
    sla_hours: float = 24.0,
    commitment_per_month: float | None = None,
    mql_col: str = "mql_at",
    contacted_col: str = "first_contacted_at",
) -> ir.Table:
    """Both SLAs week by week (ISO weeks, from Monday) or month by month over ``period``.

    MQLs fall in the bucket of their ``mql_at``; the first and last weeks of a
    period may be partial. The commitment is per month, so ``committed`` is
    set for month buckets only (and only without ``by``).

    Output: one row per segment and bucket: the ``by`` columns, ``bucket``
    (date: the Monday or the first of the month), ``mqls``, ``met``,
    ``missed``, ``pending`` (int64), ``share_within_sla`` (float64),
    ``accepted``, ``rejected`` (int64), ``acceptance_rate`` (float64),
    ``committed`` (float64 or null) and ``delivery_rate`` (mqls / committed).

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3"],
    ...     "mql_at": [dt(2026, 7, 6), dt(2026, 7, 8), dt(2026, 7, 13)],
    ...     "first_contacted_at": [dt(2026, 7, 6, 1), dt(2026, 7, 10), dt(2026, 7, 13, 3)],
    ...     "accepted_at": [dt(2026, 7, 7), None, None],
    ...     "rejected_at": [None, dt(2026, 7, 11), None],
    ...     "opportunity_id": [None] * 3,
    ... })
    >>> weeks = sla_compliance(leads, period=parse_period("2026-07"), every="week")
    >>> [(r["bucket"].isoformat(), r["mqls"], r["share_within_sla"], r["acceptance_rate"])
    ...  for r in weeks.order_by("bucket").to_pyarrow().to_pylist()]
    [('2026-07-06', 2, 0.5, 0.5), ('2026-07-13', 1, 1.0, None)]
    """
    if every not in ("week", "month"):
        raise ValueError(f"every must be 'week' or 'month', not {every!r}")
    check_lead_inputs(
        leads,
        activities,
        by=by,
        columns={mql_col, contacted_col, "opportunity_id"},
        feature="SLA compliance",
    )
    if opportunities is not None:
        require_columns(
            opportunities,
            OPPORTUNITY_LINK_COLUMNS,
            feature="SLA compliance",
            table_name="opportunities",
        )
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    r = response_rows(t, activities, period=period, as_of=as_of, sla_hours=sla_hours)
    r = with_stages(r, opportunities=opportunities, as_of=as_of)
    bucket = (
        r.mql_at.truncate("W").cast("date") if every == "week" else period_bucket(r.mql_at, "month")
    )
    r = r.mutate(bucket=bucket)
    r, names = add_segments(
        r, by, at=r.mql_at, fiscal_year_start_month=period.fiscal_year_start_month
    )
    metrics = _judged_metrics(r) | _acceptance_metrics(r)
    agg = r.group_by([*names, "bucket"]).aggregate(**metrics)
    committed = (
        float(commitment_per_month)
        if commitment_per_month and every == "month" and not names
        else None
    )
    committed_lit = ibis.literal(committed, type="float64")
    return agg.select(
        *names,
        "bucket",
        "mqls",
        "met",
        "missed",
        "pending",
        share_within_sla=ratio(agg.met, agg.met + agg.missed),
        accepted=agg.accepted,
        rejected=agg.rejected,
        acceptance_rate=ratio(agg.accepted, agg.accepted + agg.rejected),
        committed=committed_lit,
        delivery_rate=ratio(agg.mqls, committed_lit),
    )
