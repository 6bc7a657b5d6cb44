"""One product seen by both teams: deals, loss reasons by category, revenue, repeat purchases.

`product_report` executes a few small aggregates for one product and period
and returns JSON-ready values. Loss reasons are sorted into categories with
the diagnosis's `Taxonomy` (settings ``loss_reason_categories`` apply).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
from ibis.backends import BaseBackend

from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
from coparent.errors import MissingDataError
from coparent.metrics.deals import deal_summary
from coparent.metrics.freshness import check_period, data_range_in
from coparent.metrics.periods import parse_period
from coparent.plain import plain
from coparent.settings import Settings

__all__ = ["product_report"]


def _deals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    row = rows[0] if rows else {}
    return {
        "won": row.get("won", 0),
        "lost": row.get("lost", 0),
        "win_rate": row.get("win_rate"),
        "revenue": row.get("revenue", 0.0),
        "average_deal": row.get("average_deal"),
    }


def product_report(
    con: BaseBackend, *, product_id: str, period: str, settings: Settings
) -> dict[str, Any] | None:
    """The product's page for ``period``; None when the product is unknown.

    Output keys: ``product`` (its row), ``period``, ``deals`` and
    ``previous`` (won, lost, win_rate, revenue, average_deal), ``losses``
    (one row per category: ``category``, ``deals``, ``reasons`` [{reason,
    deals}]), ``monthly`` (won revenue and win rate of the last 12 months up
    to the period's end), ``orders`` (orders, revenue, accounts and
    ``repeat_accounts``: accounts that had ordered it before the period), or
    None without an ``orders`` table.
    """
    present = set(con.list_tables())
    if "opportunities" not in present:
        raise MissingDataError(
            "product pages need the opportunities table, and the warehouse has none yet",
            hint="import it: coparent import opportunities FILE",
        )
    p = parse_period(period, fiscal_year_start_month=settings.fiscal_year_start_month)
    check_period(p, data_range_in(con))
    info: dict[str, Any] = {"product_id": product_id, "name": product_id}
    if "products" in present:
        products = con.table("products")
        found = products.filter(products.product_id == product_id).to_pyarrow().to_pylist()
        if found:
            info = plain(found[0])
    opps = con.table("opportunities")
    mine = opps.filter(opps.product_id == product_id)
    unnamed = "products" not in present or info["name"] == product_id
    if unnamed and not mine.count().to_pyarrow().as_py():
        return None
    current = deal_summary(mine, period=p).to_pyarrow().to_pylist()
    previous = deal_summary(mine, period=p.previous()).to_pyarrow().to_pylist()
    lost = mine.filter(
        (mine.status == "lost")
        & (mine.closed_at >= ibis.literal(p.start_at))
        & (mine.closed_at < ibis.literal(p.end_at))
    )
    reason_rows = (
        lost.group_by("loss_reason").aggregate(deals=lost.count()).to_pyarrow().to_pylist()
    )
    taxonomy = Taxonomy.for_losses(settings.loss_reason_categories)
    by_category: dict[str, dict[str, Any]] = {
        c: {"category": c, "deals": 0, "reasons": []} for c in CATEGORIES
    }
    for r in sorted(reason_rows, key=lambda r: -int(r["deals"])):
        bucket = by_category[taxonomy.category(r["loss_reason"])]
        bucket["deals"] += int(r["deals"])
        bucket["reasons"].append({"reason": r["loss_reason"] or "(no reason)", "deals": r["deals"]})
    start = p.end
    for _ in range(12):
        start = date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
    monthly = (
        deal_summary(
            mine.filter(
                (mine.closed_at >= ibis.literal(datetime.combine(start, datetime.min.time())))
                & (mine.closed_at < ibis.literal(p.end_at))
            ),
            by="month",
        )
        .to_pyarrow()
        .to_pylist()
    )
    return {
        "product": info,
        "period": p.label,
        "previous_period": p.previous().label,
        "deals": _deals(current),
        "previous": _deals(previous),
        "losses": [by_category[c] for c in CATEGORIES],
        "monthly": [
            plain({k: r[k] for k in ("month", "won", "lost", "win_rate", "revenue") if k in r})
            for r in sorted(monthly, key=lambda r: r["month"])
        ],
        "orders": _orders(con, present, product_id, p.start_at, p.end_at),
    }


def _orders(
    con: BaseBackend, present: set[str], product_id: str, start: datetime, end: datetime
) -> dict[str, Any] | None:
    if "orders" not in present:
        return None
    orders = con.table("orders")
    mine = orders.filter((orders.product_id == product_id) & (orders.ordered_at < end))
    per_account = mine.group_by("account_id").aggregate(
        first_at=mine.ordered_at.min(),
        in_period=(mine.ordered_at >= start).cast("int64").sum(),
        revenue=ibis.cases((mine.ordered_at >= start, mine.amount), else_=0.0).sum(),
    )
    active = per_account.filter(per_account.in_period > 0)
    row = (
        active.aggregate(
            orders=active.in_period.sum(),
            revenue=active.revenue.sum(),
            accounts=active.count(),
            repeat_accounts=(active.first_at < start).cast("int64").sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return {
        "orders": int(row["orders"] or 0),
        "revenue": float(row["revenue"] or 0.0),
        "accounts": int(row["accounts"] or 0),
        "repeat_accounts": int(row["repeat_accounts"] or 0),
    }
