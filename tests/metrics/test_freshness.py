"""The data's last date: the latest of every dated fact column, whichever tables exist."""

from __future__ import annotations

from datetime import datetime

import ibis
import pyarrow as pa

from coparent.metrics.freshness import data_last_at, data_last_at_in


def test_the_latest_timestamp_of_any_dated_column_wins() -> None:
    con = ibis.duckdb.connect()
    con.create_table(
        "opportunities",
        pa.table(
            {
                "created_at": [datetime(2026, 9, 1), datetime(2026, 9, 2)],
                "closed_at": [None, datetime(2026, 9, 20)],
            }
        ),
    )
    con.create_table(
        "leads",
        pa.table(
            {
                "created_at": [datetime(2026, 9, 3)],
                "first_contacted_at": [datetime(2026, 9, 25, 14, 30)],  # the latest of all
            }
        ),
    )
    assert data_last_at_in(con) == datetime(2026, 9, 25, 14, 30)
    # activities not imported: ignored; only opportunities given: their latest close
    assert data_last_at({"opportunities": con.table("opportunities")}) == datetime(2026, 9, 20)


def test_no_dated_facts_have_no_last_date() -> None:
    con = ibis.duckdb.connect()
    assert data_last_at_in(con) is None
    con.create_table("activities", pa.table({"occurred_at": pa.array([None], pa.timestamp("us"))}))
    assert data_last_at_in(con) is None
