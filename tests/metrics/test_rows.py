"""The rows behind each number: their count equals the metric's, for every metric and segment.

Each expected count comes from the metric's own function (`deal_summary`,
`open_pipeline`, `mql_funnel`, `marketing_sla`, `sales_sla`, `flow_counts`)
on the demo company, per segment; the rows from `metric_rows`. Both read the
same predicates, and this keeps them from drifting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from ibis.expr import types as ir

from coparent.metrics import deals, flows, funnel, sla
from coparent.metrics.periods import Period, parse_period
from coparent.metrics.registry import METRICS
from coparent.metrics.rows import DEAL_COLUMNS, DRILLS, LEAD_COLUMNS, drill, metric_rows

from ._tables import demo_con, rows

SLA_HOURS = 24.0
Counts = dict[str | None, int]


def _tables() -> dict[str, ir.Table]:
    con = demo_con()
    return {name: con.table(name) for name in con.list_tables()}


def _as_of(tables: dict[str, ir.Table]) -> datetime:
    o = tables["opportunities"]
    last = max(o.closed_at.max().to_pyarrow().as_py(), o.created_at.max().to_pyarrow().as_py())
    return datetime.combine(last.date() + timedelta(days=1), datetime.min.time())


def _per_segment(table: ir.Table, by: str | None, column: str) -> Counts:
    out: Counts = {}
    for r in rows(table):
        out[r[by] if by else None] = int(r[column] or 0)
    return out


def _deals(column: str) -> Callable[..., Counts]:
    def count(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
        s = deals.deal_summary(
            t["opportunities"], period=p, as_of=as_of, by=by, leads=t["leads"]
        ).mutate(
            closed_=lambda x: x.won + x.lost, won_amount_=lambda x: x.won - x.won_without_amount
        )
        return _per_segment(s, by, column)

    return count


def _pipeline(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
    s = deals.open_pipeline(t["opportunities"], as_of=min(as_of, p.end_at), by=by, leads=t["leads"])
    return _per_segment(s, by, "open_deals")


def _funnel(column: str) -> Callable[..., Counts]:
    def count(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
        s = funnel.mql_funnel(
            t["leads"], opportunities=t["opportunities"], period=p, as_of=as_of, by=by
        )
        return _per_segment(s, by, column)

    return count


def _marketing(column: str) -> Callable[..., Counts]:
    def count(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
        s = sla.marketing_sla(
            t["leads"], opportunities=t["opportunities"], period=p, as_of=as_of, by=by
        ).mutate(decided_=lambda x: x.accepted + x.rejected)
        return _per_segment(s, by, column)

    return count


def _sales(column: str) -> Callable[..., Counts]:
    def count(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
        s = sla.sales_sla(
            t["leads"],
            activities=t["activities"],
            period=p,
            as_of=as_of,
            by=by,
            sla_hours=SLA_HOURS,
        ).mutate(judged_=lambda x: x.met + x.missed)
        return _per_segment(s, by, column)

    return count


def _flows(column: str) -> Callable[..., Counts]:
    def count(t: dict[str, ir.Table], p: Period, as_of: datetime, by: str | None) -> Counts:
        s = flows.flow_counts(
            t["opportunities"],
            leads=t["leads"],
            start=p.start_at,
            end=p.end_at,
            by=by,  # type: ignore[arg-type]
        )
        return _per_segment(s, "segment" if by else None, column)

    return count


EXPECTED: dict[tuple[str, str], Callable[..., Counts]] = {
    ("won_revenue", "numerator"): _deals("won"),
    ("won_deals", "numerator"): _deals("won"),
    ("lost_deals", "numerator"): _deals("lost"),
    ("win_rate", "numerator"): _deals("won"),
    ("win_rate", "denominator"): _deals("closed_"),
    ("average_deal", "numerator"): _deals("won"),
    ("average_deal", "denominator"): _deals("won_amount_"),
    ("sales_cycle_days", "numerator"): _deals("cycle_deals"),
    ("open_pipeline", "numerator"): _pipeline,
    ("mqls", "numerator"): _funnel("mqls"),
    ("delivery_rate", "numerator"): _marketing("mqls"),
    ("mqls_accepted", "numerator"): _funnel("accepted"),
    ("mqls_rejected", "numerator"): _marketing("rejected"),
    ("acceptance_rate", "numerator"): _marketing("accepted"),
    ("acceptance_rate", "denominator"): _marketing("decided_"),
    ("mql_to_accepted", "numerator"): _funnel("accepted"),
    ("mql_to_accepted", "denominator"): _funnel("mqls"),
    ("mql_opportunities", "numerator"): _funnel("opportunities"),
    ("accepted_to_opportunity", "numerator"): _funnel("opportunities"),
    ("accepted_to_opportunity", "denominator"): _funnel("accepted"),
    ("mql_won", "numerator"): _funnel("won"),
    ("opportunity_to_won", "numerator"): _funnel("won"),
    ("opportunity_to_won", "denominator"): _funnel("opportunities"),
    ("mql_to_won", "numerator"): _funnel("won"),
    ("mql_to_won", "denominator"): _funnel("mqls"),
    ("sales_sla_share", "numerator"): _sales("met"),
    ("sales_sla_share", "denominator"): _sales("judged_"),
    ("median_hours_to_contact", "numerator"): _sales("contacted"),
    ("flow_acceptance", "numerator"): _flows("accepted"),
    ("flow_acceptance", "denominator"): _flows("mqls"),
    ("flow_conversion", "numerator"): _flows("opportunities"),
    ("flow_conversion", "denominator"): _flows("accepted"),
    ("flow_pace", "numerator"): _flows("closed"),
    ("flow_pace", "denominator"): _flows("opportunities"),
}


def test_every_drill_is_a_registered_metric_and_every_part_has_an_expectation() -> None:
    registered = {m.name for m in METRICS}
    assert set(DRILLS) <= registered
    parts = {(d.metric, "numerator") for d in DRILLS.values()}
    parts |= {(d.metric, "denominator") for d in DRILLS.values() if d.denominator}
    assert parts == set(EXPECTED)


@pytest.mark.parametrize("label", ["2025-Q4", "2025-11"])
@pytest.mark.parametrize("by", [None, "product_id", "channel"])
@pytest.mark.parametrize(("name", "part"), sorted(EXPECTED))
def test_the_rows_behind_a_number_count_as_many_as_the_number(
    name: str, part: str, by: str | None, label: str
) -> None:
    t = _tables()
    p = parse_period(label)
    as_of = _as_of(t)
    expected = EXPECTED[name, part](t, p, as_of, by)
    assert sum(expected.values()) > 0  # the demo has rows for every part
    for segment, count in expected.items():
        listed = metric_rows(
            t,
            name=name,
            part=part,  # type: ignore[arg-type]
            period=p,
            as_of=as_of,
            by=by,  # type: ignore[arg-type]
            segment=segment,
            sla_hours=SLA_HOURS,
        )
        assert listed.count().to_pyarrow().as_py() == count, (name, part, by, segment)


def test_rows_carry_names_and_the_entitys_columns() -> None:
    t = _tables()
    p = parse_period("2025-Q4")
    deals_ = metric_rows(t, name="win_rate", period=p, as_of=_as_of(t))
    leads_ = metric_rows(t, name="mqls", period=p, as_of=_as_of(t))
    assert tuple(deals_.columns) == DEAL_COLUMNS
    assert tuple(leads_.columns) == LEAD_COLUMNS
    first: dict[str, Any] = rows(deals_.limit(1))[0]
    assert first["account_name"]
    assert first["owner_name"]
    assert first["product_name"]
    assert rows(leads_.limit(1))[0]["account_name"]


def test_a_segment_of_nothing_has_no_rows_and_a_part_without_rows_is_refused() -> None:
    t = _tables()
    p = parse_period("2025-Q4")
    none = metric_rows(
        t, name="won_deals", period=p, as_of=None, by="product_id", segment="no such product"
    )
    assert none.count().to_pyarrow().as_py() == 0
    with pytest.raises(ValueError, match="no rows as its denominator"):
        metric_rows(t, name="won_deals", part="denominator", period=p, as_of=None)
    with pytest.raises(KeyError, match="metrics with rows"):
        drill("goal_progress")


def test_docs_say_what_each_number_opens() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text()
    section = text.split("## What each number opens", 1)[1]
    for d in DRILLS.values():
        den = f"; of: {d.denominator.words}" if d.denominator else ""
        assert f"| `{d.metric}` | {d.numerator.entity}: {d.numerator.words}{den} |" in section


@pytest.mark.parametrize("label", ["2025-Q4", "2025-11"])
def test_a_products_loss_category_opens_as_many_lost_deals_as_the_product_page_counts(
    label: str,
) -> None:
    from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
    from coparent.services.web_products import product_report
    from coparent.settings import Settings

    con = demo_con()
    t = {name: con.table(name) for name in con.list_tables()}
    # an override moves a reason: the rows follow the page's own taxonomy, overrides included
    settings = Settings(loss_reason_categories={"lost to competitor": "product", "Other": "market"})
    categorize = Taxonomy.for_losses(settings.loss_reason_categories).category
    p = parse_period(label)
    products = [r["product_id"] for r in rows(t["products"].select("product_id"))]
    seen = 0
    for product in products:
        report = product_report(con, product_id=product, period=label, settings=settings)
        assert report is not None
        for loss in report["losses"]:
            lost = metric_rows(
                t,
                name="lost_deals",
                period=p,
                as_of=_as_of(t),
                by="product_id",
                segment=product,
                category=loss["category"],
                categorize=categorize,
            )
            assert lost.count().to_pyarrow().as_py() == loss["deals"], (product, loss)
            seen += loss["deals"]
        assert sum(c["deals"] for c in report["losses"]) == report["deals"]["lost"]
    assert seen > 0
    assert set(CATEGORIES) == {c["category"] for c in report["losses"]}


def test_a_loss_category_is_only_for_lost_deals_and_comes_with_its_rule() -> None:
    from coparent.diagnosis.taxonomy import Taxonomy

    t = _tables()
    p = parse_period("2025-Q4")
    rule = Taxonomy.for_losses().category
    with pytest.raises(ValueError, match="no loss categories"):
        metric_rows(t, name="won_deals", period=p, as_of=None, category="product", categorize=rule)
    with pytest.raises(ValueError, match="go together"):
        metric_rows(t, name="lost_deals", period=p, as_of=None, category="product")
    nothing = metric_rows(
        t, name="lost_deals", period=p, as_of=None, category="no such", categorize=rule
    )
    assert nothing.count().to_pyarrow().as_py() == 0


@pytest.mark.parametrize("label", ["2025-Q4", "2025-Q3"])
def test_each_mql_month_cohort_opens_as_many_leads_as_the_funnel_counts(label: str) -> None:
    t = _tables()
    p = parse_period(label)
    cohorts = rows(
        funnel.cohort_conversion(t["leads"], opportunities=t["opportunities"], as_of=p.end_at)
    )
    assert len(cohorts) > 3
    for c in cohorts:
        month = parse_period(c["cohort"].isoformat()[:7])
        for name, column in (
            ("mqls", "mqls"),
            ("mql_to_accepted", "accepted"),
            ("mql_opportunities", "opportunities"),
            ("mql_to_won", "won"),
        ):
            found = metric_rows(t, name=name, period=month, as_of=p.end_at)
            assert found.count().to_pyarrow().as_py() == c[column], (label, month.label, name)


def test_each_month_of_the_funnel_by_month_opens_that_months_leads() -> None:
    t = _tables()
    p = parse_period("2025-Q4")
    as_of = _as_of(t)
    months = rows(
        funnel.mql_funnel(
            t["leads"], opportunities=t["opportunities"], period=p, as_of=as_of, by="month"
        )
    )
    assert len(months) == 3
    for m in months:
        month = parse_period(str(m["month"])[:7])
        for name, column in (("mqls", "mqls"), ("mqls_accepted", "accepted"), ("mql_won", "won")):
            found = metric_rows(t, name=name, period=month, as_of=as_of)
            assert found.count().to_pyarrow().as_py() == m[column], (month.label, name)
