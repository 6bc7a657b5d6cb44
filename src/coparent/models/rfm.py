"""RFM scores: recency, frequency and monetary quintiles, computed in the engine.

The fallback when there are too few repeat buyers to fit BG/NBD: no model,
only ranks. Each score runs from 1 to ``bins`` (5 is best): R by the time since
the last purchase (shorter is better), F by repeat purchases, M by lifetime
spend. Scores come from ``percent_rank``, so customers with equal values get
equal scores on every backend.

Input: `coparent.models.customer_base.customer_base` features. Output: the
same rows with ``r_score``, ``f_score``, ``m_score`` (int) and ``since_last``
(time since the last purchase, in the features' unit).

Examples
--------
>>> import ibis
>>> f = ibis.memtable({"account_id": ["a", "b", "c", "d", "e"],
...     "frequency": [0, 1, 2, 3, 9], "recency": [0.0, 1.0, 2.0, 3.0, 9.0],
...     "T": [10.0, 10.0, 10.0, 10.0, 10.0],
...     "total_amount": [5.0, 10.0, 20.0, 40.0, 80.0]})
>>> rows = rfm_scores(f).order_by("account_id").to_pyarrow().to_pylist()
>>> [(r["r_score"], r["f_score"], r["m_score"]) for r in rows]
[(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4), (5, 5, 5)]

References
----------
Hughes, A. M. (1994). Strategic Database Marketing. Probus (RFM scoring).
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using
iso-value curves for customer base analysis. JMR 42(4), 415-430.
"""

from __future__ import annotations

import ibis
from ibis.expr import types as ir

from coparent.metrics._guard import require_columns

__all__ = ["rfm_scores"]


def _score(rank: ir.FloatingValue, bins: int) -> ir.IntegerValue:
    return (rank * bins).floor().clip(upper=bins - 1).cast("int64") + 1


def rfm_scores(features: ir.Table, *, bins: int = 5) -> ir.Table:
    """``features`` with R, F and M scores from 1 to ``bins``; see the module docstring."""
    if bins < 2:
        raise ValueError("bins must be at least 2")
    require_columns(
        features,
        {"frequency", "recency", "T", "total_amount"},
        feature="RFM scores",
        table_name="features",
    )
    since = features["T"] - features.recency
    scored = features.mutate(since_last=since)
    return scored.mutate(
        r_score=_score(ibis.percent_rank().over(order_by=ibis.desc(scored.since_last)), bins),
        f_score=_score(ibis.percent_rank().over(order_by=scored.frequency), bins),
        m_score=_score(ibis.percent_rank().over(order_by=scored.total_amount), bins),
    )
