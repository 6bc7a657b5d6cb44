"""Orders: one per won deal, then repeat purchases per customer, with a planted lapsed cohort.

Repeat purchases follow the BG/NBD story (Fader, Hardie & Lee 2005): while
alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha);
after each repeat purchase it drops out with probability p ~ Beta(a, b).
Order values follow Gamma-Gamma (Fader, Hardie & Lee 2005b): value ~ Gamma(p, nu)
with nu ~ Gamma(q, gamma) per customer. Vectorised: draw each customer's count
in its horizon, place the times uniformly, sort within customers, and keep the
purchases before its dropout.

The lapsed cohort instead bought like clockwork (every 3-6 weeks, at a few
times the usual value) for over a year after an early first win, then stopped
before the lapse date and never came back: the win-back list's best names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow, _plan
from coparent.demo._calendar import Calendar, Floats, Ints
from coparent.demo._catalog import CONNECTORS, PRODUCTS
from coparent.demo._opportunities import Deals


@dataclass(frozen=True)
class Orders:
    account: Ints
    at: Floats
    amount: Floats
    product: Ints
    lapsed: Ints
    """Accounts planted as lapsed (ascending)."""
    lapse_day: int
    intervals: Floats
    """Each lapsed account's typical days between orders."""


def lapse_date(cal: Calendar) -> date:
    """First day of the month ``LAPSE_MONTHS_BEFORE_END`` months before the end's month."""
    month0 = cal.end.year * 12 + cal.end.month - 1 - _plan.LAPSE_MONTHS_BEFORE_END
    return date(month0 // 12, month0 % 12 + 1, 1)


def make_orders(rng: np.random.Generator, cal: Calendar, deals: Deals, n_lapsed: int) -> Orders:
    won = np.flatnonzero(deals.won)
    order = np.lexsort((deals.closed[won], deals.account[won]))
    won_sorted = won[order]
    acc = deals.account[won_sorted]
    is_first = np.r_[True, acc[1:] != acc[:-1]] if acc.size else np.zeros(0, dtype=np.bool_)
    is_last = np.r_[acc[1:] != acc[:-1], True] if acc.size else np.zeros(0, dtype=np.bool_)
    customer = acc[is_first]
    first_win = deals.closed[won_sorted[is_first]]
    last_win = deals.closed[won_sorted[is_last]]
    product = deals.product[won_sorted[is_first]]

    lapse_day = cal.day_of(lapse_date(cal))
    candidates = np.flatnonzero(
        (first_win <= lapse_day - _plan.LAPSED_MIN_HISTORY_DAYS) & (last_win < lapse_day)
    )
    pick = np.sort(rng.choice(candidates, size=min(n_lapsed, candidates.size), replace=False))
    is_lapsed = np.zeros(customer.size, dtype=np.bool_)
    is_lapsed[pick] = True

    regular = np.flatnonzero(~is_lapsed)
    r_cust, r_at = _bgnbd_times(rng, cal, first_win[regular])
    l_cust, l_at, intervals = _lapsed_times(rng, first_win[pick], lapse_day)
    buyer = np.concatenate([regular[r_cust], pick[l_cust]])
    spend = _spend(rng, customer.size)
    spend[pick] /= _plan.LAPSED_SPEND_MULTIPLIER  # a lower rate nu: larger orders
    value = np.round(rng.gamma(_plan.SPEND_P, 1.0, buyer.size) / spend[buyer], 2)
    addon = rng.random(buyer.size) < _plan.REPEAT_ADDON_SHARE
    repeat_product = np.where(addon, CONNECTORS, product[buyer])

    account = np.concatenate([deals.account[won], customer[buyer]])
    at = np.concatenate([deals.closed[won], r_at, l_at])
    amount = np.concatenate([deals.amount[won], value])
    bought = np.concatenate([deals.product[won], repeat_product])
    by_time = np.argsort(at, kind="stable")
    return Orders(
        account=account[by_time],
        at=at[by_time],
        amount=amount[by_time],
        product=bought[by_time],
        lapsed=customer[pick],
        lapse_day=lapse_day,
        intervals=intervals,
    )


def _bgnbd_times(rng: np.random.Generator, cal: Calendar, since: Floats) -> tuple[Ints, Floats]:
    """Repeat purchase times after ``since`` per customer, until dropout or the end."""
    n = since.size
    rate = rng.gamma(_plan.PURCHASE_R, 1.0 / _plan.PURCHASE_ALPHA, n)
    dropout = rng.beta(_plan.DROPOUT_A, _plan.DROPOUT_B, n)
    lives = rng.geometric(np.clip(dropout, 1e-9, 1.0))
    horizon = np.nextafter(float(cal.days), 0.0) - since
    count = rng.poisson(rate * horizon)
    who = np.repeat(np.arange(n, dtype=np.int64), count)
    at = since[who] + rng.random(who.size) * horizon[who]
    order = np.lexsort((at, who))
    who, at = who[order], at[order]
    rank = np.arange(who.size) - np.repeat(np.cumsum(count) - count, count)
    keep = (rank < lives[who]) & (at > since[who])
    return who[keep], at[keep]


def _lapsed_times(
    rng: np.random.Generator, since: Floats, lapse_day: int
) -> tuple[Ints, Floats, Floats]:
    """Clockwork purchases from the first win until a stop shortly before the lapse date."""
    n = since.size
    interval = rng.uniform(*_plan.LAPSED_INTERVAL_DAYS, n)
    stop = lapse_day - rng.uniform(0.0, 30.0, n)
    most = np.ceil((stop - since) / (0.4 * interval)).astype(np.int64) + 1
    who = np.repeat(np.arange(n, dtype=np.int64), most)
    shape = _plan.LAPSED_INTERVAL_SHAPE
    gaps = interval[who] * rng.gamma(shape, 1.0 / shape, who.size)
    total = np.cumsum(gaps)
    before = np.repeat(np.cumsum(most) - most, most)
    offset = np.where(before > 0, total[np.maximum(before - 1, 0)], 0.0)
    at = since[who] + total - offset
    keep = at < stop[who]
    return who[keep], at[keep], interval


def _spend(rng: np.random.Generator, n: int) -> Floats:
    """Per-customer spend rate nu of the Gamma-Gamma model (order value ~ Gamma(p, 1/nu))."""
    return np.asarray(rng.gamma(_plan.SPEND_Q, 1.0 / _plan.SPEND_GAMMA, n))


def orders_table(cal: Calendar, orders: Orders, *, account_ids: pa.Array) -> pa.Table:
    n = orders.account.size
    product_ids = pa.array([p.product_id for p in PRODUCTS], pa.string())
    return _arrow.table(
        "orders",
        {
            "order_id": _arrow.ids("ORD", n, width=_arrow.id_width(n)),
            "account_id": _arrow.take(account_ids, orders.account),
            "ordered_at": _arrow.timestamps(cal, orders.at),
            "amount": _arrow.floats(orders.amount),
            "product_id": _arrow.take(product_ids, orders.product),
        },
    )
