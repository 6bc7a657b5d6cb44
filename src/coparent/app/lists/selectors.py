"""The rows behind a number, for the list pages, their exports and the API.

`metric_rows_get` resolves the period as the dashboards do (the scorecard's
default when none is given, the owner's SLA terms applied), reads the data
as of the scorecard's as-of day, and runs `coparent.metrics.rows.metric_rows`
(the number's own predicates) with a sort and a page. `metric_rows_export`
gives every row as an Arrow table for CSV and Excel. A metric whose inputs
were never imported is "no data" with what to import (the registry's rule),
never an empty list that would read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.app.common.facts import Facts, warehouse
from coparent.app.dashboards.selectors import Resolved, resolve_period, scorecard_for
from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
from coparent.errors import BadParameter, CoparentError
from coparent.metrics import display as fmt
from coparent.metrics.contracts import ScorecardReport
from coparent.metrics.coverage import input_coverage, present_inputs
from coparent.metrics.periods import parse_period
from coparent.metrics.registry import metric, unavailable
from coparent.metrics.rows import (
    CATEGORY_METRICS,
    DEAL_COLUMNS,
    DRILLS,
    LEAD_COLUMNS,
    Entity,
    Part,
    RowsBy,
    drill,
    metric_rows,
)

__all__ = [
    "BY_CHOICES",
    "MAX_PER_PAGE",
    "PER_PAGE",
    "RowList",
    "RowQuery",
    "metric_rows_export",
    "metric_rows_get",
    "row_query_parse",
]

PER_PAGE = 50
MAX_PER_PAGE = 500
BY_CHOICES: dict[str, RowsBy] = {"product": "product_id", "channel": "channel"}
_DEFAULT_SORT: dict[Entity, str] = {"leads": "-mql_at", "deals": "-closed_at"}
_KEY: dict[Entity, str] = {"leads": "lead_id", "deals": "opportunity_id"}


@dataclass(frozen=True)
class RowQuery:
    """A checked request for rows: which metric and part, period, segment and order."""

    metric: str
    part: Part = "numerator"
    period: str | None = None
    by: str | None = None
    segment: str | None = None
    sort: str = ""
    category: str | None = None
    as_of: date | None = None

    @property
    def entity(self) -> Entity:
        return drill(self.metric).part(self.part).entity


@dataclass(frozen=True)
class RowList:
    """One page of the rows behind a number, or why there are none (``missing``, ``hint``)."""

    query: RowQuery
    label: str
    words: str
    entity: Entity
    columns: tuple[str, ...]
    period: str | None = None
    as_of: date | None = None
    total: int = 0
    amount: float | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    offset: int = 0
    limit: int = PER_PAGE
    sort: str = ""
    other_part: Part | None = None
    other_words: str = ""
    missing: str = ""
    hint: str = ""
    error: CoparentError | None = None

    @property
    def ok(self) -> bool:
        return not self.missing


def row_query_parse(
    *,
    metric_name: str,
    part: str | None = None,
    period: str | None = None,
    by: str | None = None,
    segment: str | None = None,
    sort: str | None = None,
    category: str | None = None,
    as_of: str | None = None,
) -> RowQuery:
    """The query's parameters checked; `BadParameter` (400) names the one that cannot be used."""
    if metric_name not in DRILLS:
        raise BadParameter(
            f"no rows behind {metric_name!r}",
            parameter="metric",
            hint="one of " + ", ".join(sorted(DRILLS)),
        )
    d = DRILLS[metric_name]
    chosen = part or "numerator"
    if chosen not in ("numerator", "denominator") or (
        chosen == "denominator" and d.denominator is None
    ):
        parts = "numerator or denominator" if d.denominator else "numerator"
        raise BadParameter(f"not a part of {metric_name}: {chosen!r}", parameter="part", hint=parts)
    if (by or None) is None and segment is not None and segment != "":
        raise BadParameter("a segment needs by", parameter="by", hint="product or channel")
    if by and by not in BY_CHOICES:
        raise BadParameter(f"not a segment: {by!r}", parameter="by", hint="product or channel")
    if segment is not None and any(ord(c) < 32 for c in segment):
        raise BadParameter("control characters name no segment", parameter="segment")
    if by and segment is None:
        raise BadParameter("by needs a segment", parameter="segment", hint="e.g. segment=web")
    if category and category not in CATEGORIES:
        raise BadParameter(
            f"not a loss category: {category!r}", parameter="category", hint=", ".join(CATEGORIES)
        )
    if category and (metric_name not in CATEGORY_METRICS or chosen != "numerator"):
        raise BadParameter(
            f"{metric_name} has no loss categories",
            parameter="category",
            hint="a category narrows " + ", ".join(CATEGORY_METRICS),
        )
    cut: date | None = None
    if as_of:
        try:
            cut = date.fromisoformat(as_of)
        except ValueError:
            raise BadParameter(
                f"not a day: {as_of!r}", parameter="as_of", hint="YYYY-MM-DD"
            ) from None
    entity = d.part(cast(Part, chosen)).entity
    columns = LEAD_COLUMNS if entity == "leads" else DEAL_COLUMNS
    order = sort or _DEFAULT_SORT[entity]
    if order.lstrip("-") not in columns:
        raise BadParameter(
            f"cannot sort by {order!r}",
            parameter="sort",
            hint="a column, or -column for descending: " + ", ".join(columns),
        )
    return RowQuery(
        metric=metric_name,
        part=cast(Part, chosen),
        period=period or None,
        by=by or None,
        segment=segment if by else None,
        sort=order,
        category=category or None,
        as_of=cut,
    )


def _moment(
    r: Resolved, cut: date | None = None
) -> tuple[datetime | None, date | None, Facts[ScorecardReport]]:
    """The as-of moment of the period's scorecard (the end of its as-of day), and the report.

    ``cut`` (a query's ``as_of``) moves the day earlier, never later: the
    funnel's cohorts read as of the end of the period shown.
    """
    report = scorecard_for(r)
    if not report.ok or report.value is None:
        return None, None, report
    day = date.fromisoformat(str(report.value["as_of"])[:10])
    if cut is not None and cut < day:
        day = cut
    return datetime.combine(day + timedelta(days=1), time()), day, report


def _tables(con: BaseBackend) -> dict[str, ir.Table]:
    return {name: con.table(name) for name in con.list_tables()}


def _missing_inputs(tables: dict[str, ir.Table], name: str, entity: Entity) -> str:
    """The registry's "what to import" for ``name`` when its inputs are absent, else ''."""
    needed = {"opportunities"} | ({"leads"} if entity == "leads" else set())
    if not needed <= set(tables):
        return metric(name).hint
    coverage = input_coverage(tables)
    row = None if coverage is None else coverage.to_pyarrow().to_pylist()[0]
    return unavailable(present_inputs(row), names=[name]).get(name, "")


def _expression(
    q: RowQuery, tables: dict[str, ir.Table], r: Resolved, moment: datetime
) -> ir.Table:
    assert r.period is not None
    period = parse_period(r.period, fiscal_year_start_month=r.settings.fiscal_year_start_month)
    return metric_rows(
        tables,
        name=q.metric,
        part=q.part,
        period=period,
        as_of=moment,
        by=BY_CHOICES[q.by] if q.by else None,
        segment=q.segment,
        sla_hours=r.settings.sales_sla_hours,
        category=q.category,
        categorize=(
            Taxonomy.for_losses(r.settings.loss_reason_categories).category if q.category else None
        ),
    )


def _ordered(t: ir.Table, sort: str, entity: Entity) -> ir.Table:
    column = sort.lstrip("-")
    key = t[column].desc(nulls_first=False) if sort.startswith("-") else t[column].asc()
    if column == _KEY[entity]:
        return t.order_by(key)
    return t.order_by([key, t[_KEY[entity]].asc()])


def _empty(q: RowQuery, *, sla_hours: float | None = None, **extra: Any) -> RowList:
    d = drill(q.metric)
    spec = d.part(q.part)
    other: Part | None = None
    if d.denominator is not None:
        other = "denominator" if q.part == "numerator" else "numerator"
    return RowList(
        query=q,
        label=fmt.label(q.metric, sla_hours=sla_hours),
        words=spec.words,
        entity=spec.entity,
        columns=LEAD_COLUMNS if spec.entity == "leads" else DEAL_COLUMNS,
        sort=q.sort,
        other_part=other,
        other_words=d.part(other).words if other else "",
        **extra,
    )


def metric_rows_get(*, query: RowQuery, offset: int = 0, limit: int = PER_PAGE) -> RowList:
    """One page of the rows behind ``query``'s number, with their total count."""
    if offset < 0:
        raise BadParameter("must be 0 or more", parameter="offset")
    if not 1 <= limit <= MAX_PER_PAGE:
        raise BadParameter(f"must be 1 to {MAX_PER_PAGE}", parameter="limit")
    r = resolve_period(query.period)
    if r.period is None:
        return _empty(query, missing=r.default.missing or "no data", hint=r.default.hint)
    moment, day, report = _moment(r, query.as_of)
    if moment is None:
        missing = report.missing or fmt.NO_DATA
        return _empty(query, period=r.period, missing=missing, hint=report.hint, error=report.error)
    entity, sla = query.entity, r.settings.sales_sla_hours
    with warehouse(r.ws, r.settings) as con:
        tables = _tables(con)
        lacking = _missing_inputs(tables, query.metric, entity)
        if lacking:
            return _empty(
                query,
                sla_hours=sla,
                period=r.period,
                as_of=day,
                missing=fmt.missing(lacking),
                hint=lacking,
            )
        t = _expression(query, tables, r, moment)
        stats = {"total": t.count()}
        if entity == "deals":
            stats["amount"] = t.amount.sum().fill_null(0.0).cast("float64")
        counted = t.aggregate(**stats).to_pyarrow().to_pylist()[0]
        page = _ordered(t, query.sort, entity).limit(limit, offset=offset)
        rows: list[dict[str, Any]] = page.to_pyarrow().to_pylist()
    return _empty(
        query,
        sla_hours=sla,
        period=r.period,
        as_of=day,
        total=int(counted["total"]),
        amount=counted.get("amount"),
        rows=rows,
        offset=offset,
        limit=limit,
    )


def metric_rows_export(*, query: RowQuery) -> tuple[RowList, pa.Table | None]:
    """Every row behind ``query``'s number (sorted), as Arrow; None when there is no data."""
    head = metric_rows_get(query=query, limit=1)
    if not head.ok:
        return head, None
    r = resolve_period(query.period)
    moment, _, _ = _moment(r, query.as_of)
    assert moment is not None  # the head above found it
    with warehouse(r.ws, r.settings) as con:
        t = _expression(query, _tables(con), r, moment)
        table = _ordered(t, query.sort, query.entity).to_pyarrow()
    return head, table
