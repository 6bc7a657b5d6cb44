"""Progress to the shared revenue goal, with a forecast to the end of the period.

Both teams are "in the same boat": one goal, one number, one forecast.

- ``actual``: won revenue of deals closed from the period start to ``as_of``.
- ``forecast`` (run rate): ``actual x period_days / elapsed_days``, the pace so
  far kept to the end of the period. Simple and explainable; it ignores
  seasonality and the quarter-end push, so it tends to be low early in a
  quarter for companies that close late.
- ``forecast_pipeline`` (pipeline-weighted): ``actual + open_amount x
  win_rate x min(1, remaining_days / cycle_days)``: the deals open at
  ``as_of`` (known amounts only), won at the trailing win rate (deals closed
  in the ``lookback_days`` before ``as_of``), and only the share of them that
  can close in the days left, judged by the trailing median sales cycle. A
  rough second opinion, not a model.

Status, in words (`STATUS_RULE`), first match wins:

1. ``achieved``: actual >= target;
2. ``missed``: the period is over (and the target was not reached);
3. ``not started``: nothing of the period has elapsed at ``as_of``;
4. ``on track``: forecast (run rate) >= target;
5. ``at risk``: otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import (
    count_if,
    happened_before,
    in_window,
    ratio,
    to_canonical,
    where,
)
from coparent.metrics._guard import require_columns
from coparent.metrics.periods import Period

__all__ = ["GOAL_STATUSES", "STATUS_RULE", "goal_progress"]

GOAL_STATUSES = ("achieved", "on track", "at risk", "missed", "not started")
STATUS_RULE = (
    "achieved when actual >= target; missed when the period is over short of it; "
    "not started before the period; on track when the run-rate forecast "
    "(actual x period days / elapsed days) >= target; at risk otherwise"
)


def goal_progress(
    opportunities: ir.Table,
    *,
    period: Period,
    target: float,
    as_of: datetime | None = None,
    lookback_days: int = 365,
    created_col: str = "created_at",
    closed_col: str = "closed_at",
    amount_col: str = "amount",
    status_col: str = "status",
) -> ir.Table:
    """Goal progress at ``as_of`` (the period's end when None), forecasts and status.

    Input: canonical ``opportunities``. ``target`` is the goal for the whole
    period (positive).

    Output: one row: ``target``, ``actual``, ``progress`` (actual / target),
    ``elapsed_days``, ``period_days``, ``forecast``, ``open_amount``,
    ``trailing_win_rate``, ``trailing_cycle_days``, ``forecast_pipeline``
    (float64; forecasts null before the period starts, ``forecast_pipeline``
    null without a trailing win rate or cycle) and ``status`` (string, see
    the module docstring).

    Examples
    --------
    A 1,000 goal for September (30 days) read on the 10th: 400 won so far
    makes a run-rate forecast of 400 x 30 / 9 = 1,333.33 (on track).

    >>> import ibis
    >>> from datetime import datetime as dt
    >>> from coparent.metrics.periods import parse_period
    >>> opps = ibis.memtable({
    ...     "opportunity_id": ["O1", "O2"],
    ...     "created_at": [dt(2026, 8, 1), dt(2026, 8, 20)],
    ...     "closed_at": [dt(2026, 9, 2), dt(2026, 9, 5)],
    ...     "status": ["won", "won"],
    ...     "amount": [100.0, 300.0],
    ... })
    >>> g = goal_progress(opps, period=parse_period("2026-09"), target=1000, as_of=dt(2026, 9, 10))
    >>> row = g.to_pyarrow().to_pylist()[0]
    >>> row["actual"], row["progress"], round(row["forecast"], 2), row["status"]
    (400.0, 0.4, 1333.33, 'on track')
    """
    if not target > 0:
        raise ValueError(f"target must be positive, not {target}")
    require_columns(
        opportunities,
        {status_col, created_col, closed_col, amount_col},
        feature="goal progress",
        table_name="opportunities",
    )
    t = to_canonical(
        opportunities,
        {
            "status": status_col,
            "created_at": created_col,
            "closed_at": closed_col,
            "amount": amount_col,
        },
    )
    cutoff = period.end_at if as_of is None else min(max(as_of, period.start_at), period.end_at)
    period_days = float(period.days)
    elapsed = (cutoff - period.start_at).total_seconds() / 86400.0
    remaining = period_days - elapsed
    since = cutoff - timedelta(days=lookback_days)

    won = t.status == "won"
    trailing = in_window(t.closed_at, since, cutoff)
    timed_win = won & trailing & t.created_at.notnull()
    days = (t.closed_at.epoch_seconds() - t.created_at.epoch_seconds()).cast("float64") / 86400.0
    is_open = (t.created_at.isnull() | (t.created_at < cutoff)) & (
        ~happened_before(t.closed_at, cutoff) & (t.closed_at.notnull() | (t.status == "open"))
    )
    agg = t.aggregate(
        actual=t.amount.sum(where=won & in_window(t.closed_at, period.start_at, cutoff))
        .fill_null(0.0)
        .cast("float64"),
        open_amount=t.amount.sum(where=is_open.fill_null(False)).fill_null(0.0).cast("float64"),
        _won=count_if(won & trailing),
        _lost=count_if((t.status == "lost") & trailing),
        trailing_cycle_days=where(timed_win, days).median(),
    )
    win_rate = ratio(agg._won, agg._won + agg._lost)
    forecast = (agg.actual * (period_days / elapsed) if elapsed > 0 else ibis.null("float64")).cast(
        "float64"
    )
    cycle = agg.trailing_cycle_days
    can_close = ibis.cases(
        (cycle.isnull(), ibis.null("float64")),
        (cycle <= remaining, 1.0),
        else_=remaining / cycle,
    )
    target_lit = ibis.literal(float(target))
    status = ibis.cases(
        (agg.actual >= target_lit, "achieved"),
        (ibis.literal(remaining <= 0), "missed"),
        (ibis.literal(elapsed <= 0), "not started"),
        (forecast >= target_lit, "on track"),
        else_="at risk",
    )
    return agg.select(
        target=target_lit,
        actual=agg.actual,
        progress=agg.actual / target_lit,
        elapsed_days=ibis.literal(elapsed),
        period_days=ibis.literal(period_days),
        forecast=forecast,
        open_amount=agg.open_amount,
        trailing_win_rate=win_rate,
        trailing_cycle_days=cycle,
        forecast_pipeline=agg.actual + agg.open_amount * win_rate * can_close,
        status=status,
    )
