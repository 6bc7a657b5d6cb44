"""Win rate split by loss-reason category, acceptance by rejection-reason category.

The engine counts closed deals per (period, segment, status, loss reason) and
rejected leads per (period, segment, rejection reason); the reasons are then
categorised on that short list (`taxonomy`), never row by row in Python.

Split rule (documented in docs/diagnosis.md). A factor's effect E moves with
its rate r (win rate W/C, or acceptance A/L); each category c has a share s_c
of the same denominator (lost_c / C, or rejected_c / L). The part of E given to
category c is::

    part_c = E * (-delta s_c) / delta r

For the win rate the loss shares add up to 1 - r, so the parts add up to E;
the last float rounding goes to the largest part, so the sum is exact. For
acceptance, rejections need not mirror acceptance (leads can wait undecided,
or be decided in another period), so the rest, E - sum(parts), is kept as a
part of its own with no category. When the rate did not change (or cannot be
measured in a period) the whole effect is that uncategorised rest.

Input: canonical ``opportunities`` and ``leads``. Output of `closed_deals`:
``period``, ``segment``, ``status`` (won/lost), ``loss_reason`` (null for won),
``deals`` (int64), ``amount`` (float64 sum; null amounts count as 0 as in
`flow_counts`), and for the deal-size interval ``positive_amounts`` (int64,
deals with an amount above 0), ``log_amount`` and ``log_amount_squares``
(float64, sums of ``ln(amount)`` and its square over those). Output of `rejections`:
``period``, ``segment``, ``rejection_reason``, ``leads`` (int64).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pyarrow as pa
from ibis.expr import types as ir
from numpy.typing import NDArray

from coparent.diagnosis._segments import (
    SegmentBy,
    in_some_period,
    period_label,
    with_deal_segment,
    with_lead_segment,
    within_periods,
)
from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy
from coparent.metrics.periods import Period

__all__ = [
    "ReasonCounts",
    "closed_deals",
    "reason_counts",
    "rejections",
    "split_effect",
]

Floats = NDArray[np.float64]


def closed_deals(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None,
    periods: Mapping[str, Period],
    by: SegmentBy = "product_id",
) -> ir.Table:
    """Deals closed in each period by segment, status and loss reason, with amount sums."""
    # one filter and one projection, not a chain: fewer relations for Ibis to compile
    o = opportunities
    o = o.filter(
        within_periods(o.closed_at, periods),
        in_some_period(o.closed_at, periods),
        o.status.isin(["won", "lost"]),
    )
    o = with_deal_segment(o, leads=leads, by=by)
    o = o.select(
        period=period_label(o.closed_at, periods),
        segment=o.segment,
        status=o.status,
        loss_reason=ibis.cases((o.status == "lost", o.loss_reason), else_=ibis.null("string")),
        _amount=o.amount.fill_null(0.0).cast("float64"),
        _log=ibis.cases((o.amount > 0, o.amount.cast("float64").ln()), else_=ibis.null()),
    )
    return (
        o.group_by(["period", "segment", "status", "loss_reason"])
        .aggregate(
            deals=o.count().cast("int64"),
            amount=o._amount.sum().cast("float64"),
            positive_amounts=o._log.count().cast("int64"),
            log_amount=o._log.sum().fill_null(0.0).cast("float64"),
            log_amount_squares=(o._log * o._log).sum().fill_null(0.0).cast("float64"),
        )
        .order_by(["period", "segment", "status", "loss_reason"])
    )


def rejections(
    leads: ir.Table, *, periods: Mapping[str, Period], by: SegmentBy = "product_id"
) -> ir.Table:
    """Leads rejected in each period by segment and rejection reason."""
    at = leads.rejected_at
    t = leads.filter(within_periods(at, periods), in_some_period(at, periods))
    t = with_lead_segment(t, by=by)
    t = t.select(
        period=period_label(t.rejected_at, periods),
        segment=t.segment,
        rejection_reason=t.rejection_reason,
    )
    return (
        t.group_by(["period", "segment", "rejection_reason"])
        .aggregate(leads=t.count().cast("int64"))
        .order_by(["period", "segment", "rejection_reason"])
    )


@dataclass(frozen=True)
class ReasonCounts:
    """Counts per segment and category (`taxonomy.CATEGORIES` order) for one period.

    ``unknown`` maps each reason no rule matched (None for an empty reason) to
    its count, so the report can list them; ``reasons[(s, c)]`` counts the
    reason texts of segment s in category c, for sentences that quote them.
    """

    segments: tuple[str, ...]
    counts: Floats
    unknown: dict[str | None, int]
    reasons: dict[tuple[int, int], dict[str, int]]


def reason_counts(
    table: pa.Table,
    *,
    period: str,
    segments: Sequence[str],
    reason_col: str,
    count_col: str,
    taxonomy: Taxonomy,
    where: Mapping[str, str] | None = None,
) -> ReasonCounts:
    """Categorise an executed `closed_deals` or `rejections` table for one period."""
    index = {s: i for i, s in enumerate(segments)}
    counts = np.zeros((len(segments), len(CATEGORIES)))
    unknown: dict[str | None, int] = {}
    texts: dict[tuple[int, int], dict[str, int]] = {}
    cache: dict[str | None, tuple[int, bool]] = {}
    for row in table.to_pylist():
        if row["period"] != period or row["segment"] not in index:
            continue
        if where and any(row[k] != v for k, v in where.items()):
            continue
        reason = row[reason_col]
        if reason not in cache:
            category = CATEGORIES.index(taxonomy.category(reason))
            cache[reason] = (category, taxonomy.known(reason))
        category, known = cache[reason]
        counts[index[row["segment"]], category] += row[count_col]
        if reason:
            bucket = texts.setdefault((index[row["segment"]], category), {})
            bucket[reason] = bucket.get(reason, 0) + int(row[count_col])
        if not known:
            unknown[reason] = unknown.get(reason, 0) + int(row[count_col])
    return ReasonCounts(tuple(segments), counts, unknown, texts)


def split_effect(
    effect: Floats,
    delta_rate: Floats,
    delta_shares: Floats,
    *,
    complete: bool,
) -> tuple[Floats, Floats]:
    """Parts of ``effect`` per category and the uncategorised rest, per segment.

    ``delta_shares[s, c]`` is the change of category c's share; with
    ``complete`` the shares add up to one minus the rate (loss shares and the
    win rate), so the rest is only float rounding and goes to the largest part.

    >>> parts, rest = split_effect(
    ...     np.array([-100.0]), np.array([-0.2]), np.array([[0.3, 0.0, -0.1, 0.0]]), complete=True
    ... )
    >>> [round(float(p), 6) + 0.0 for p in parts[0]], round(float(parts.sum()), 9), rest.tolist()
    ([-150.0, 0.0, 50.0, 0.0], -100.0, [0.0])
    """
    effect = np.asarray(effect, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denominator = -delta_shares.sum(axis=1) if complete else np.asarray(delta_rate)
        coefficient = -delta_shares / denominator[:, None]
        raw = effect[:, None] * coefficient
        usable = np.isfinite(raw).all(axis=1) & np.isfinite(raw.sum(axis=1)) & (denominator != 0)
    parts = np.where(usable[:, None], raw, 0.0)
    rest = effect - parts.sum(axis=1)
    if complete:
        for s in np.flatnonzero(usable):
            largest = int(np.argmax(np.abs(parts[s])))
            parts[s, largest] += rest[s]
            rest[s] = 0.0
    return parts, rest
