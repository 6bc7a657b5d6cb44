"""Speed to lead: hours from MQL to Sales' first contact, per MQL and summarised.

Leads go cold fast, so this is the number a Sales SLA is written on. The first
contact is ``first_contacted_at``; when sales ``activities`` are given, it is
the earlier of that and the first activity on the lead at or after its
``mql_at`` (activities fill in contacts the CRM field missed). A contact
before ``mql_at`` (Sales already talking to the lead) counts as 0 hours.

Each MQL is judged against the SLA of ``sla_hours``:

- ``met``: contacted within ``sla_hours`` (inclusive);
- ``missed``: contacted later, or not contacted once ``sla_hours`` have passed;
- ``pending``: not contacted yet, and ``sla_hours`` have not passed at
  ``as_of``: too young to judge, so left out of the share within SLA.

Without ``as_of`` nothing is pending: the data is read as complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import By, add_segments, fiscal_start, ratio, to_canonical
from coparent.metrics._response import (
    MET,
    MISSED,
    PENDING,
    check_lead_inputs,
    response_metrics,
    response_rows,
    response_summary,
)
from coparent.metrics.periods import Period

__all__ = [
    "DEFAULT_BINS_HOURS",
    "MET",
    "MISSED",
    "PENDING",
    "histogram_bins",
    "hours_bin",
    "lead_response",
    "speed_histogram",
    "speed_to_lead",
]

DEFAULT_BINS_HOURS: tuple[float, ...] = (0.0, 1.0, 4.0, 8.0, 24.0, 48.0, 72.0, 168.0)
NOT_CONTACTED = "not contacted"


def lead_response(
    leads: ir.Table,
    *,
    activities: ir.Table | None = None,
    period: Period | None = None,
    as_of: datetime | None = None,
    sla_hours: float = 24.0,
    mql_col: str = "mql_at",
    contacted_col: str = "first_contacted_at",
) -> ir.Table:
    """One row per MQL (``mql_at`` in ``period``, before ``as_of``) with its response.

    Input: canonical ``leads`` (``lead_id``, ``mql_at``, ``first_contacted_at``,
    ``accepted_at``, ``rejected_at``); optionally canonical ``activities``
    (``lead_id``, ``occurred_at``).

    Output: the lead's columns plus ``contacted_at`` (timestamp, null when not
    contacted before ``as_of``), ``hours_to_contact`` (float64, null when not
    contacted), ``attempts`` (int64: activities on the lead from its MQL to
    Sales' accept/reject decision, or to ``as_of`` while undecided; null
    without activities) and ``sla_status`` (``met``, ``missed`` or
    ``pending``, see the module docstring).

    Examples
    --------
    With a 24 h SLA read at 2026-07-03 00:00: L1 was called after 2 h (met),
    L2 after 30 h (missed), L3 never, 36 h ago (missed), L4 never, 6 h ago
    (pending).

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3", "L4"],
    ...     "mql_at": [dt(2026, 7, 1), dt(2026, 7, 1), dt(2026, 7, 1, 12), dt(2026, 7, 2, 18)],
    ...     "first_contacted_at": [dt(2026, 7, 1, 2), dt(2026, 7, 2, 6), None, None],
    ...     "accepted_at": [None] * 4, "rejected_at": [None] * 4,
    ... })
    >>> r = lead_response(leads, as_of=dt(2026, 7, 3)).order_by("lead_id").to_pyarrow()
    >>> list(zip(r["hours_to_contact"].to_pylist(), r["sla_status"].to_pylist()))
    [(2.0, 'met'), (30.0, 'missed'), (None, 'missed'), (None, 'pending')]
    """
    check_lead_inputs(
        leads, activities, by=None, columns={mql_col, contacted_col}, feature="speed to lead"
    )
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    return response_rows(t, activities, period=period, as_of=as_of, sla_hours=sla_hours)


def speed_to_lead(
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
    """The distribution of hours to first contact of the period's MQLs, per segment.

    Input: as `lead_response`; ``by`` takes lead columns and
    ``month``/``quarter``/``year`` of the MQL date.

    Output: one row per segment: the ``by`` columns, ``mqls``, ``contacted``,
    ``never_contacted`` (int64: no contact before ``as_of``), ``mean_hours``,
    ``median_hours``, ``p75_hours``, ``p90_hours`` (float64, over contacted
    MQLs only: a never-contacted MQL has no time, so read them beside
    ``never_contacted``), ``met``, ``missed``, ``pending`` (int64) and
    ``share_within_sla`` = met / (met + missed) (float64 in [0, 1]).

    Examples
    --------
    Contacts after 1, 2, 3 and 30 hours and one never, read long after:
    median 2.5 h, 3 of 5 judged MQLs within 24 h.

    >>> import ibis
    >>> from datetime import datetime as dt, timedelta as td
    >>> t0 = dt(2026, 7, 1)
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3", "L4", "L5"],
    ...     "mql_at": [t0] * 5,
    ...     "first_contacted_at": [t0 + td(hours=h) for h in (1, 2, 3, 30)] + [None],
    ...     "accepted_at": [None] * 5, "rejected_at": [None] * 5,
    ... })
    >>> row = speed_to_lead(leads).to_pyarrow().to_pylist()[0]
    >>> row["median_hours"], row["never_contacted"], row["share_within_sla"]
    (2.5, 1, 0.6)
    """
    check_lead_inputs(
        leads, activities, by=by, columns={mql_col, contacted_col}, feature="speed to lead"
    )
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    r = response_rows(t, activities, period=period, as_of=as_of, sla_hours=sla_hours)
    r, names = add_segments(
        r, by, at=r.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    metrics = response_metrics(r)
    agg = r.group_by(names).aggregate(**metrics) if names else r.aggregate(**metrics)
    return response_summary(agg)


def _bin_labels(edges: Sequence[float]) -> list[str]:
    labels = [f"{lo:g}-{hi:g} h" for lo, hi in pairwise(edges)]
    return [*labels, f"{edges[-1]:g}+ h", NOT_CONTACTED]


def _bin_edges(bins_hours: Sequence[float]) -> list[float]:
    edges = [float(e) for e in bins_hours]
    if not edges or edges[0] != 0.0 or any(b <= a for a, b in pairwise(edges)):
        raise ValueError(f"bins_hours must start at 0 and increase, not {list(bins_hours)}")
    return edges


def hours_bin(hours: ir.FloatingValue, bins_hours: Sequence[float]) -> ir.IntegerValue:
    """The 0-based bin of ``hours`` among ``bins_hours`` (left edges); null hours last."""
    edges = _bin_edges(bins_hours)
    n_bins = len(edges)
    branches = [(hours.isnull(), n_bins)]
    branches += [(hours < hi, i) for i, hi in enumerate(edges[1:])]
    return ibis.cases(*branches, else_=n_bins - 1).cast("int64")


def histogram_bins(bins_hours: Sequence[float]) -> list[dict[str, Any]]:
    """The bins of `speed_histogram` in order: ``bin``, ``label``, ``lower_hours``, ``upper_hours``.

    >>> [b["label"] for b in histogram_bins((0, 1, 24))]
    ['0-1 h', '1-24 h', '24+ h', 'not contacted']
    """
    edges = _bin_edges(bins_hours)
    lower: list[float | None] = [*edges, None]
    upper: list[float | None] = [*edges[1:], None, None]
    return [
        {"bin": i, "label": label, "lower_hours": lo, "upper_hours": hi}
        for i, (label, lo, hi) in enumerate(zip(_bin_labels(edges), lower, upper, strict=True))
    ]


def speed_histogram(
    leads: ir.Table,
    *,
    activities: ir.Table | None = None,
    period: Period | None = None,
    as_of: datetime | None = None,
    by: By = None,
    bins_hours: Sequence[float] = DEFAULT_BINS_HOURS,
    fiscal_year_start_month: int | None = None,
    mql_col: str = "mql_at",
    contacted_col: str = "first_contacted_at",
) -> ir.Table:
    """Histogram of hours to first contact, every bin present (zeros too), ready to chart.

    ``bins_hours`` are the left edges, starting at 0 and increasing; the last
    bin is open-ended and a final ``not contacted`` bin counts MQLs with no
    contact before ``as_of``.

    Output: one row per segment and bin: the ``by`` columns, ``bin`` (int64,
    0-based order), ``label`` (e.g. ``"8-24 h"``), ``lower_hours``,
    ``upper_hours`` (float64; null for open ends and for ``not contacted``),
    ``count`` (int64) and ``share`` (float64, of the segment's MQLs).

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime as dt, timedelta as td
    >>> t0 = dt(2026, 7, 1)
    >>> leads = ibis.memtable({
    ...     "lead_id": ["L1", "L2", "L3", "L4"], "mql_at": [t0] * 4,
    ...     "first_contacted_at": [t0 + td(hours=h) for h in (0.5, 2, 50)] + [None],
    ...     "accepted_at": [None] * 4, "rejected_at": [None] * 4,
    ... })
    >>> h = speed_histogram(leads, bins_hours=(0, 1, 24)).order_by("bin").to_pyarrow()
    >>> list(zip(h["label"].to_pylist(), h["count"].to_pylist()))
    [('0-1 h', 1), ('1-24 h', 1), ('24+ h', 1), ('not contacted', 1)]
    """
    bins = histogram_bins(bins_hours)
    check_lead_inputs(
        leads,
        activities,
        by=by,
        columns={mql_col, contacted_col},
        feature="the speed-to-lead histogram",
    )
    t = to_canonical(leads, {"mql_at": mql_col, "first_contacted_at": contacted_col})
    r = response_rows(t, activities, period=period, as_of=as_of, sla_hours=24.0)
    r, names = add_segments(
        r, by, at=r.mql_at, fiscal_year_start_month=fiscal_start(period, fiscal_year_start_month)
    )
    r = r.mutate(bin=hours_bin(r.hours_to_contact, bins_hours))
    counts = r.group_by([*names, "bin"]).aggregate(count=r.count())
    table = ibis.memtable(
        {
            "bin": [b["bin"] for b in bins],
            "label": [b["label"] for b in bins],
            "lower_hours": [b["lower_hours"] for b in bins],
            "upper_hours": [b["upper_hours"] for b in bins],
        }
    )
    frame = counts.select(*names).distinct().cross_join(table) if names else table
    keys = [*names, "bin"]
    full = frame.left_join(counts, keys).select(
        *names, "bin", "label", "lower_hours", "upper_hours", count=counts["count"].fill_null(0)
    )
    total = full["count"].sum().over(ibis.window(group_by=names) if names else ibis.window())
    return full.mutate(share=ratio(full["count"], total))
