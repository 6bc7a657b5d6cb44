"""``coparent diagnose``: why revenue changed, per product or channel, without blame.

`diagnosis_report` picks the periods, builds the Ibis expressions of
`coparent.diagnosis` (one aggregate each for the flows, the closed deals, the
rejections and the contact times, plus the data's last date and the product
names), executes them, and hands the small results to
`coparent.diagnosis.report.build_report`. Seven small queries in all, whatever
the size of the warehouse.

    report = diagnosis_report(con, settings=settings)                  # latest quarter
    report = diagnosis_report(con, period="2026-Q3", against="goal", settings=settings)
    print(report["headline"])

Missing optional tables turn parts off with a note that says what to import;
without ``opportunities`` there is nothing to diagnose (`MissingDataError`).
A period or baseline the data do not reach is `PeriodOutOfRange`
(`coparent.metrics.freshness.check_period`); a period the data end inside is
diagnosed to date, with ``period_complete`` false and a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.diagnosis.bridge import bridge_flows
from coparent.diagnosis.contracts import DiagnosisReport
from coparent.diagnosis.report import ReportInputs, build_report
from coparent.diagnosis.speed import contact_cohorts
from coparent.diagnosis.splits import closed_deals, rejections
from coparent.diagnosis.taxonomy import Taxonomy
from coparent.errors import MissingDataError
from coparent.metrics.freshness import (
    FACT_TIMESTAMPS,
    check_period,
    coverage_notes,
    data_range,
    default_period,
)
from coparent.metrics.periods import Period, parse_period
from coparent.settings import Settings

__all__ = ["Against", "SegmentChoice", "diagnosis_expressions", "diagnosis_report"]

Against = Literal["previous", "last-year", "goal"]
SegmentChoice = Literal["product", "channel"]

_MONTHS = {"month": 1, "quarter": 3, "year": 12}
NO_OPPORTUNITIES = "the diagnosis needs the opportunities table, and the warehouse has none yet"
NO_LEADS_NOTE = (
    "No leads table: the bridge starts at opportunities opened (volume = opportunities), so "
    "acceptance, conversion, rejection reasons and speed to lead are off. Import leads "
    "(coparent import leads FILE) to see them."
)


def diagnosis_expressions(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None,
    current: Period,
    baseline: Period,
    by: SegmentChoice,
    settings: Settings,
) -> dict[str, ir.Table]:
    """The aggregates the report is built from, unexecuted (the same on every backend)."""
    col: Literal["product_id", "channel"] = "product_id" if by == "product" else "channel"
    periods = {"current": current, "baseline": baseline}
    exprs = {
        "flows": bridge_flows(opportunities, leads=leads, periods=periods, by=col),
        "deals": closed_deals(opportunities, leads=leads, periods=periods, by=col),
    }
    if leads is not None:
        exprs["rejections"] = rejections(leads, periods=periods, by=col)
        exprs["cohorts"] = contact_cohorts(
            leads, period=current, sla_hours=settings.sales_sla_hours
        )
    return exprs


def _goal(
    current: Period, *, settings: Settings, with_leads: bool, notes: list[str]
) -> tuple[float, float | None]:
    if settings.goal_won_revenue <= 0:
        raise MissingDataError(
            "no revenue goal is set, so there is nothing to compare against",
            hint="the owner sets the period's shared goal in the app (Setup), or set "
            "goal_won_revenue (won revenue per quarter), e.g. "
            "coparent diagnose --against goal --setting goal_won_revenue=250000",
        )
    months = _MONTHS[current.kind]
    revenue = settings.goal_won_revenue * months / 3
    if settings.marketing_mql_commitment > 0 and with_leads:
        return revenue, float(settings.marketing_mql_commitment * months)
    notes.append(
        "No MQL commitment applies (marketing_mql_commitment is 0, or there are no leads), so "
        "volume is scaled with the other factors in the goal vector."
    )
    return revenue, None


def diagnosis_report(
    con: BaseBackend,
    *,
    period: str | None = None,
    against: Against = "previous",
    by: SegmentChoice = "product",
    settings: Settings,
    as_of: date | None = None,
    sources: Mapping[str, str] | None = None,
) -> DiagnosisReport:
    """The diagnosis of ``period`` (default: the latest complete quarter) as a JSON-ready dict.

    ``sources`` says where each setting came from (`load_settings_sourced`):
    against a goal, ``goal.source`` (default ``settings_file``).
    """
    if against not in ("previous", "last-year", "goal"):
        raise ValueError(f"against must be previous, last-year or goal, not {against!r}")
    if by not in ("product", "channel"):
        raise ValueError(f"by must be product or channel, not {by!r}")
    present = set(con.list_tables())
    if "opportunities" not in present:
        raise MissingDataError(
            NO_OPPORTUNITIES, hint="import it: coparent import opportunities FILE"
        )
    opportunities = con.table("opportunities")
    leads = con.table("leads") if "leads" in present else None
    fy = settings.fiscal_year_start_month
    notes: list[str] = [] if leads is not None else [NO_LEADS_NOTE]
    data = data_range({name: con.table(name) for name in FACT_TIMESTAMPS if name in present})
    if period is not None:
        current = parse_period(period, fiscal_year_start_month=fy)
    else:
        found = default_period(data, as_of=as_of, fiscal_year_start_month=fy)
        if found is None:
            raise MissingDataError(
                "the opportunities have no dates, so there is no period to diagnose",
                hint="import opportunities with created_at and closed_at",
            )
        current = found
    check_period(current, data)
    if against == "last-year":
        baseline, relation = current.same_last_year(), "a year before"
    else:
        baseline, relation = current.previous(), "the period before"
    check_period(baseline, data, baseline_of=current, relation=relation)
    notes.extend(coverage_notes(current, data, as_of=as_of))
    goal_revenue = goal_volume = None
    if against == "goal":
        goal_revenue, goal_volume = _goal(
            current, settings=settings, with_leads=leads is not None, notes=notes
        )
    exprs = diagnosis_expressions(
        opportunities, leads=leads, current=current, baseline=baseline, by=by, settings=settings
    )
    results = {name: expr.to_pyarrow() for name, expr in exprs.items()}
    if goal_revenue is not None and not any(
        r["period"] == "baseline" and r["revenue"] > 0 for r in results["flows"].to_pylist()
    ):
        raise MissingDataError(
            f"{baseline.label} has no won revenue to take the goal's rates from",
            hint="diagnose a period whose previous period has won deals",
        )
    cohorts = results.get("cohorts")
    if cohorts is not None and not any(
        r["contact"] != "not_contacted" for r in cohorts.to_pylist()
    ):
        notes.append(
            "No MQL of the period has a first-contact time, so speed to lead is off. Import "
            "leads with first_contacted_at to see it."
        )
        cohorts = None
    names: dict[str, str] = {}
    if by == "product" and "products" in present:
        products = con.table("products")
        rows = products.select(products.product_id, products.name).to_pyarrow().to_pylist()
        names = {r["product_id"]: r["name"] for r in rows}
    inputs = ReportInputs(
        period=current.label,
        baseline=baseline.label,
        against=against,
        segment_by=by,
        period_kind=current.kind,
        flows=results["flows"],
        deals=results["deals"],
        rejections=results.get("rejections"),
        cohorts=cohorts,
        with_leads=leads is not None,
        names=names,
        loss_taxonomy=Taxonomy.for_losses(settings.loss_reason_categories),
        rejection_taxonomy=Taxonomy.for_rejections(settings.rejection_reason_categories),
        sla_hours=settings.sales_sla_hours,
        goal_revenue=goal_revenue,
        goal_volume=goal_volume,
        notes=notes,
        period_complete=data is None or data.complete(current, as_of=as_of),
        goal_source=(sources or {}).get("goal_won_revenue", "settings_file"),
    )
    return build_report(inputs)
