"""Customer-base features from orders, computed in the engine: (x, t_x, T) and spend.

Per customer, as of a date (inclusive): ``frequency`` x = repeat purchases
(transactions after the first), ``recency`` t_x = time from the first to the
last purchase, ``T`` = time from the first purchase to the as-of date, and
``monetary_value`` = the mean value of the repeat purchases (0 without any),
the inputs of BG/NBD and Gamma-Gamma (Fader, Hardie & Lee 2005). Times are
whole calendar days between order dates, divided by 7 for weeks. With
``one_per_day`` (the default, as in the papers) all orders of a customer on
one day count as one transaction with their summed value.

`triples` and `spend_pairs` aggregate the features to the models'
sufficient statistics (unique rows with counts), so only those leave the
engine. Everything here returns Ibis expressions; nothing is executed.

Input: an orders table (``account_id``, ``ordered_at``, ``amount`` by default).
Output of `customer_base`: one row per customer with ``frequency`` (int),
``recency``, ``T``, ``monetary_value``, ``orders`` (transactions counted),
``total_amount`` (all of them, the first included), ``first_order`` and
``last_order`` (dates).

Examples
--------
>>> import ibis, datetime as dt
>>> orders = ibis.memtable({
...     "account_id": ["a", "a", "a", "b"],
...     "ordered_at": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 15, 9),
...                    dt.datetime(2024, 1, 15, 17), dt.datetime(2024, 1, 8)],
...     "amount": [10.0, 20.0, 5.0, 7.0]})
>>> base = customer_base(orders, as_of=dt.date(2024, 1, 29), unit="week")
>>> base.order_by("account_id").select("account_id", "frequency", "recency", "T",
...     "monetary_value").to_pyarrow().to_pylist()[0]
{'account_id': 'a', 'frequency': 1, 'recency': 2.0, 'T': 4.0, 'monetary_value': 25.0}

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
the easy way. Marketing Science 24(2), 275-284 (section 4: the CDNOW data).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import ibis
from ibis.expr import types as ir

from coparent.metrics._guard import require_columns

__all__ = [
    "UNIT_DAYS",
    "Unit",
    "calibration_and_holdout",
    "customer_base",
    "spend_pairs",
    "triples",
]

Unit = Literal["day", "week"]
UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0}


def _transactions(
    orders: ir.Table,
    *,
    customer_col: str,
    at_col: str,
    amount_col: str,
    one_per_day: bool,
) -> ir.Table:
    """Rows (customer, day, amount): orders, or customer-days with summed amounts."""
    tx = orders.select(
        customer=orders[customer_col], day=orders[at_col].date(), amount=orders[amount_col]
    )
    if one_per_day:
        tx = tx.group_by(["customer", "day"]).aggregate(amount=tx.amount.sum())
    return tx


def _check(unit: str, orders: ir.Table, columns: set[str], feature: str) -> float:
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be 'day' or 'week', not {unit!r}")
    require_columns(orders, columns, feature=feature, table_name="orders")
    return UNIT_DAYS[unit]


def customer_base(
    orders: ir.Table,
    *,
    as_of: date,
    unit: Unit = "week",
    one_per_day: bool = True,
    customer_col: str = "account_id",
    at_col: str = "ordered_at",
    amount_col: str = "amount",
) -> ir.Table:
    """One row per customer with a purchase on or before ``as_of``; see the module docstring."""
    days = _check(unit, orders, {customer_col, at_col, amount_col}, "customer-base features")
    cut = orders.filter(orders[at_col].date() <= ibis.date(as_of))
    tx = _transactions(
        cut,
        customer_col=customer_col,
        at_col=at_col,
        amount_col=amount_col,
        one_per_day=one_per_day,
    )
    first = ibis.row_number().over(group_by=tx.customer, order_by=[tx.day, tx.amount]) == 0
    tx = tx.mutate(first_amount=first.ifelse(tx.amount, 0.0))
    per = tx.group_by("customer").aggregate(
        orders=tx.count(),
        first_order=tx.day.min(),
        last_order=tx.day.max(),
        total_amount=tx.amount.sum(),
        first_amount=tx.first_amount.sum(),
    )
    repeat = per.orders - 1
    return per.select(
        per.customer.name(customer_col),
        frequency=repeat.cast("int64"),
        recency=per.last_order.delta(per.first_order, unit="day") / days,
        T=ibis.date(as_of).delta(per.first_order, unit="day") / days,
        monetary_value=(repeat > 0).ifelse((per.total_amount - per.first_amount) / repeat, 0.0),
        orders=per.orders.cast("int64"),
        total_amount=per.total_amount,
        first_order=per.first_order,
        last_order=per.last_order,
    )


def calibration_and_holdout(
    orders: ir.Table,
    *,
    calibration_end: date,
    observation_end: date,
    unit: Unit = "week",
    one_per_day: bool = True,
    customer_col: str = "account_id",
    at_col: str = "ordered_at",
    amount_col: str = "amount",
) -> ir.Table:
    """`customer_base` as of ``calibration_end`` plus what each customer did after it.

    Adds ``frequency_holdout`` (transactions in (calibration_end,
    observation_end]), ``monetary_value_holdout`` (their mean value, 0 without
    any) and ``duration_holdout`` (the holdout length in ``unit``). Only
    customers who bought in the calibration period appear, as in the papers'
    forecast tests.
    """
    days = _check(unit, orders, {customer_col, at_col, amount_col}, "calibration/holdout split")
    if observation_end <= calibration_end:
        raise ValueError("observation_end must come after calibration_end")
    base = customer_base(
        orders,
        as_of=calibration_end,
        unit=unit,
        one_per_day=one_per_day,
        customer_col=customer_col,
        at_col=at_col,
        amount_col=amount_col,
    )
    later = orders.filter(
        (orders[at_col].date() > ibis.date(calibration_end))
        & (orders[at_col].date() <= ibis.date(observation_end))
    )
    tx = _transactions(
        later,
        customer_col=customer_col,
        at_col=at_col,
        amount_col=amount_col,
        one_per_day=one_per_day,
    )
    hold = tx.group_by("customer").aggregate(n=tx.count(), value=tx.amount.sum())
    joined = base.left_join(hold, base[customer_col] == hold.customer)
    n = joined.n.fill_null(0)
    duration = (observation_end - calibration_end).days / days
    return joined.select(
        *base.columns,
        frequency_holdout=n.cast("int64"),
        monetary_value_holdout=(n > 0).ifelse(joined.value / n, 0.0),
        duration_holdout=ibis.literal(duration, type="float64"),
    )


def triples(
    features: ir.Table,
    *,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
) -> ir.Table:
    """Unique (frequency, recency, T) rows with ``customers`` counts: BG/NBD's sufficient data."""
    require_columns(
        features, {frequency_col, recency_col, T_col}, feature="BG/NBD", table_name="features"
    )
    return features.group_by([frequency_col, recency_col, T_col]).aggregate(
        customers=features.count()
    )


def spend_pairs(
    features: ir.Table,
    *,
    frequency_col: str = "frequency",
    monetary_col: str = "monetary_value",
) -> ir.Table:
    """Unique (frequency, monetary_value) rows of repeat buyers with ``customers`` counts."""
    require_columns(
        features, {frequency_col, monetary_col}, feature="Gamma-Gamma", table_name="features"
    )
    repeat = features.filter(features[frequency_col] > 0)
    return repeat.group_by([frequency_col, monetary_col]).aggregate(customers=repeat.count())
