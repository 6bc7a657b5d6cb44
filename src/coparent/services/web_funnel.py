"""The Funnel & SLA page: the funnel by segment, SLA compliance over time, cohort conversion.

`funnel_report` executes the `coparent.metrics` expressions for one period
and returns JSON-ready values, like `scorecard_report`. Needs ``leads``
(and uses ``opportunities`` and ``activities`` when present).

The funnel is the *MQL cohort* of the period (its MQLs and how far they got),
read as of the scorecard's moment (the end of the data's last date, or of
``as_of``), so its counts and conversions are the scorecard's funnel, by the
same registered definitions (`coparent.metrics.registry`). Figures whose
inputs were never imported are null and listed in ``no_data``, as on the
scorecard.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from ibis.backends import BaseBackend

from coparent.errors import MissingDataError
from coparent.metrics.coverage import input_coverage, present_inputs
from coparent.metrics.freshness import check_period, data_range
from coparent.metrics.funnel import cohort_conversion, mql_funnel
from coparent.metrics.periods import parse_period
from coparent.metrics.registry import unavailable
from coparent.metrics.sla import sla_compliance
from coparent.plain import plain
from coparent.settings import Settings

__all__ = ["FUNNEL_SEGMENTS", "FunnelBy", "funnel_report"]

FunnelBy = Literal["product", "channel", "month"]
FUNNEL_SEGMENTS: dict[str, str] = {
    "product": "product_id",
    "channel": "channel",
    "month": "month",
}


#: The metrics this page shows whose inputs may be missing, and the fields each nulls.
_NO_DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "mqls_accepted": ("accepted", "mql_to_accepted", "accepted_to_opportunity", "accepted_share"),
    "acceptance_rate": ("acceptance_rate", "rejected"),
    "sales_sla_share": ("share_within_sla", "met", "missed", "pending"),
}


def _plain(row: dict[str, Any], no_data: Mapping[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = plain(row)
    for name, fields in _NO_DATA_FIELDS.items():
        if name in (no_data or {}):
            out.update({f: None for f in fields if f in out})
    return out


def funnel_report(
    con: BaseBackend,
    *,
    period: str,
    by: FunnelBy | None = None,
    settings: Settings,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The funnel of ``period`` (overall and by ``by``), weekly SLA compliance, cohorts.

    ``as_of`` is a day, as for `scorecard_report` (default: the data's last
    date): events after its end are not known yet.

    Output keys: ``period`` (label), ``as_of``, ``by``, ``overall`` (one funnel row),
    ``segments`` (one row per segment, ``segment`` holding its value),
    ``compliance`` (rows with ``bucket``, ``mqls``, ``share_within_sla``,
    ``acceptance_rate``...), ``every`` (week or month), ``cohorts`` (the
    last 12 MQL-month cohorts up to the period's end, as of its end, with
    ``matured``), ``cohorts_as_of`` (that end: the period's last day),
    ``no_data`` (metric name -> what to import).
    """
    if by is not None and by not in FUNNEL_SEGMENTS:
        raise ValueError(f"by must be one of {', '.join(FUNNEL_SEGMENTS)}, not {by!r}")
    present = set(con.list_tables())
    if "leads" not in present:
        raise MissingDataError(
            "the funnel needs the leads table, and the warehouse has none yet",
            hint="import it: coparent import leads FILE (see coparent schema leads)",
        )
    p = parse_period(period, fiscal_year_start_month=settings.fiscal_year_start_month)
    leads = con.table("leads")
    opps = con.table("opportunities") if "opportunities" in present else None
    activities = con.table("activities") if "activities" in present else None
    tables = {"leads": leads, "opportunities": opps, "activities": activities}
    facts = {name: t for name, t in tables.items() if t is not None}
    coverage = input_coverage(facts)
    have = present_inputs(coverage.to_pyarrow().to_pylist()[0] if coverage is not None else None)
    no_data = unavailable(have, names=_NO_DATA_FIELDS)
    data = data_range(facts)
    check_period(p, data)
    if as_of is None:
        as_of = data.last if data is not None else p.end - timedelta(days=1)
    moment = datetime.combine(as_of + timedelta(days=1), time())
    overall = mql_funnel(leads, opportunities=opps, period=p, as_of=moment).to_pyarrow().to_pylist()
    segments: list[dict[str, Any]] = []
    if by is not None:
        col = FUNNEL_SEGMENTS[by]
        rows = (
            mql_funnel(leads, opportunities=opps, period=p, as_of=moment, by=col)
            .to_pyarrow()
            .to_pylist()
        )
        segments = [_plain({"segment": r.pop(col), **r}, no_data) for r in rows]
        segments.sort(key=lambda r: (str(r["segment"]) if by == "month" else -r["mqls"]))
    every: Literal["week", "month"] = "month" if p.kind == "year" else "week"
    compliance = (
        sla_compliance(
            leads,
            period=p,
            every=every,
            activities=activities,
            opportunities=opps,
            as_of=moment,
            sla_hours=settings.sales_sla_hours,
            commitment_per_month=settings.marketing_mql_commitment or None,
        )
        .order_by("bucket")
        .to_pyarrow()
        .to_pylist()
    )
    cohorts = (
        cohort_conversion(leads, opportunities=opps, as_of=p.end_at)
        .order_by("cohort")
        .to_pyarrow()
        .to_pylist()
    )
    return {
        "period": p.label,
        "as_of": as_of.isoformat(),
        "by": by,
        "overall": _plain(overall[0], no_data) if overall else None,
        "segments": segments,
        "every": every,
        "sla_hours": settings.sales_sla_hours,
        "compliance": [_plain(r, no_data) for r in compliance],
        "cohorts": [_plain(r, no_data) for r in cohorts[-12:]],
        "cohorts_as_of": (p.end - timedelta(days=1)).isoformat(),
        "no_data": no_data,
    }
