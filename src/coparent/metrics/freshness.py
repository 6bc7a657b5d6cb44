"""How fresh the data is: "the data's last date", one rule for every report.

The scorecard, the wins engine, the pairing agendas and the digest all read
"now" as the end of the data's last day, so a warehouse that stopped being
refreshed shows its last complete picture instead of empty current weeks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import ibis
from ibis.backends import BaseBackend
from ibis.expr import types as ir

__all__ = ["FACT_TIMESTAMPS", "data_last_at", "data_last_at_in"]

FACT_TIMESTAMPS: dict[str, tuple[str, ...]] = {
    "opportunities": ("created_at", "closed_at"),
    "leads": ("created_at", "mql_at", "first_contacted_at", "accepted_at", "rejected_at"),
    "activities": ("occurred_at",),
}
"""The columns whose latest value is "the data's last date"."""


def data_last_at(tables: Mapping[str, ir.Table]) -> datetime | None:
    """The latest fact timestamp among ``tables``: one aggregate per table, one query.

    None when no table with a dated column is given (or all dates are null).
    """
    latest = []
    for name, cols in FACT_TIMESTAMPS.items():
        t = tables.get(name)
        present = [t[c].max() for c in cols if t is not None and c in t.columns]
        if t is not None and present:
            last = ibis.greatest(*present) if len(present) > 1 else present[0]
            latest.append(t.aggregate(last_at=last.cast("timestamp")))
    if not latest:
        return None
    value = ibis.union(*latest).last_at.max().to_pyarrow().as_py()
    return value if isinstance(value, datetime) else None


def data_last_at_in(con: BaseBackend) -> datetime | None:
    """`data_last_at` over whichever fact tables the warehouse holds."""
    present = set(con.list_tables())
    return data_last_at({name: con.table(name) for name in FACT_TIMESTAMPS if name in present})
