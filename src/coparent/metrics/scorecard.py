"""The lead side of the scorecard in one query: funnel, both SLAs, speed to lead, histogram.

`mql_funnel`, `sales_sla`, `marketing_sla`, `speed_to_lead` and
`speed_histogram` each read the period's MQLs, and the Sales metrics join them
to the (large) activities table. The scorecard needs all of them, for two
periods, in total and per channel: `lead_scorecard` reads the MQLs of every
period and meets the activities once, then aggregates the same per-MQL rows
(`coparent.metrics._response`, `coparent.metrics._stages`) at both levels. Its
figures are those of the single metrics, by the same definitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    By,
    check_no_overlap,
    count_if,
    fiscal_start,
    in_range,
    ratio,
    segment_sources,
    segment_values,
    to_canonical,
    where,
    window,
)
from coparent.metrics._guard import require_columns
from coparent.metrics._response import check_lead_inputs, response_metrics, with_response
from coparent.metrics._stages import OPPORTUNITY_LINK_COLUMNS, with_stages
from coparent.metrics.periods import Period
from coparent.metrics.sla import committed_mqls
from coparent.metrics.speed import DEFAULT_BINS_HOURS, histogram_bins, hours_bin

__all__ = ["lead_scorecard"]

_LEAD_COLUMNS = (
    "lead_id",
    "mql_at",
    "first_contacted_at",
    "accepted_at",
    "rejected_at",
    "opportunity_id",
)


def _check(
    leads: ir.Table,
    activities: ir.Table | None,
    opportunities: ir.Table | None,
    by: By,
    mql_col: str,
    contacted_col: str,
) -> None:
    feature = "the lead scorecard"
    check_lead_inputs(
        leads,
        activities,
        by=by,
        columns={mql_col, contacted_col, "opportunity_id"},
        feature=feature,
    )
    if opportunities is not None:
        require_columns(
            opportunities, OPPORTUNITY_LINK_COLUMNS, feature=feature, table_name="opportunities"
        )


def lead_scorecard(
    leads: ir.Table,
    *,
    periods: Mapping[str, Period],
    opportunities: ir.Table | None = None,
    activities: ir.Table | None = None,
    as_of: datetime | None = None,
    by: By = None,
    sla_hours: float = 24.0,
    commitment_per_month: float | None = None,
    bins_hours: Sequence[float] = DEFAULT_BINS_HOURS,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
    contacted_col: str = "first_contacted_at",
) -> ir.Table:
    """The MQLs of each named period: funnel, Sales and Marketing SLA, speed to lead.

    Input: as `mql_funnel` and `sales_sla`: canonical ``leads``, optionally
    ``opportunities`` (won stage, dated links) and ``activities`` (first
    contact, attempts). ``periods`` maps a name to a period; each is cut at
    ``as_of`` and they must not overlap. ``by`` adds rows per segment (lead
    columns or ``month``/``quarter``/``year`` of the MQL).

    Output: one row per period with the ``by`` columns null (all its MQLs),
    and, with ``by``, one per period and segment: ``period`` (its name), the
    ``by`` columns, then the columns of `mql_funnel` (``mqls``, ``accepted``,
    ``opportunities``, ``won`` and the step conversions), of `sales_sla`
    (``contacted``, ``never_contacted``, ``met``, ``missed``, ``pending``,
    ``share_within_sla``, ``mean_hours`` ... ``p90_hours``, ``sla_hours``,
    ``attempts``, ``attempts_per_mql``), of `marketing_sla` (``rejected``,
    ``undecided``, ``acceptance_rate``, ``committed``, ``committed_to_date``,
    ``delivery_rate``; the commitment on the all-MQL rows only), and
    ``hours_bin_0``, ``hours_bin_1`` ... (int64: the MQLs in each bin of
    `speed_histogram`, in its order, ``not contacted`` last). Each figure
    equals the one its own metric gives for that period and segment.

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3"], "channel": ["web", "web", "event"],
    ...     "mql_at": [dt(2026, 6, 1), dt(2026, 7, 1), dt(2026, 7, 2)],
    ...     "first_contacted_at": [dt(2026, 6, 1, 2), dt(2026, 7, 3), None],
    ...     "accepted_at": [dt(2026, 6, 2), None, None], "rejected_at": [None] * 3,
    ...     "opportunity_id": [None] * 3,
    ... })
    >>> periods = {"now": parse_period("2026-07"), "before": parse_period("2026-06")}
    >>> t = lead_scorecard(leads, periods=periods, as_of=dt(2026, 8, 1), by="channel")
    >>> [(r["period"], r["channel"], r["mqls"], r["met"], r["missed"], r["accepted"])
    ...  for r in t.order_by(["period", "channel"]).to_pyarrow().to_pylist()]
    [('before', 'web', 1, 1, 0, 1), ('before', None, 1, 1, 0, 1), ('now', 'event', 1, 0, 1, 0), ('now', 'web', 1, 0, 1, 0), ('now', None, 2, 0, 2, 0)]
    """  # noqa: E501 - a doctest's expected output is one line
    _check(leads, activities, opportunities, by, mql_col, contacted_col)
    bins = histogram_bins(bins_hours)
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    sources = sorted(segment_sources(by) - set(_LEAD_COLUMNS))
    r = _mql_rows(
        t, [*_LEAD_COLUMNS, *sources], periods, opportunities, activities, as_of, sla_hours
    )
    segments = segment_values(
        r,
        by,
        at=r.mql_at,
        fiscal_year_start_month=fiscal_start(next(iter(periods.values())), fiscal_year_start_month),
    )
    names = list(segments)
    # only what the aggregates read: the engine keeps these rows once for all of them
    r = r.select(
        "period",
        **segments,
        contacted_at=r.contacted_at,
        hours_to_contact=r.hours_to_contact,
        attempts=r.attempts,
        sla_status=r.sla_status,
        _accepted=r._accepted,
        _rejected=r._rejected,
        _opportunity=r._opportunity,
        _won=r._won,
        _bin=hours_bin(r.hours_to_contact, bins_hours),
    )

    def metrics(within: ir.BooleanValue | None = None) -> dict[str, ir.Value]:
        def count(cond: ir.BooleanValue) -> ir.IntegerScalar:
            return count_if(cond if within is None else cond & within)

        attempts = r.attempts if within is None else where(within, r.attempts)
        return response_metrics(r, within=within) | {
            "attempts": attempts.sum().fill_null(0)
            if activities is not None
            else ibis.null("int64"),
            "accepted": count(r._accepted),
            "rejected": count(r._rejected),
            "opportunities": count(r._opportunity),
            "won": count(r._won) if opportunities is not None else ibis.null("int64"),
            **{f"hours_bin_{b['bin']}": count(r._bin == b["bin"]) for b in bins},
        }

    committed, to_date = committed_mqls(periods, as_of=as_of, per_month=commitment_per_month)
    parts = []
    for name in periods:
        # one aggregate without groups per period: its row is there even without MQLs
        total = r.aggregate(**metrics(r.period == name))
        parts.append(
            total.select(
                period=ibis.literal(name),
                **{n: ibis.null("string") for n in names},
                **{c: total[c] for c in total.columns},
                committed=ibis.literal(committed[name], type="float64"),
                committed_to_date=ibis.literal(to_date[name], type="float64"),
            )
        )
    if names:
        split = r.group_by(["period", *names]).aggregate(**metrics())
        parts.append(
            split.mutate(committed=ibis.null("float64"), committed_to_date=ibis.null("float64"))
        )
    agg = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return agg.select(
        "period",
        *names,
        "mqls",
        "accepted",
        "opportunities",
        "won",
        mql_to_accepted=ratio(agg.accepted, agg.mqls),
        accepted_to_opportunity=ratio(agg.opportunities, agg.accepted),
        opportunity_to_won=ratio(agg.won, agg.opportunities),
        mql_to_won=ratio(agg.won, agg.mqls),
        contacted=agg.contacted,
        never_contacted=agg.mqls - agg.contacted,
        met=agg.met,
        missed=agg.missed,
        pending=agg.pending,
        share_within_sla=ratio(agg.met, agg.met + agg.missed),
        mean_hours=agg.mean_hours,
        median_hours=agg.median_hours,
        p75_hours=agg.p75_hours,
        p90_hours=agg.p90_hours,
        sla_hours=ibis.literal(float(sla_hours)),
        attempts=agg.attempts,
        attempts_per_mql=ratio(agg.attempts, agg.mqls),
        rejected=agg.rejected,
        undecided=agg.mqls - agg.accepted - agg.rejected,
        acceptance_rate=ratio(agg.accepted, agg.accepted + agg.rejected),
        committed=agg.committed,
        committed_to_date=agg.committed_to_date,
        delivery_rate=ratio(agg.mqls, agg.committed_to_date),
        **{f"hours_bin_{b['bin']}": agg[f"hours_bin_{b['bin']}"] for b in bins},
    )


def _mql_rows(
    leads: ir.Table,
    columns: list[str],
    periods: Mapping[str, Period],
    opportunities: ir.Table | None,
    activities: ir.Table | None,
    as_of: datetime | None,
    sla_hours: float,
) -> ir.Table:
    """The MQLs of every period (named in ``period``), with their response and stages.

    Only ``columns`` of ``leads`` are kept: the engine holds these rows for
    both joins, so they stay narrow.
    """
    if not periods:
        raise ValueError("lead_scorecard needs at least one period")
    windows = {name: window(p, as_of) for name, p in periods.items()}
    starts = [p.start_at for p in periods.values()]
    ends = [end for _, end in windows.values() if end is not None]
    check_no_overlap(windows)
    since, until = min(starts), max(ends)
    t = leads.filter(in_range(leads.mql_at, since, until))
    label = ibis.cases(
        *((in_range(t.mql_at, start, end), name) for name, (start, end) in windows.items()),
        else_=ibis.null("string"),
    )
    t = t.select(*columns, period=label)
    t = t.filter(t.period.notnull())
    r = with_response(t, activities, since=since, as_of=as_of, sla_hours=sla_hours)
    return with_stages(r, opportunities=opportunities, as_of=as_of)
