"""Which rows a number on a page opens, and how many rows it stands for.

A page shows a figure from a report (the scorecard, the diagnosis, a
product's); the link beside it names the metric, part, period and segment of
`coparent.metrics.rows`, and carries the count the report itself gives for
those rows (``rows``: the won deals behind a won revenue, the numerator of a
rate), so a test can open every link and compare the list's total with the
number shown. A figure without data has no link: "no data" opens nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coparent.metrics.registry import lookup
from coparent.metrics.rows import CATEGORY_METRICS, DRILLS, Part

__all__ = ["RowsLink", "bridge_link", "moved_links", "scorecard_link", "segment_link"]


@dataclass(frozen=True)
class RowsLink:
    """The rows behind one figure, and the count (and amount) the report gives for them."""

    metric: str
    period: str
    part: Part = "numerator"
    by: str | None = None
    segment: str | None = None
    rows: int | None = None
    amount: float | None = None
    category: str | None = None
    as_of: str | None = None

    def params(self) -> dict[str, str]:
        """The list URL's query (the metric is in its path)."""
        out = {"period": self.period}
        if self.part != "numerator":
            out["part"] = self.part
        if self.by is not None and self.segment is not None:
            out |= {"by": self.by, "segment": self.segment}
        if self.category is not None:
            out["category"] = self.category
        if self.as_of is not None:
            out["as_of"] = self.as_of
        return out


# where the scorecard report holds the count of each part's rows ("a+b": a sum)
_SCORECARD_ROWS: dict[tuple[str, Part], str] = {
    ("won_revenue", "numerator"): "won",
    ("won_deals", "numerator"): "won",
    ("lost_deals", "numerator"): "lost",
    ("win_rate", "numerator"): "won",
    ("win_rate", "denominator"): "closed",
    ("average_deal", "numerator"): "won",
    ("sales_cycle_days", "numerator"): "sales_cycle_days.deals",
    ("open_pipeline", "numerator"): "pipeline.open_deals",
    ("mqls", "numerator"): "sla.marketing.mqls_delivered",
    ("delivery_rate", "numerator"): "sla.marketing.mqls_delivered",
    ("mqls_accepted", "numerator"): "funnel.accepted.count",
    ("mqls_rejected", "numerator"): "sla.marketing.rejected",
    ("acceptance_rate", "numerator"): "sla.marketing.accepted",
    ("acceptance_rate", "denominator"): "sla.marketing.accepted+sla.marketing.rejected",
    ("mql_to_accepted", "numerator"): "funnel.accepted.count",
    ("mql_to_accepted", "denominator"): "funnel.mql.count",
    ("mql_opportunities", "numerator"): "funnel.opportunity.count",
    ("accepted_to_opportunity", "numerator"): "funnel.opportunity.count",
    ("accepted_to_opportunity", "denominator"): "funnel.accepted.count",
    ("mql_won", "numerator"): "funnel.won.count",
    ("opportunity_to_won", "numerator"): "funnel.won.count",
    ("opportunity_to_won", "denominator"): "funnel.opportunity.count",
    ("mql_to_won", "numerator"): "funnel.won.count",
    ("mql_to_won", "denominator"): "funnel.mql.count",
    ("sales_sla_share", "numerator"): "sla.sales.met",
    ("sales_sla_share", "denominator"): "sla.sales.met+sla.sales.missed",
    ("median_hours_to_contact", "numerator"): "speed_to_lead.contacted",
}
_SCORECARD_AMOUNT = {"won_revenue": "revenue", "open_pipeline": "pipeline.amount"}


def _count(report: Mapping[str, Any], path: str) -> int | None:
    values = [lookup(report, p) for p in path.split("+")]
    if any(not isinstance(v, int | float) for v in values):
        return None
    return int(sum(values))


def scorecard_link(
    report: Mapping[str, Any] | None, name: str, *, part: Part = "numerator"
) -> RowsLink | None:
    """The rows of scorecard figure ``name``; None without data (or without rows).

    >>> report = {"period": {"label": "2026-Q3"}, "won": 54, "lost": 130, "closed": 184,
    ...           "revenue": 912973.0, "no_data": {}}
    >>> scorecard_link(report, "win_rate", part="denominator").rows
    184
    >>> scorecard_link(report, "won_revenue").amount
    912973.0
    """
    path = _SCORECARD_ROWS.get((name, part))
    if not report or path is None or name in report.get("no_data", {}):
        return None
    rows = _count(report, path)
    if rows is None:
        return None
    amount = lookup(report, _SCORECARD_AMOUNT[name]) if name in _SCORECARD_AMOUNT else None
    period = str(lookup(report, "period.label"))
    return RowsLink(name, period, part, rows=rows, amount=amount)


# each bridge factor: the metric whose rows it reads, the part, and its flow in `counts`
_BRIDGE: dict[str, tuple[str, Part, str]] = {
    "volume": ("flow_acceptance", "denominator", "mqls"),
    "acceptance": ("flow_acceptance", "numerator", "accepted"),
    "conversion": ("flow_conversion", "numerator", "opportunities"),
    "pace": ("flow_pace", "numerator", "closed"),
    "win_rate": ("win_rate", "numerator", "won"),
    "deal_size": ("won_deals", "numerator", "won"),
}
_VOLUME_WITHOUT_LEADS: tuple[str, Part, str] = ("flow_pace", "denominator", "opportunities")


def bridge_link(
    report: Mapping[str, Any] | None,
    factor: str,
    side: str,
    *,
    segment: str | None = None,
) -> RowsLink | None:
    """The rows of a bridge factor in the ``current`` or ``baseline`` period (None: a goal).

    Against a goal the baseline is no period, so it opens nothing; a factor
    reads the flow whose ratio it is (volume: the MQLs, or the opportunities
    opened when the bridge starts there).
    """
    if not report or side not in ("current", "baseline") or factor not in _BRIDGE:
        return None
    if side == "baseline" and report.get("against") == "goal":
        return None
    name, part, flow = _BRIDGE[factor]
    if factor == "volume" and report.get("bridge_starts_at") == "opportunities":
        name, part, flow = _VOLUME_WITHOUT_LEADS
    segments = [
        s for s in report.get("segments", []) if segment is None or s.get("segment") == segment
    ]
    if not segments:
        return None
    counts = [s["counts"][side].get(flow) for s in segments]
    if any(c is None for c in counts):
        return None
    by = "product" if report.get("segment_by") == "product" else "channel"
    return RowsLink(
        name,
        str(report["period"] if side == "current" else report["baseline"]),
        part,
        by=by if segment is not None else None,
        segment=segment,
        rows=int(sum(counts)),
    )


def segment_link(
    name: str,
    period: str | None,
    *,
    part: Part = "numerator",
    by: str | None = None,
    segment: Any = None,
    rows: Any = None,
    amount: Any = None,
    category: str | None = None,
    as_of: str | None = None,
) -> RowsLink | None:
    """A link to explicit rows (a funnel segment, a product); None without a count or period.

    ``category`` narrows lost deals to a loss category (a product's losses);
    ``by="month"`` (a segment ``2026-07-01``) opens that month as the period;
    ``as_of`` (a day) reads the rows as the data stood at its end (a cohort
    read at the end of the period shown).

    >>> segment_link("mqls", "2026-Q3", by="month", segment="2026-07-01", rows=12).params()
    {'period': '2026-07'}
    >>> segment_link("lost_deals", "2026-Q3", by="product", segment="p", rows=3,
    ...              category="product").params()["category"]
    'product'
    """
    if not period or name not in DRILLS or not isinstance(rows, int | float):
        return None
    if category is not None and name not in CATEGORY_METRICS:
        return None
    if by == "month" and segment is not None:
        # a month of the period (the funnel by month): that month's own rows
        period, by, segment = str(segment)[:7], None, None
    if by is not None and (segment is None or by not in ("product", "channel")):
        return None
    return RowsLink(
        name,
        str(period),
        part,
        by=by,
        segment=None if by is None else str(segment),
        rows=int(rows),
        amount=float(amount) if isinstance(amount, int | float) else None,
        category=category,
        as_of=as_of or None,
    )


def moved_links(report: Mapping[str, Any] | None, segment: str) -> list[dict[str, Any]]:
    """A segment's factors that moved outside normal variation, each with its rows both periods.

    What a verdict card names as a cause opens the rows of that stage, for the
    segment, in the period and in its baseline (none against a goal).
    """
    if not report:
        return []
    found = next((s for s in report.get("segments", []) if s.get("segment") == segment), None)
    if found is None:
        return []
    return [
        {
            "factor": f["factor"],
            "baseline": bridge_link(report, f["factor"], "baseline", segment=segment),
            "current": bridge_link(report, f["factor"], "current", segment=segment),
        }
        for f in found.get("factors", [])
        if f.get("significant") and f["factor"] in _BRIDGE
    ]
