from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import MissingColumnsError
from coparent.models.bgnbd import BetaGeo
from coparent.models.customer_base import (
    calibration_and_holdout,
    customer_base,
    spend_pairs,
    triples,
)
from coparent.services.imports import import_mapped
from tests.conftest import REPO
from tests.models.conftest import PAPER_BGNBD, PAPER_BGNBD_LL

CALIBRATION_END = dt.date(1997, 9, 30)
OBSERVATION_END = dt.date(1998, 6, 30)


@pytest.fixture
def cdnow_orders(shared_data: Path) -> BaseBackend:
    """CDNOW_sample.txt imported as orders through examples/mappings/cdnow-sample.toml."""
    con = warehouse.connect("duckdb://")
    (result,) = import_mapped(con, mapping=REPO / "examples" / "mappings" / "cdnow-sample.toml")
    assert result.rows == 6919
    return con


def _by_id(table: ibis.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    frame["ID"] = frame.account_id.astype(int)
    return frame.sort_values("ID").reset_index(drop=True)


def test_summary_built_in_the_engine_from_the_cdnow_log_equals_cdnow_customers_summary(
    cdnow_orders: BaseBackend, cdnow: pd.DataFrame, cdnow_spend: pd.DataFrame
) -> None:
    # One transaction per customer-day, calibration ends 1997-09-30, weeks: SOURCE.md's recipe.
    base = customer_base(cdnow_orders.table("orders"), as_of=CALIBRATION_END, unit="week")
    ours = _by_id(base)
    assert ours.ID.tolist() == cdnow.ID.tolist()
    assert ours.frequency.tolist() == cdnow.frequency.tolist()
    # The CSV stores weeks to two decimals: the engine's exact weeks round to the same text.
    assert ours.recency.round(2).tolist() == cdnow.recency.tolist()
    assert ours["T"].round(2).tolist() == cdnow["T"].tolist()
    np.testing.assert_allclose(ours.monetary_value, cdnow_spend.zbar, atol=0.005 + 1e-9)


def test_bgnbd_on_the_engine_summary_of_the_raw_cdnow_log_reproduces_the_paper(
    cdnow_orders: BaseBackend,
) -> None:
    base = customer_base(cdnow_orders.table("orders"), as_of=CALIBRATION_END, unit="week")
    counts = triples(base).to_pandas()  # only unique triples leave the engine
    assert len(counts) < 2357
    assert counts.customers.sum() == 2357
    model = BetaGeo().fit(counts.frequency, counts.recency, counts["T"], counts.customers)
    assert model.params_ == pytest.approx(PAPER_BGNBD, abs=5e-4)
    assert model.log_likelihood_ == pytest.approx(PAPER_BGNBD_LL, rel=1e-3)


def test_calibration_and_holdout_equal_lifetimes_and_the_source_counts(
    cdnow_orders: BaseBackend, shared_data: Path
) -> None:
    from lifetimes.utils import calibration_and_holdout_data

    split = calibration_and_holdout(
        cdnow_orders.table("orders"),
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
        unit="week",
    )
    ours = _by_id(split)
    assert ours.frequency_holdout.sum() == 1882  # distinct customer-days in the holdout (SOURCE.md)
    rows = calibration_and_holdout(
        cdnow_orders.table("orders"),
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
        one_per_day=False,
    )
    assert int(rows.frequency_holdout.sum().to_pyarrow().as_py()) == 1959  # rows (SOURCE.md)

    log = pd.read_csv(
        shared_data / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "ID", "date", "cds", "value"],
    )
    log["date"] = pd.to_datetime(log.date.astype(str), format="%Y%m%d")
    theirs = calibration_and_holdout_data(
        log,
        "ID",
        "date",
        calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30",
        freq="D",
        freq_multiplier=7,
        monetary_value_col="value",
    ).sort_index()
    np.testing.assert_array_equal(ours.frequency, theirs.frequency_cal)
    np.testing.assert_allclose(ours.recency, theirs.recency_cal, rtol=1e-12)
    np.testing.assert_allclose(ours["T"], theirs.T_cal, rtol=1e-12)
    np.testing.assert_array_equal(ours.frequency_holdout, theirs.frequency_holdout)
    np.testing.assert_allclose(ours.monetary_value, theirs.monetary_value_cal, rtol=1e-9)
    np.testing.assert_allclose(ours.duration_holdout, theirs.duration_holdout, rtol=1e-12)


def _orders(rows: list[tuple[str, str, float]]) -> ibis.Table:
    return ibis.memtable(
        {
            "account_id": [r[0] for r in rows],
            "ordered_at": [dt.datetime.fromisoformat(r[1]) for r in rows],
            "amount": [r[2] for r in rows],
        }
    )


def test_same_day_orders_count_once_and_later_orders_are_left_out() -> None:
    orders = _orders(
        [
            ("a", "2024-01-01 09:00", 10.0),
            ("a", "2024-01-11 08:00", 20.0),
            ("a", "2024-01-11 17:00", 5.0),  # same day: one transaction of 25
            ("a", "2024-01-21 10:00", 35.0),
            ("a", "2024-02-01 10:00", 99.0),  # after the as-of date
            ("b", "2024-01-30 23:59", 7.0),  # on the as-of date: counted
        ]
    )
    rows = customer_base(orders, as_of=dt.date(2024, 1, 30), unit="day").order_by("account_id")
    a, b = rows.to_pyarrow().to_pylist()
    assert (a["frequency"], a["recency"], a["T"], a["monetary_value"]) == (2, 20.0, 29.0, 30.0)
    assert (a["orders"], a["total_amount"], a["last_order"]) == (3, 70.0, dt.date(2024, 1, 21))
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 0.0, 0.0)
    every = customer_base(orders, as_of=dt.date(2024, 1, 30), unit="day", one_per_day=False)
    a_rows = every.filter(every.account_id == "a").to_pyarrow().to_pylist()[0]
    assert a_rows["frequency"] == 3


def test_sufficient_statistics_count_every_customer_once() -> None:
    orders = _orders(
        [
            ("a", "2024-01-01", 1.0),
            ("a", "2024-01-08", 3.0),
            ("b", "2024-01-01", 2.0),
            ("b", "2024-01-08", 3.0),
            ("c", "2024-01-01", 9.0),
        ]
    )
    base = customer_base(orders, as_of=dt.date(2024, 1, 15), unit="week")
    assert sorted(triples(base).to_pyarrow().to_pylist(), key=lambda r: r["frequency"]) == [
        {"frequency": 0, "recency": 0.0, "T": 2.0, "customers": 1},
        {"frequency": 1, "recency": 1.0, "T": 2.0, "customers": 2},
    ]
    assert spend_pairs(base).to_pyarrow().to_pylist() == [
        {"frequency": 1, "monetary_value": 3.0, "customers": 2}
    ]


def test_a_missing_orders_column_names_what_to_import() -> None:
    orders = ibis.memtable({"account_id": ["a"], "amount": [1.0]})
    with pytest.raises(MissingColumnsError, match="ordered_at") as info:
        customer_base(orders, as_of=dt.date(2024, 1, 1))
    assert "import orders" in info.value.hint


@pytest.mark.spark
def test_customer_base_on_spark_equals_duckdb(spark_con: BaseBackend) -> None:
    from coparent.demo import generate

    orders = generate("small", seed=5).tables["orders"]
    duck = warehouse.connect("duckdb://")
    warehouse.write_table(duck, "orders", orders)
    warehouse.write_table(spark_con, "orders", orders)
    as_of = dt.date(2026, 6, 30)
    frames = [
        customer_base(con.table("orders"), as_of=as_of, unit="week")
        .to_pandas()
        .sort_values("account_id")
        .reset_index(drop=True)
        for con in (duck, spark_con)
    ]
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False)
