"""Time-decay attribution, in the engine: recent steps weigh more, halving every half-life.

A step ``d`` days before its journey's conversion weighs ``2^(-d / half_life)``;
each conversion (and its value) is split over its journey's steps in
proportion to those weights. Unlike the other rules it depends on when each
step happened, not only on the order, so it cannot run on aggregated paths:
it reads `journeys.journey_steps` directly, and a path file raises
`TouchTimesRequired`.

Weights are taken relative to the journey's latest step (which weighs 1), so
a journey of very old touches still splits its conversion instead of
underflowing to 0/0.

Worked example: touches 14 and 7 days before the conversion, half-life 7 days:
weights 1/4 and 1/2, so the older touch gets 1/3 and the newer 2/3.

>>> import ibis
>>> from datetime import datetime
>>> steps = ibis.memtable({
...     "journey_id": ["J1", "J1"], "label": ["ad", "webinar"],
...     "at": [datetime(2026, 1, 1), datetime(2026, 1, 8)],
...     "converted": [True, True], "converted_at": [datetime(2026, 1, 15)] * 2,
...     "value": [300.0, 300.0]})
>>> credits = time_decay_credits(steps, half_life_days=7).order_by("label").to_pyarrow()
>>> [(r["label"], round(r["conversions"], 6), round(r["value"], 6)) for r in credits.to_pylist()]
[('ad', 0.333333, 100.0), ('webinar', 0.666667, 200.0)]

References
----------
Google Analytics, "Attribution models": time decay with a 7-day half-life.
"""

from __future__ import annotations

import math

from ibis.expr import types as ir

from coparent.metrics._guard import require_columns

__all__ = ["DEFAULT_HALF_LIFE_DAYS", "time_decay_credits"]

DEFAULT_HALF_LIFE_DAYS = 7.0


def time_decay_credits(
    steps: ir.Table, *, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> ir.Table:
    """Per label: ``label``, ``conversions``, ``value`` credited by time decay.

    Input: `journeys.journey_steps` (``journey_id``, ``label``, ``at``,
    ``converted``, ``converted_at``, ``value``).
    """
    if not half_life_days > 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    require_columns(
        steps,
        {"journey_id", "label", "at", "converted", "converted_at", "value"},
        feature="time-decay attribution",
        table_name="journey steps",
    )
    won = steps.filter(steps.converted)
    age = won.converted_at.delta(won.at, unit="second").cast("float64") / 86400.0
    won = won.mutate(_age=age)
    youngest = won._age.min().over(group_by="journey_id")
    won = won.mutate(_w=(-(won._age - youngest) * (math.log(2.0) / half_life_days)).exp())
    share = won._w / won._w.sum().over(group_by="journey_id")
    won = won.mutate(_share=share)
    return won.group_by("label").aggregate(
        conversions=won._share.sum(), value=(won._share * won.value).sum()
    )
