"""The MQL cohort funnel: of a period's MQLs, how many got accepted, to opportunity, won.

A *cohort* funnel follows the same leads through every stage (unlike the flow
counts of `coparent.metrics.flows`, which count each stage when it happens),
so its step conversions are true shares in [0, 1] and its counts never rise
from one stage to the next: a stage counts every lead that reached it or any
later one (see `coparent.metrics._stages`). Later stages keep filling in after
the period ends; `cohort_conversion` says which MQL months are old enough to
read (matured) and which are still young.
"""

from __future__ import annotations

from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    By,
    add_segments,
    count_if,
    fiscal_start,
    happened_before,
    in_range,
    ratio,
    segment_sources,
    to_canonical,
    window,
)
from coparent.metrics._guard import require_columns
from coparent.metrics._stages import LEAD_STAGE_COLUMNS, OPPORTUNITY_LINK_COLUMNS, with_stages
from coparent.metrics.periods import Period

__all__ = ["FUNNEL_STAGES", "cohort_conversion", "mql_cohort", "mql_funnel"]

FUNNEL_STAGES = ("mql", "accepted", "opportunity", "won")
"""Stage names in order; ``mql_funnel`` counts them as mqls, accepted, opportunities, won."""


def _check(
    leads: ir.Table, opportunities: ir.Table | None, by: By, mql_col: str, feature: str
) -> None:
    require_columns(
        leads,
        {*LEAD_STAGE_COLUMNS, mql_col, *segment_sources(by)},
        feature=feature,
        table_name="leads",
    )
    if opportunities is not None:
        require_columns(
            opportunities, OPPORTUNITY_LINK_COLUMNS, feature=feature, table_name="opportunities"
        )


def mql_cohort(
    leads: ir.Table,
    *,
    opportunities: ir.Table | None,
    period: Period | None,
    as_of: datetime | None,
) -> ir.Table:
    """Canonical ``leads`` whose ``mql_at`` falls in ``period`` (cut at ``as_of``), with stages.

    The rows `mql_funnel` counts and `coparent.metrics.rows` lists: one
    filter, then `with_stages` (``_accepted``, ``_rejected``,
    ``_opportunity``, ``_won``).
    """
    start, end = window(period, as_of)
    t = leads.filter(in_range(leads.mql_at, start, end))
    return with_stages(t, opportunities=opportunities, as_of=as_of)


def _stage_counts(t: ir.Table, *, with_won: bool) -> dict[str, ir.Value]:
    return {
        "mqls": t.count(),
        "accepted": count_if(t._accepted),
        "opportunities": count_if(t._opportunity),
        "won": count_if(t._won) if with_won else ibis.null("int64"),
    }


def mql_funnel(
    leads: ir.Table,
    *,
    opportunities: ir.Table | None = None,
    period: Period | None = None,
    as_of: datetime | None = None,
    by: By = None,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
) -> ir.Table:
    """Counts and step conversions of the MQLs whose ``mql_at`` falls in ``period``.

    Input: canonical ``leads`` (``lead_id``, ``mql_at``, ``accepted_at``,
    ``rejected_at``, ``opportunity_id`` and the ``by`` columns); optionally
    canonical ``opportunities`` for the won stage (and to date opportunities
    with ``as_of``). ``period`` None means all MQLs; ``as_of`` ignores events
    at or after it. ``by`` takes lead columns (``product_id``, ``channel``,
    ``campaign_id``, ``owner_id``) and ``month``/``quarter``/``year`` of the
    MQL date.

    Output: one row per segment (one row in all when ``by`` is None):
    the ``by`` columns, ``mqls``, ``accepted``, ``opportunities``, ``won``
    (int64; ``won`` null without opportunities) and the step conversions
    ``mql_to_accepted``, ``accepted_to_opportunity``, ``opportunity_to_won``
    and ``mql_to_won`` (float64; null when the earlier stage is 0).

    Examples
    --------
    Four MQLs in July: L1 won, L2 became an opportunity still open, L3 was
    accepted, L4 rejected; L5 became an MQL in August.

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3", "L4", "L5"],
    ...     "mql_at": [dt(2026, 7, 1), dt(2026, 7, 2), dt(2026, 7, 3), dt(2026, 7, 4),
    ...                dt(2026, 8, 1)],
    ...     "accepted_at": [dt(2026, 7, 2), dt(2026, 7, 3), dt(2026, 7, 4), None, None],
    ...     "rejected_at": [None, None, None, dt(2026, 7, 5), None],
    ...     "opportunity_id": ["O1", "O2", None, None, None],
    ... })
    >>> opps = ibis.memtable({
    ...     "opportunity_id": ["O1", "O2"],
    ...     "created_at": [dt(2026, 7, 3), dt(2026, 7, 4)],
    ...     "closed_at": [dt(2026, 8, 1), None],
    ...     "status": ["won", "open"],
    ... })
    >>> row = mql_funnel(leads, opportunities=opps, period=parse_period("2026-07"))
    >>> row.to_pyarrow().to_pylist()[0]  # doctest: +NORMALIZE_WHITESPACE
    {'mqls': 4, 'accepted': 3, 'opportunities': 2, 'won': 1, 'mql_to_accepted': 0.75,
     'accepted_to_opportunity': 0.6666666666666666, 'opportunity_to_won': 0.5,
     'mql_to_won': 0.25}
    """
    _check(leads, opportunities, by, mql_col, "the MQL funnel")
    t = to_canonical(leads, {"mql_at": mql_col})
    t = mql_cohort(t, opportunities=opportunities, period=period, as_of=as_of)
    t, names = add_segments(
        t, by, at=t.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    counts = _stage_counts(t, with_won=opportunities is not None)
    agg = t.group_by(names).aggregate(**counts) if names else t.aggregate(**counts)
    return agg.mutate(
        mql_to_accepted=ratio(agg.accepted, agg.mqls),
        accepted_to_opportunity=ratio(agg.opportunities, agg.accepted),
        opportunity_to_won=ratio(agg.won, agg.opportunities),
        mql_to_won=ratio(agg.won, agg.mqls),
    )


def _month_start(index: ir.IntegerValue) -> ir.DateValue:
    return ibis.date(index // 12, index % 12 + 1, 1)


def _cycle_days(
    leads: ir.Table, opportunities: ir.Table | None, as_of: datetime | None, quantile: float
) -> ir.FloatingScalar:
    """The ``quantile`` of days from MQL to the lead's outcome, as a scalar expression.

    The outcome is the close (won or lost) of its opportunity when
    opportunities are given, else Sales' decision (accepted or rejected).
    """
    mqls = leads.filter(leads.mql_at.notnull())
    if opportunities is not None:
        o = opportunities
        closed = o.filter(o.status.isin(["won", "lost"]) & happened_before(o.closed_at, as_of))
        closed = closed.select(_opp_id=closed.opportunity_id, _done_at=closed.closed_at)
        j = mqls.inner_join(closed, mqls.opportunity_id == closed._opp_id)
    else:
        done = ibis.coalesce(mqls.accepted_at, mqls.rejected_at)
        j = mqls.mutate(_done_at=done).filter(happened_before(done, as_of))
    days = (j._done_at.epoch_seconds() - j.mql_at.epoch_seconds()).cast("float64") / 86400.0
    return j.aggregate(q=days.quantile(quantile)).as_scalar()


def _latest_event(leads: ir.Table, opportunities: ir.Table | None) -> ir.TimestampScalar:
    latest = [leads.mql_at.max(), leads.accepted_at.max(), leads.rejected_at.max()]
    if opportunities is not None:
        latest += [opportunities.created_at.max(), opportunities.closed_at.max()]
    return ibis.greatest(*latest)


def cohort_conversion(
    leads: ir.Table,
    *,
    opportunities: ir.Table | None = None,
    period: Period | None = None,
    as_of: datetime | None = None,
    by: By = None,
    maturity_days: float | None = None,
    maturity_quantile: float = 0.8,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
) -> ir.Table:
    """Conversion of each MQL month's cohort, with a flag for cohorts old enough to read.

    A young cohort's later stages are still filling in, so its shares look
    worse than they will be. A cohort (MQL month) is *matured* when at least
    ``maturity_days`` have passed from the end of the month to ``as_of`` (or,
    when None, to the latest event in the data). By default ``maturity_days``
    is the ``maturity_quantile`` (0.8) of days from MQL to the close of the
    lead's opportunity, among leads whose opportunity closed (to Sales'
    accept/reject decision without opportunities): 80% of leads that finish
    finish within it.

    Input: as `mql_funnel`. Output: one row per segment and cohort: the ``by``
    columns, ``cohort`` (date, first day of the MQL month), ``mqls``,
    ``accepted``, ``opportunities``, ``won`` (int64, ``won`` null without
    opportunities), ``accepted_share``, ``opportunity_share``, ``won_share``
    (each over ``mqls``), ``age_days`` (days from the month's end to the
    reference moment), ``maturity_days`` (float64) and ``matured`` (boolean;
    null when there is no finished lead to learn the cycle from).

    Examples
    --------
    Two cohorts read on 2026-04-02 with a 60-day cycle: January ended
    (2026-02-01) 60 days before (matured), February 32 days before (not yet).

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3"],
    ...     "mql_at": [dt(2026, 1, 5), dt(2026, 1, 20), dt(2026, 2, 3)],
    ...     "accepted_at": [dt(2026, 1, 6), None, dt(2026, 2, 4)],
    ...     "rejected_at": [None, dt(2026, 1, 21), None],
    ...     "opportunity_id": [None, None, None],
    ... })
    >>> rows = cohort_conversion(leads, as_of=dt(2026, 4, 2), maturity_days=60)
    >>> [(r["cohort"].isoformat(), r["mqls"], r["accepted_share"], r["age_days"], r["matured"])
    ...  for r in rows.order_by("cohort").to_pyarrow().to_pylist()]
    [('2026-01-01', 2, 0.5, 60.0, True), ('2026-02-01', 1, 1.0, 32.0, False)]
    """
    _check(leads, opportunities, by, mql_col, "cohort conversion")
    if not 0.0 < maturity_quantile <= 1.0:
        raise ValueError(f"maturity_quantile must be in (0, 1], not {maturity_quantile}")
    base = to_canonical(leads, {"mql_at": mql_col})
    start, end = window(period, as_of)
    t = base.filter(in_range(base.mql_at, start, end))
    t = with_stages(t, opportunities=opportunities, as_of=as_of)
    t, names = add_segments(
        t, by, at=t.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    index = t.mql_at.year().cast("int64") * 12 + t.mql_at.month().cast("int64") - 1
    t = t.mutate(cohort=_month_start(index), _cohort_end=_month_start(index + 1))
    keys = [*names, "cohort", "_cohort_end"]
    agg = t.group_by(keys).aggregate(**_stage_counts(t, with_won=opportunities is not None))

    reference = ibis.literal(as_of) if as_of is not None else _latest_event(base, opportunities)
    cycle = (
        ibis.literal(float(maturity_days))
        if maturity_days is not None
        else _cycle_days(base, opportunities, as_of, maturity_quantile)
    )
    age = (reference.epoch_seconds() - agg._cohort_end.cast("timestamp").epoch_seconds()).cast(
        "float64"
    ) / 86400.0
    out = agg.mutate(
        accepted_share=ratio(agg.accepted, agg.mqls),
        opportunity_share=ratio(agg.opportunities, agg.mqls),
        won_share=ratio(agg.won, agg.mqls),
        age_days=age,
        maturity_days=cycle.cast("float64"),
    )
    out = out.mutate(matured=out.age_days >= out.maturity_days)
    return out.drop("_cohort_end")
