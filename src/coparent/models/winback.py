"""Win-back scoring: which lapsing customers are worth a call, and why, in words.

**Value at stake** (BG/NBD + Gamma-Gamma): what the customer would spend over
the next ``horizon`` had it stayed, times the probability that it is gone:

    value_at_stake = (1 - P(alive)) * N_H * E[Z | x, m]
    N_H = (1 - ((alpha + t_x) / (alpha + t_x + p H)) ** (r + x)) / p,   p = (a + 1) / (a + b + x)

N_H is the expected number of purchases in the next H of a customer that
keeps its own pace and may drop out again: a Poisson process with rate lambda
and a drop-out chance p after each purchase makes ``(1 - exp(-lambda p H)) / p``
purchases on average in H; lambda is averaged over its posterior for a customer
that dropped out after its last purchase, Gamma(r + x, alpha + t_x) (its pace
while it was buying, not slowed by the silence since), and p is the posterior
mean of the drop-out chance for such a customer, Beta(a + 1, b + x - 1).
E[Z | x, m] is the Gamma-Gamma expected order value. Everything is closed-form
arithmetic, so the scores run in the engine for every customer and only the
top of the list leaves it. Customers without repeat purchases have P(alive) = 1
under BG/NBD and no value at stake: they never became regular buyers.

**RFM fallback** (too few repeat buyers to fit): the customer's average spend
over a horizon-long stretch of its life so far,
``total_amount * horizon / max(T, horizon)``; lapsing means an R score of 1
or 2 (the 40% longest without a purchase).

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
the easy way. Marketing Science 24(2), 275-284.
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: using
iso-value curves for customer base analysis. JMR 42(4), 415-430.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import ibis
from ibis.expr import types as ir

from coparent.metrics._guard import require_columns
from coparent.models.bgnbd import BetaGeo
from coparent.models.gamma_gamma import GammaGamma
from coparent.models.rfm import rfm_scores

__all__ = [
    "RFM_LAPSED_MAX_R",
    "account_owners",
    "format_duration",
    "format_money",
    "reason",
    "rfm_winback_scores",
    "winback_scores",
]

RFM_LAPSED_MAX_R = 2
"""Highest R score counted as lapsing in the RFM fallback."""

_FEATURES = {"frequency", "recency", "T", "monetary_value", "total_amount"}


def winback_scores(
    features: ir.Table, *, transactions: BetaGeo, spend: GammaGamma, horizon: float
) -> ir.Table:
    """``features`` plus ``p_alive``, ``purchase_rate``, ``purchases_had_stayed``,
    ``expected_order_value`` and ``value_at_stake`` (see the module docstring).

    ``horizon`` is in the features' time unit.

    >>> import ibis
    >>> f = ibis.memtable({"frequency": [0, 8, 8], "recency": [0.0, 200.0, 400.0],
    ...     "T": [500.0, 500.0, 500.0], "monetary_value": [0.0, 100.0, 100.0],
    ...     "total_amount": [50.0, 900.0, 900.0]})
    >>> bg = BetaGeo.from_params(r=0.9, alpha=8.0, a=1.0, b=30.0)
    >>> gg = GammaGamma.from_params(p=6.0, q=4.0, v=300.0)
    >>> s = winback_scores(f, transactions=bg, spend=gg, horizon=365.0).to_pyarrow()
    >>> [round(v) for v in s["value_at_stake"].to_pylist()]
    [0, 1334, 133]
    """
    require_columns(features, _FEATURES, feature="win-back scores", table_name="features")
    r, alpha, a, b = (transactions.params_[k] for k in ("r", "alpha", "a", "b"))
    x = features.frequency
    p_alive = transactions.probability_alive_expr(x, features.recency, features["T"])
    pace = features.recency + alpha
    dropout = (a + 1.0) / (x + (a + b))
    purchases = (1.0 - (pace / (pace + dropout * horizon)) ** (x + r)) / dropout
    order_value = spend.conditional_expected_average_spend_expr(x, features.monetary_value)
    return features.mutate(
        p_alive=p_alive,
        purchase_rate=(x + r) / pace,
        purchases_had_stayed=purchases,
        expected_order_value=order_value,
        value_at_stake=(1.0 - p_alive) * purchases * order_value,
    )


def rfm_winback_scores(features: ir.Table, *, horizon: float) -> ir.Table:
    """``features`` with RFM scores, ``value_at_stake`` and ``lapsing`` (R score 1 or 2)."""
    require_columns(features, _FEATURES, feature="win-back scores", table_name="features")
    scored = rfm_scores(features)
    return scored.mutate(
        p_alive=ibis.null("float64"),
        value_at_stake=scored.total_amount * horizon / scored["T"].clip(lower=horizon),
        lapsing=scored.r_score <= RFM_LAPSED_MAX_R,
    )


def account_owners(
    *,
    accounts: ir.Table | None = None,
    opportunities: ir.Table | None = None,
    people: ir.Table | None = None,
) -> ir.Table | None:
    """``account_id``, ``owner_id``, ``owner_name``: who should call each account.

    The account's own ``owner_id`` when the accounts table has one (a column
    beyond the canonical ones); else the owner of its latest won opportunity,
    else of its latest opportunity (by ``closed_at``, then ``created_at``);
    names from ``people``. None when no table says who owns what.
    """
    owners: ir.Table | None = None
    if accounts is not None and {"account_id", "owner_id"} <= set(accounts.columns):
        owners = accounts.filter(accounts.owner_id.notnull()).select("account_id", "owner_id")
    elif opportunities is not None and {"account_id", "owner_id"} <= set(opportunities.columns):
        opps = opportunities.filter(
            opportunities.account_id.notnull() & opportunities.owner_id.notnull()
        )
        order = [ibis.desc((opps.status == "won").cast("int8"))] if "status" in opps.columns else []
        when = [opps[c] for c in ("closed_at", "created_at") if c in opps.columns]
        if when:
            order.append(ibis.desc(ibis.coalesce(*when)))
        order.append(opps.owner_id)
        latest = ibis.row_number().over(group_by=opps.account_id, order_by=order) == 0
        owners = opps.filter(latest).select("account_id", "owner_id")
    if owners is None:
        return None
    if people is not None and {"person_id", "name"} <= set(people.columns):
        names = people.select(owner_id="person_id", owner_name="name")
        return owners.left_join(names, "owner_id").select("account_id", "owner_id", "owner_name")
    return owners.mutate(owner_name=ibis.null("string"))


def format_duration(days: float) -> str:
    """Days in the unit people use for them.

    >>> [format_duration(d) for d in (1, 9, 42, 213, 730, 913)]
    ['1 day', '9 days', '6 weeks', '7 months', '2 years', '2.5 years']
    """
    if days < 14:
        n = round(days)
        return f"{n} day" + ("" if n == 1 else "s")
    if days < 63:
        return f"{round(days / 7)} weeks"
    if days < 700:
        return f"{round(days / 30.44)} months"
    years = round(days / 365.25 * 2) / 2
    return f"{years:g} years"


def format_money(amount: float) -> str:
    """Compact amounts: 830, 4.8k, 48k, 1.2M (no currency: the data does not say which).

    >>> [format_money(a) for a in (830.0, 4830.0, 48200.0, 1.25e6)]
    ['830', '4.8k', '48k', '1.2M']
    """
    if amount < 1000:
        return f"{amount:,.0f}"
    if amount < 10_000:
        return f"{amount / 1000:.1f}k"
    if amount < 1_000_000:
        return f"{amount / 1000:.0f}k"
    return f"{amount / 1e6:.1f}M"


def reason(row: Mapping[str, Any], *, as_of: date, unit_days: float = 1.0) -> str:
    """Why a customer is on the list, in words, from one scored row.

    >>> from datetime import date
    >>> reason({"frequency": 16, "recency": 700.0, "orders": 17, "total_amount": 48200.0,
    ...         "last_order": date(2026, 3, 1), "p_alive": 0.03},
    ...        as_of=date(2026, 9, 30))
    'bought every ~6 weeks for 2 years, nothing for 7 months, 48k spent in all; 3% likely still buying'
    """  # noqa: E501 - a doctest's expected output is one line
    x = int(row["frequency"])
    span = float(row["recency"]) * unit_days
    since = (as_of - row["last_order"]).days
    if x >= 2:
        habit = f"bought every ~{format_duration(span / x)} for {format_duration(span)}"
    elif x == 1:
        habit = f"bought twice, {format_duration(span)} apart"
    else:
        habit = "bought once"
    spent = format_money(row["total_amount"])
    text = f"{habit}, nothing for {format_duration(since)}, {spent} spent in all"
    p_alive = row.get("p_alive")
    if p_alive is not None:
        likely = "under 1%" if p_alive < 0.005 else f"{p_alive:.0%}"
        return f"{text}; {likely} likely still buying"
    if "r_score" in row:
        return f"{text}; RFM {row['r_score']}-{row['f_score']}-{row['m_score']}"
    return text
