"""``GET /api/rows/{metric}``: the leads or deals behind a number, a page at a time.

The same rows as the list pages (`coparent.app.lists.selectors`): the
metric's own filters, so ``total`` equals the number the scorecard, the
funnel, the diagnosis or a product page shows. Everyone who may read the
numbers may read their rows (role ``view``), with a token or a session.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coparent.api.schemas import ErrorOut
from coparent.app.lists.selectors import (
    MAX_PER_PAGE,
    PER_PAGE,
    metric_rows_get,
    row_query_parse,
)
from coparent.app.teams.access import actor_for
from coparent.errors import MissingDataError

__all__ = ["DealRowOut", "LeadRowOut", "RowsListIn", "RowsListOut", "router"]

router = Router(tags=["rows"])

# 400: a metric without rows or a parameter it can't use; 409: its inputs were never
# imported; 422: a query the schema refuses, or a period the data do not reach.
_ERRORS = frozenset({400, 401, 403, 409, 422, 503})


class LeadRowOut(Schema):
    lead_id: str
    account_id: str | None
    account_name: str | None
    channel: str | None
    campaign_id: str | None
    product_id: str | None
    product_name: str | None
    owner_id: str | None
    owner_name: str | None
    created_at: datetime | None
    mql_at: datetime | None
    first_contacted_at: datetime | None
    accepted_at: datetime | None
    rejected_at: datetime | None
    rejection_reason: str | None
    opportunity_id: str | None


class DealRowOut(Schema):
    opportunity_id: str
    account_id: str | None
    account_name: str | None
    product_id: str | None
    product_name: str | None
    owner_id: str | None
    owner_name: str | None
    lead_id: str | None
    stage: str | None
    status: str | None
    created_at: datetime | None
    closed_at: datetime | None
    amount: float | None
    loss_reason: str | None


class RowsListIn(Schema):
    part: Literal["numerator", "denominator"] = "numerator"
    period: str | None = None
    by: Literal["product", "channel"] | None = None
    segment: str | None = None
    category: Literal["product", "process", "market", "unclassified"] | None = Field(
        None, description="lost deals only: the loss reasons' category (product page)"
    )
    as_of: date | None = Field(
        None, description="read the data as of the end of this day (never after the scorecard's)"
    )
    sort: str | None = Field(None, description="a column, or -column for descending")
    limit: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class RowsListOut(Schema):
    metric: str
    label: str
    part: Literal["numerator", "denominator"]
    words: str = Field(description="what the rows are, e.g. 'deals won in the period'")
    entity: Literal["leads", "deals"]
    period: str
    as_of: date | None
    by: str | None
    segment: str | None
    category: str | None
    sort: str
    total: int = Field(description="rows in all: the number the pages show")
    amount: float | None = Field(description="sum of the deals' amounts (deals only)")
    limit: int
    offset: int
    other_part: Literal["numerator", "denominator"] | None
    leads: list[LeadRowOut]
    deals: list[DealRowOut]


@router.get(
    "/rows/{metric}",
    response={200: RowsListOut, _ERRORS: ErrorOut},
    summary="The leads or deals behind a number (its numerator or denominator)",
    url_name="rows",
)
def rows_list(request: HttpRequest, metric: str, query: Query[RowsListIn]) -> dict[str, Any]:
    """One page of the rows behind ``metric`` in ``period`` (docs/metrics.md, "What each
    number opens"), sorted, with the total count."""
    if not actor_for(request).may("view"):
        raise PermissionDenied("not for your role")
    parsed = row_query_parse(
        metric_name=metric,
        part=query.part,
        period=query.period,
        by=query.by,
        segment=query.segment,
        sort=query.sort,
        category=query.category,
        as_of=query.as_of.isoformat() if query.as_of else None,
    )
    found = metric_rows_get(query=parsed, offset=query.offset, limit=query.limit)
    if found.error is not None:
        raise found.error
    if not found.ok or found.period is None:
        raise MissingDataError(found.missing or "no data", hint=found.hint)
    return {
        "metric": parsed.metric,
        "label": found.label,
        "part": parsed.part,
        "words": found.words,
        "entity": found.entity,
        "period": found.period,
        "as_of": found.as_of,
        "by": parsed.by,
        "segment": parsed.segment,
        "category": parsed.category,
        "sort": parsed.sort,
        "total": found.total,
        "amount": found.amount,
        "limit": found.limit,
        "offset": found.offset,
        "other_part": found.other_part,
        "leads": found.rows if found.entity == "leads" else [],
        "deals": found.rows if found.entity == "deals" else [],
    }
