"""The Funnel & SLA page: the funnel by segment, SLA compliance over time, cohort conversion.

`funnel_report` executes the `coparent.metrics` expressions for one period
and returns JSON-ready values, like `scorecard_report`. Needs ``leads``
(and uses ``opportunities`` and ``activities`` when present).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ibis.backends import BaseBackend

from coparent.errors import MissingDataError
from coparent.metrics.funnel import cohort_conversion, mql_funnel
from coparent.metrics.periods import parse_period
from coparent.metrics.sla import sla_compliance
from coparent.settings import Settings

__all__ = ["FUNNEL_SEGMENTS", "FunnelBy", "funnel_report"]

FunnelBy = Literal["product", "channel", "month"]
FUNNEL_SEGMENTS: dict[str, str] = {
    "product": "product_id",
    "channel": "channel",
    "month": "month",
}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in row.items()}


def funnel_report(
    con: BaseBackend,
    *,
    period: str,
    by: FunnelBy | None = None,
    settings: Settings,
) -> dict[str, Any]:
    """The funnel of ``period`` (overall and by ``by``), weekly SLA compliance, cohorts.

    Output keys: ``period`` (label), ``by``, ``overall`` (one funnel row),
    ``segments`` (one row per segment, ``segment`` holding its value),
    ``compliance`` (rows with ``bucket``, ``mqls``, ``share_within_sla``,
    ``acceptance_rate``...), ``every`` (week or month), ``cohorts`` (the
    last 12 MQL-month cohorts up to the period's end, with ``matured``).
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
    overall = mql_funnel(leads, opportunities=opps, period=p).to_pyarrow().to_pylist()
    segments: list[dict[str, Any]] = []
    if by is not None:
        col = FUNNEL_SEGMENTS[by]
        rows = mql_funnel(leads, opportunities=opps, period=p, by=col).to_pyarrow().to_pylist()
        segments = [_plain({"segment": r.pop(col), **r}) for r in rows]
        segments.sort(key=lambda r: (str(r["segment"]) if by == "month" else -r["mqls"]))
    every: Literal["week", "month"] = "month" if p.kind == "year" else "week"
    compliance = (
        sla_compliance(
            leads,
            period=p,
            every=every,
            activities=activities,
            opportunities=opps,
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
        "by": by,
        "overall": _plain(overall[0]) if overall else None,
        "segments": segments,
        "every": every,
        "sla_hours": settings.sales_sla_hours,
        "compliance": [_plain(r) for r in compliance],
        "cohorts": [_plain(r) for r in cohorts[-12:]],
    }
