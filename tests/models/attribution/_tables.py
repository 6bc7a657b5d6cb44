"""Tiny canonical tables for the attribution tests (every column of the schema, nulls allowed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr import types as ir

from coparent.schema import TABLES

T0 = datetime(2026, 1, 1)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def arrow(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema([f.with_nullable(True) for f in TABLES[name].arrow_schema()])
    key = TABLES[name].key[0]
    filled = [{key: f"{name[:2].upper()}{i + 1}", **row} for i, row in enumerate(rows)]
    return pa.Table.from_pylist(filled, schema=schema)


def table(name: str, rows: list[dict[str, Any]]) -> ir.Table:
    return ibis.memtable(arrow(name, rows))


def touch(lead: str | None, at: float, channel: str, **extra: Any) -> dict[str, Any]:
    return {"lead_id": lead, "occurred_at": day(at), "channel": channel, "kind": "visit", **extra}


def activity(at: float, kind: str, *, lead: str | None = None, opp: str | None = None) -> dict:
    return {"lead_id": lead, "opportunity_id": opp, "person_id": "P1", "occurred_at": day(at),
            "kind": kind}  # fmt: skip


def deal(opp: str, lead: str | None, created: float, status: str, amount: float,
         closed: float | None = None, account: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "opportunity_id": opp, "lead_id": lead, "account_id": account, "created_at": day(created),
        "closed_at": None if closed is None else day(closed), "status": status, "amount": amount,
        "stage": status,
    }  # fmt: skip
