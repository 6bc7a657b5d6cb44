"""Small fact look-ups the web pages show beside people's decisions.

Each function runs a few small Ibis queries on the warehouse and returns
plain ``dict``/``list`` values (JSON-ready), like the other services:

- `lead_queue`: MQLs the CRM has neither accepted nor rejected, newest first;
- `lead_facts`: one lead with its account, campaign, product, owner and deal;
- `recent_won_deals`: the latest won deals with the people of both teams behind them;
- `people_list`: the ``people`` table (to link users by email);
- `table_freshness`: rows and the latest date of every canonical table present.

Names are looked up for the ids shown only (``isin`` on a handful of ids), so
the cost does not grow with the size of the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.plain import plain
from coparent.schema import TABLES

__all__ = [
    "lead_facts",
    "lead_queue",
    "mqls_awaiting_contact",
    "people_list",
    "products_list",
    "recent_won_deals",
    "table_freshness",
]

Row = dict[str, Any]


def _rows(expr: ir.Table) -> list[Row]:
    rows: list[Row] = expr.to_pyarrow().to_pylist()
    return [{k: plain(v) for k, v in r.items()} for r in rows]


def _table(con: BaseBackend, name: str, present: set[str]) -> ir.Table | None:
    return con.table(name) if name in present else None


def _names(
    table: ir.Table | None, key: str, ids: Iterable[str | None], *, name_col: str = "name"
) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if table is None or not wanted or name_col not in table.columns:
        return {}
    rows = _rows(table.filter(table[key].isin(wanted)).select(key, name_col))
    return {r[key]: r[name_col] for r in rows}


def lead_queue(con: BaseBackend, *, limit: int = 200, owner_id: str | None = None) -> list[Row]:
    """Undecided MQLs (no ``accepted_at``, no ``rejected_at``), newest MQL first
    (``owner_id``: only the leads that person owns).

    Each row: ``lead_id``, ``mql_at``, ``channel``, ``campaign_id``,
    ``campaign``, ``product_id``, ``product``, ``account_id``, ``account``,
    ``owner_id``, ``owner``, ``first_contacted_at``. Empty without ``leads``.
    """
    present = set(con.list_tables())
    leads = _table(con, "leads", present)
    if leads is None:
        return []
    t = leads.filter(
        leads.mql_at.notnull() & leads.accepted_at.isnull() & leads.rejected_at.isnull()
    )
    if owner_id is not None:
        if "owner_id" not in t.columns:
            return []
        t = t.filter(t.owner_id == owner_id)
    cols = [
        "lead_id",
        "mql_at",
        "channel",
        "campaign_id",
        "product_id",
        "account_id",
        "owner_id",
        "first_contacted_at",
    ]
    rows = _rows(t.order_by([t.mql_at.desc(), t.lead_id]).limit(limit).select(*cols))
    _add_names(con, present, rows)
    return rows


def mqls_awaiting_contact(con: BaseBackend, *, lead_ids: Iterable[str]) -> list[Row]:
    """Of ``lead_ids``, the MQLs nobody has contacted or decided yet: their SLA still runs.

    Each row: ``lead_id``, ``mql_at``. A lead with ``first_contacted_at``,
    ``accepted_at`` or ``rejected_at`` has met (or missed) its first contact
    and is left out. Empty without ``leads``.
    """
    wanted = sorted({str(i) for i in lead_ids if i})
    leads = _table(con, "leads", set(con.list_tables()))
    if leads is None or not wanted:
        return []
    t = leads.filter(
        leads.lead_id.isin(wanted)
        & leads.mql_at.notnull()
        & leads.accepted_at.isnull()
        & leads.rejected_at.isnull()
    )
    if "first_contacted_at" in t.columns:
        t = t.filter(t.first_contacted_at.isnull())
    return _rows(t.order_by([t.mql_at, t.lead_id]).select("lead_id", "mql_at"))


def _add_names(con: BaseBackend, present: set[str], rows: list[Row]) -> None:
    lookups = {
        "campaign": ("campaigns", "campaign_id"),
        "product": ("products", "product_id"),
        "account": ("accounts", "account_id"),
        "owner": ("people", "owner_id"),
    }
    for field, (table_name, col) in lookups.items():
        if not rows or col not in rows[0]:
            continue
        key = "person_id" if table_name == "people" else col
        names = _names(_table(con, table_name, present), key, (r.get(col) for r in rows))
        for r in rows:
            r[field] = names.get(r.get(col) or "")


def lead_facts(con: BaseBackend, *, lead_id: str) -> Row | None:
    """The lead's own row, names of what it refers to, and its opportunity (None: unknown)."""
    present = set(con.list_tables())
    leads = _table(con, "leads", present)
    if leads is None:
        return None
    found = _rows(leads.filter(leads.lead_id == lead_id).limit(1))
    if not found:
        return None
    lead = found[0]
    _add_names(con, present, [lead])
    lead["opportunity"] = None
    opps = _table(con, "opportunities", present)
    if lead.get("opportunity_id") and opps is not None:
        o = _rows(
            opps.filter(opps.opportunity_id == lead["opportunity_id"])
            .select("opportunity_id", "stage", "status", "amount", "created_at", "closed_at")
            .limit(1)
        )
        lead["opportunity"] = o[0] if o else None
    return lead


def recent_won_deals(con: BaseBackend, *, limit: int = 10) -> list[Row]:
    """The latest won deals: amount, product, account, the seller and the campaign's marketer.

    Each row: ``opportunity_id``, ``closed_at``, ``amount``, ``product``,
    ``account``, ``owner`` (Sales) and, when the deal came from a lead of a
    campaign, ``campaign`` and ``campaign_owner`` (Marketing).
    """
    present = set(con.list_tables())
    opps = _table(con, "opportunities", present)
    if opps is None:
        return []
    won = opps.filter((opps.status == "won") & opps.closed_at.notnull())
    rows = _rows(
        won.order_by([won.closed_at.desc(), won.opportunity_id])
        .limit(limit)
        .select(
            "opportunity_id",
            "closed_at",
            "amount",
            "product_id",
            "account_id",
            "owner_id",
            "lead_id",
        )
    )
    _add_names(con, present, rows)
    leads = _table(con, "leads", present)
    campaign_of: dict[str, str] = {}
    if leads is not None and rows:
        ids = [r["lead_id"] for r in rows if r.get("lead_id")]
        if ids:
            got = _rows(
                leads.filter(leads.lead_id.isin(ids) & leads.campaign_id.notnull()).select(
                    "lead_id", "campaign_id"
                )
            )
            campaign_of = {r["lead_id"]: r["campaign_id"] for r in got}
    campaigns = _table(con, "campaigns", present)
    info: dict[str, Row] = {}
    if campaigns is not None and campaign_of:
        got = _rows(
            campaigns.filter(campaigns.campaign_id.isin(sorted(set(campaign_of.values())))).select(
                "campaign_id", "name", "owner_id"
            )
        )
        info = {r["campaign_id"]: r for r in got}
    owners = _names(
        _table(con, "people", present), "person_id", (c.get("owner_id") for c in info.values())
    )
    for r in rows:
        c = info.get(campaign_of.get(r.get("lead_id") or "", ""), {})
        r["campaign"] = c.get("name")
        r["campaign_owner_id"] = c.get("owner_id")
        r["campaign_owner"] = owners.get(c.get("owner_id") or "")
    return rows


def people_list(con: BaseBackend) -> list[Row]:
    """Everyone in the ``people`` table, by name (empty without it)."""
    present = set(con.list_tables())
    people = _table(con, "people", present)
    if people is None:
        return []
    return _rows(people.order_by("name"))


def products_list(con: BaseBackend) -> list[Row]:
    """``product_id`` and ``name`` of every product, by name (empty without the table)."""
    present = set(con.list_tables())
    products = _table(con, "products", present)
    if products is None:
        return []
    return _rows(products.select("product_id", "name").order_by("name"))


def table_freshness(con: BaseBackend) -> list[Row]:
    """Per canonical table present: ``table``, ``rows`` and ``latest`` (its newest date)."""
    present = set(con.list_tables())
    out = []
    for name, tdef in TABLES.items():
        if name not in present:
            continue
        t = con.table(name)
        dated = [c.name for c in tdef if c.type in ("timestamp", "date") and c.name in t.columns]
        metrics: dict[str, Any] = {"rows": t.count()}
        for col in dated:
            metrics[f"max_{col}"] = t[col].max().cast("timestamp")
        row = _rows(t.aggregate(**metrics))[0]
        latest = [row[f"max_{c}"] for c in dated if row.get(f"max_{c}")]
        out.append({"table": name, "rows": int(row["rows"]), "latest": max(latest, default=None)})
    return out
