"""Deals: win rate, won revenue and sales cycle of a period's closes; open pipeline.

Win rate is won / (won + lost) among opportunities *closed* in the period
(DESIGN.md): a deal counts once, in the period its outcome is known, so the
rate is never diluted by deals still open. Revenue is the amount of the deals
won in the period (a won deal without an amount adds 0 and is counted in
``won_without_amount``). The sales cycle is the days from ``created_at`` to
``closed_at`` of the won deals (deals without a creation date are left out).

Segments (``by``) are opportunity columns (``product_id``, ``owner_id``) or
lead columns reached through ``lead_id`` when ``leads`` is given (``channel``,
``campaign_id``); a deal without a lead is in ``(no lead)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    NO_LEAD_SEGMENT,
    PERIOD_BUCKETS,
    By,
    add_segments,
    by_columns,
    check_no_overlap,
    count_if,
    fiscal_start,
    happened_before,
    in_range,
    ratio,
    segment_sources,
    to_canonical,
    where,
    window,
)
from coparent.metrics._guard import require_columns
from coparent.metrics.periods import Period

__all__ = ["closed_deal", "deal_summaries", "deal_summary", "open_deal", "open_pipeline"]


def closed_deal(t: ir.Table, start: datetime | None, end: datetime | None) -> ir.BooleanValue:
    """A deal of canonical ``t`` closed (won or lost) in [start, end): the deals a win rate reads.

    The one filter of `deal_summary`, `deal_summaries` and the rows behind
    their figures (`coparent.metrics.rows`).
    """
    return in_range(t.closed_at, start, end) & t.status.isin(["won", "lost"])


def open_deal(t: ir.Table, as_of: datetime | None) -> ir.BooleanValue:
    """A deal of canonical ``t`` open at ``as_of`` (now, when None): `open_pipeline`'s rule."""
    if as_of is None:
        is_open = t.closed_at.isnull() & (t.status == "open")
    else:
        created = t.created_at.isnull() | (t.created_at < as_of)
        not_closed = ~happened_before(t.closed_at, as_of) & (
            t.closed_at.notnull() | (t.status == "open")
        )
        is_open = created & not_closed
    return is_open.fill_null(False)


def _with_lead_segments(
    opps: ir.Table, leads: ir.Table | None, by: By, *, required: set[str], feature: str
) -> ir.Table:
    """Check the inputs once; bring lead columns named in ``by`` onto the deals."""
    sources = segment_sources(by)
    from_leads = sorted(n for n in sources if n not in opps.columns)
    if leads is None or not from_leads:
        require_columns(opps, required | sources, feature=feature, table_name="opportunities")
        return opps
    require_columns(opps, required | {"lead_id"}, feature=feature, table_name="opportunities")
    require_columns(leads, {"lead_id", *from_leads}, feature=feature, table_name="leads")
    lead_cols = leads.select(_seg_lead=leads.lead_id, **{f"_seg_{n}": leads[n] for n in from_leads})
    j = opps.left_join(lead_cols, opps.lead_id == lead_cols._seg_lead)
    values = {
        n: ibis.cases((j.lead_id.isnull(), NO_LEAD_SEGMENT), else_=j[f"_seg_{n}"].cast("string"))
        for n in from_leads
    }
    return j.mutate(**values).drop("_seg_lead", *(f"_seg_{n}" for n in from_leads))


def deal_summary(
    opportunities: ir.Table,
    *,
    period: Period | None = None,
    as_of: datetime | None = None,
    by: By = None,
    leads: ir.Table | None = None,
    fiscal_year_start_month: int | None = None,
    created_col: str = "created_at",
    closed_col: str = "closed_at",
    amount_col: str = "amount",
    status_col: str = "status",
) -> ir.Table:
    """Outcomes of the deals closed in ``period`` (cut at ``as_of``), per segment.

    Input: canonical ``opportunities`` (``status``, ``created_at``,
    ``closed_at``, ``amount`` and the ``by`` columns); ``leads`` for lead
    segments. ``month``/``quarter``/``year`` in ``by`` bucket the close date.
    Segments without a close in the window have no row.

    Output: one row per segment: the ``by`` columns, ``closed``, ``won``,
    ``lost`` (int64), ``win_rate`` (float64, won / (won + lost)), ``revenue``
    (float64), ``won_without_amount`` (int64), ``average_deal`` (float64,
    revenue / won deals with an amount), ``cycle_median_days``,
    ``cycle_mean_days`` (float64, won deals) and ``cycle_deals`` (int64, the
    won deals with both dates).

    Examples
    --------
    Closed in Q3: O1 won 100 after 10 days, O2 won 300 after 30 days, O3
    lost; O4 closed in Q2 and O5 is still open. Win rate 2 / 3, revenue 400,
    median cycle 20 days.

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> opps = ibis.memtable({
    ...     "opportunity_id": ["O1", "O2", "O3", "O4", "O5"],
    ...     "product_id": ["pro", "pro", "pro", "pro", "pro"],
    ...     "created_at": [dt(2026, 7, 1), dt(2026, 7, 1), dt(2026, 6, 1), dt(2026, 5, 1),
    ...                    dt(2026, 7, 1)],
    ...     "closed_at": [dt(2026, 7, 11), dt(2026, 7, 31), dt(2026, 8, 1), dt(2026, 6, 1), None],
    ...     "status": ["won", "won", "lost", "won", "open"],
    ...     "amount": [100.0, 300.0, 50.0, 70.0, 20.0],
    ... })
    >>> q3 = parse_period("2026-Q3")
    >>> row = deal_summary(opps, period=q3, by="product_id").to_pyarrow().to_pylist()[0]
    >>> row["won"], row["lost"], round(row["win_rate"], 4), row["revenue"], row["cycle_median_days"]
    (2, 1, 0.6667, 400.0, 20.0)
    """
    t = _with_lead_segments(
        opportunities,
        leads,
        by,
        required={status_col, created_col, closed_col, amount_col},
        feature="deal outcomes",
    )
    t = to_canonical(
        t,
        {
            "status": status_col,
            "created_at": created_col,
            "closed_at": closed_col,
            "amount": amount_col,
        },
    )
    start, end = window(period, as_of)
    t = t.filter(closed_deal(t, start, end))
    t, names = add_segments(
        t, by, at=t.closed_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    metrics = _deal_metrics(t)
    agg = t.group_by(names).aggregate(**metrics) if names else t.aggregate(**metrics)
    return _with_rates(agg)


def _deal_metrics(t: ir.Table) -> dict[str, ir.Value]:
    """`deal_summary`'s aggregates over closed deals ``t`` (canonical columns)."""
    won = t.status == "won"
    days = (t.closed_at.epoch_seconds() - t.created_at.epoch_seconds()).cast("float64") / 86400.0
    timed = won & t.created_at.notnull()
    return {
        "closed": t.count(),
        "won": count_if(won),
        "lost": count_if(t.status == "lost"),
        "revenue": t.amount.sum(where=won).fill_null(0.0).cast("float64"),
        "won_without_amount": count_if(won & t.amount.isnull()),
        "cycle_median_days": where(timed, days).median(),
        "cycle_mean_days": where(timed, days).mean(),
        "cycle_deals": count_if(timed),
    }


def _with_rates(agg: ir.Table) -> ir.Table:
    return agg.mutate(
        win_rate=ratio(agg.won, agg.won + agg.lost),
        average_deal=ratio(agg.revenue, agg.won - agg.won_without_amount),
    )


def deal_summaries(
    opportunities: ir.Table,
    *,
    periods: Mapping[str, Period],
    as_of: datetime | None = None,
    by: By = None,
    leads: ir.Table | None = None,
    fiscal_year_start_month: int | None = None,
    created_col: str = "created_at",
    closed_col: str = "closed_at",
    amount_col: str = "amount",
    status_col: str = "status",
) -> ir.Table:
    """`deal_summary` of several periods at once: all their deals, and per segment, in one query.

    Input: as `deal_summary`; ``periods`` maps a name to a period, each cut
    at ``as_of``; they must not overlap.

    Output: one row per period with the ``by`` columns null (all its closed
    deals; there even when nothing closed in it), and, with ``by``, one per
    period and segment with closes: ``period`` (its name), the ``by``
    columns, then the columns of `deal_summary`. Each figure equals the one
    `deal_summary` gives for that period and segment.

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> opps = ibis.memtable({
    ...     "product_id": ["pro", "pro", "starter"],
    ...     "created_at": [dt(2026, 7, 1), dt(2026, 4, 1), dt(2026, 7, 1)],
    ...     "closed_at": [dt(2026, 7, 11), dt(2026, 5, 1), dt(2026, 8, 1)],
    ...     "status": ["won", "won", "lost"],
    ...     "amount": [100.0, 300.0, 50.0],
    ... })
    >>> periods = {"q3": parse_period("2026-Q3"), "q2": parse_period("2026-Q2")}
    >>> t = deal_summaries(opps, periods=periods, by="product_id")
    >>> [(r["period"], r["product_id"], r["won"], r["lost"], r["revenue"])
    ...  for r in t.order_by(["period", "product_id"]).to_pyarrow().to_pylist()]
    [('q2', 'pro', 1, 0, 300.0), ('q2', None, 1, 0, 300.0), ('q3', 'pro', 1, 0, 100.0), ('q3', 'starter', 0, 1, 0.0), ('q3', None, 1, 1, 100.0)]
    """  # noqa: E501 - a doctest's expected output is one line
    if not periods:
        raise ValueError("deal_summaries needs at least one period")
    columns = {
        "status": status_col,
        "created_at": created_col,
        "closed_at": closed_col,
        "amount": amount_col,
    }
    t = _with_lead_segments(
        opportunities, leads, by, required=set(columns.values()), feature="deal outcomes"
    )
    t = to_canonical(t, columns)
    deals = to_canonical(opportunities, columns)
    windows = {name: window(p, as_of) for name, p in periods.items()}
    check_no_overlap(windows)
    parts = []
    for name, (start, end) in windows.items():
        # all the period's deals: the very aggregate of `deal_summary` (no groups, so the
        # row is there even when nothing closed, with its floats summed the same way)
        mine = deals.filter(closed_deal(deals, start, end))
        total = mine.aggregate(**_deal_metrics(mine))
        parts.append(
            total.select(
                period=ibis.literal(name),
                **{
                    n: ibis.null("date" if n in PERIOD_BUCKETS else "string")
                    for n in by_columns(by)
                },
                **{c: total[c] for c in total.columns},
            )
        )
    if by_columns(by):
        # every period's segments in one aggregate
        inside = {name: in_range(t.closed_at, start, end) for name, (start, end) in windows.items()}
        label = ibis.cases(*((c, name) for name, c in inside.items()), else_=ibis.null("string"))
        t = t.filter(ibis.or_(*inside.values()) & t.status.isin(["won", "lost"]))
        t = t.mutate(period=label)
        t, names = add_segments(
            t,
            by,
            at=t.closed_at,
            fiscal_year_start_month=fiscal_start(
                next(iter(periods.values())), fiscal_year_start_month
            ),
        )
        parts.append(t.group_by(["period", *names]).aggregate(**_deal_metrics(t)))
    return _with_rates(ibis.union(*parts) if len(parts) > 1 else parts[0])


def open_pipeline(
    opportunities: ir.Table,
    *,
    as_of: datetime | None = None,
    by: By = None,
    leads: ir.Table | None = None,
    created_col: str = "created_at",
    closed_col: str = "closed_at",
    amount_col: str = "amount",
    status_col: str = "status",
) -> ir.Table:
    """Deals open at ``as_of`` (now, when None), their count and known value, per segment.

    Open at ``as_of``: created before it (or with no creation date) and not
    closed before it, i.e. ``closed_at`` at or after ``as_of``, or no
    ``closed_at`` and status ``open``. Amounts are often empty early in a
    deal; those deals are counted in ``unknown_amount`` and add nothing to
    ``open_amount``, so the value is a floor, never a guess.

    Output: one row per segment: the ``by`` columns, ``open_deals`` (int64),
    ``open_amount`` (float64) and ``unknown_amount`` (int64).

    Examples
    --------
    At 2026-07-01: O1 (created in June, closed in July) and O2 (open, no
    amount) are open; O3 closed in June and O4 was created after.

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> opps = ibis.memtable({
    ...     "opportunity_id": ["O1", "O2", "O3", "O4"],
    ...     "created_at": [dt(2026, 6, 1), dt(2026, 6, 2), dt(2026, 6, 3), dt(2026, 7, 2)],
    ...     "closed_at": [dt(2026, 7, 5), None, dt(2026, 6, 9), None],
    ...     "status": ["won", "open", "lost", "open"],
    ...     "amount": [100.0, None, 50.0, 10.0],
    ... })
    >>> open_pipeline(opps, as_of=dt(2026, 7, 1)).to_pyarrow().to_pylist()
    [{'open_deals': 2, 'open_amount': 100.0, 'unknown_amount': 1}]
    """
    if set(by_columns(by)) & set(PERIOD_BUCKETS):
        raise ValueError(f"open pipeline is a stock at one moment: no {PERIOD_BUCKETS} in by")
    t = _with_lead_segments(
        opportunities,
        leads,
        by,
        required={status_col, created_col, closed_col, amount_col},
        feature="open pipeline",
    )
    t = to_canonical(
        t,
        {
            "status": status_col,
            "created_at": created_col,
            "closed_at": closed_col,
            "amount": amount_col,
        },
    )
    t = t.filter(open_deal(t, as_of))
    t, names = add_segments(t, by, at=t.created_at, fiscal_year_start_month=1)
    metrics = {
        "open_deals": t.count(),
        "open_amount": t.amount.sum().fill_null(0.0).cast("float64"),
        "unknown_amount": count_if(t.amount.isnull()),
    }
    return t.group_by(names).aggregate(**metrics) if names else t.aggregate(**metrics)
