"""Page contexts of the row lists: one page of rows in words, sort and page links, files."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import slugify

from coparent.app.lists.selectors import (
    PER_PAGE,
    RowList,
    RowQuery,
    metric_rows_export,
    metric_rows_get,
    row_query_parse,
)
from coparent.ingest.export import export_table
from coparent.metrics import display as fmt

__all__ = ["COLUMN_LABELS", "query_from", "rows_file", "rows_page", "rows_url"]

COLUMN_LABELS = {
    "lead_id": "lead",
    "opportunity_id": "deal",
    "account_name": "account",
    "channel": "channel",
    "campaign_id": "campaign",
    "product_name": "product",
    "owner_name": "owner",
    "created_at": "created",
    "mql_at": "MQL",
    "first_contacted_at": "first contact",
    "accepted_at": "accepted",
    "rejected_at": "rejected",
    "rejection_reason": "rejection reason",
    "stage": "stage",
    "status": "status",
    "closed_at": "closed",
    "amount": "amount",
    "loss_reason": "loss reason",
}
# shown on the page; the files hold every column (ids and names)
_SHOWN = {
    "leads": (
        "lead_id",
        "account_name",
        "channel",
        "product_name",
        "owner_name",
        "mql_at",
        "first_contacted_at",
        "accepted_at",
        "rejected_at",
        "rejection_reason",
        "opportunity_id",
    ),
    "deals": (
        "opportunity_id",
        "account_name",
        "product_name",
        "owner_name",
        "status",
        "created_at",
        "closed_at",
        "amount",
        "loss_reason",
    ),
}
_NAME_OF = {"account_name": "account_id", "product_name": "product_id", "owner_name": "owner_id"}
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def query_from(metric_name: str, params: Mapping[str, str]) -> RowQuery:
    """The list's query from a request's parameters (`BadParameter` for one that cannot be used)."""
    return row_query_parse(
        metric_name=metric_name,
        part=params.get("part") or None,
        period=params.get("period") or None,
        by=params.get("by") or None,
        segment=params.get("segment"),
        sort=params.get("sort") or None,
        category=params.get("category") or None,
        as_of=params.get("as_of") or None,
    )


def rows_url(query: RowQuery, *, view: str = "lists:rows", **changes: Any) -> str:
    """The URL of ``query`` with ``changes`` (sort, page, part, format), always encoded."""
    params: dict[str, Any] = {
        "period": query.period,
        "part": query.part if query.part != "numerator" else None,
        "by": query.by,
        "segment": query.segment if query.by else None,
        "category": query.category,
        "as_of": query.as_of.isoformat() if query.as_of else None,
        "sort": query.sort,
    }
    params |= changes
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return reverse(view, args=[query.metric]) + ("?" + urlencode(kept) if kept else "")


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "amount":
        return fmt.money(float(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row(entity: str, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The shown cells of one row: label (for the phone layout), text, numeric or not."""
    cells = []
    for column in _SHOWN[entity]:
        value = row.get(column)
        if column in _NAME_OF and value is None:
            value = row.get(_NAME_OF[column])  # no name imported: the id, never a blank
        cells.append(
            {
                "label": COLUMN_LABELS.get(column, column),
                "text": _cell(column, value),
                "n": column == "amount",
            }
        )
    return cells


def rows_page(*, query: RowQuery, page: int, may_export: bool = False) -> dict[str, Any]:
    """One page of the rows behind a number, with the links to sort, page, switch and export."""
    found: RowList = metric_rows_get(query=query, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    query = RowQuery(
        found.query.metric,
        found.query.part,
        found.period or query.period,
        found.query.by,
        found.query.segment,
        found.query.sort,
        found.query.category,
        found.query.as_of,
    )
    pages = max(1, -(-found.total // PER_PAGE))
    headers = []
    for column in _SHOWN[found.entity]:
        descending = query.sort == "-" + column
        ascending = query.sort == column
        headers.append(
            {
                "column": column,
                "label": COLUMN_LABELS.get(column, column),
                "url": rows_url(query, sort=column if descending else "-" + column),
                "sorted": "descending" if descending else "ascending" if ascending else "",
            }
        )
    return {
        "found": found,
        "query": query,
        "headers": headers,
        "rows": [_row(found.entity, r) for r in found.rows],
        "page": page,
        "pages": pages,
        "first": found.offset + 1 if found.total else 0,
        "last": found.offset + len(found.rows),
        "previous_url": rows_url(query, page=page - 1) if page > 1 else "",
        "next_url": rows_url(query, page=page + 1) if page < pages else "",
        "other_url": rows_url(query, part=found.other_part, page=None) if found.other_part else "",
        "csv_url": rows_url(query, view="lists:export", format="csv"),
        "xlsx_url": rows_url(query, view="lists:export", format="xlsx"),
        "amount": fmt.money(found.amount) if found.amount is not None else "",
        "may_export": may_export,
        "as_of": found.as_of.isoformat() if found.as_of else "",
        "amount_raw": repr(float(found.amount)) if found.amount is not None else "",
    }


def rows_file(*, query: RowQuery, fmt: Literal["csv", "xlsx"]) -> tuple[str, str, bytes] | None:
    """Every row as a CSV or Excel file, formula-neutralised as `coparent export` writes it.

    The file name, its content type and its bytes; None when there is no data.
    """
    head, table = metric_rows_export(query=query)
    if table is None:
        return None
    parts = [query.metric, query.part, head.period or "", query.segment or "", query.category or ""]
    name = "-".join(slugify(p) or "none" for p in parts if p) + f".{fmt}"
    with tempfile.TemporaryDirectory() as folder:
        path = export_table(table, Path(folder) / name, fmt=fmt)
        return name, _CONTENT_TYPES[fmt], path.read_bytes()
