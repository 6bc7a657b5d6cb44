"""Speed to lead: how MQLs contacted within the SLA fared against late ones.

For the MQLs of the period (``mql_at`` in it), per channel: how many were
first contacted within ``sales_sla_hours``, later, or not at all, and how many
of each were accepted and became opportunities (whenever that happened, up to
the data's end). The counterfactual asks what the late ones would have brought
at the on-time rate::

    extra opportunities = late * (on-time rate - late rate)
    extra revenue       = extra opportunities * win rate * average won deal

with the period's company-wide win rate and average won deal. The on-time
rate is the channel's own when it has at least `MIN_REFERENCE` on-time MQLs,
otherwise all channels' on-time MQLs together (a channel that is almost always
late has no on-time sample of its own). MQLs never contacted are counted but
left out of both rates. This is **correlational**: late leads may differ from
on-time ones in other ways, so the numbers show the size of an association,
not a proven effect.

A channel shows a process signal when late MQLs converted significantly worse
(Newcombe interval of the gap, for acceptance or for opportunities, above 0)
and at least `LATE_SHARE_MATERIAL` of its contacted MQLs were late.

Input: canonical ``leads``. Output of `contact_cohorts`: ``channel``,
``contact`` (``on_time`` / ``late`` / ``not_contacted``), ``mqls``,
``accepted``, ``opportunities`` (int64).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import ibis
import numpy as np
import pyarrow as pa
from ibis.expr import types as ir

from coparent.diagnosis.noise import newcombe_difference
from coparent.metrics.flows import NONE_SEGMENT
from coparent.metrics.periods import Period

__all__ = [
    "LATE_SHARE_MATERIAL",
    "MIN_REFERENCE",
    "ChannelSpeed",
    "Gap",
    "SpeedToLead",
    "contact_cohorts",
    "speed_to_lead",
]

MIN_REFERENCE = 30
"""On-time MQLs a channel needs to be its own reference."""
LATE_SHARE_MATERIAL = 0.2
"""Share of contacted MQLs that must be late for a channel to show a process signal."""
CONTACTS = ("on_time", "late", "not_contacted")
_OUTCOMES = ("mqls", "accepted", "opportunities")


def contact_cohorts(leads: ir.Table, *, period: Period, sla_hours: float) -> ir.Table:
    """MQLs of ``period`` per channel and contact timing, with what became of them."""
    t = leads.filter((leads.mql_at >= period.start_at) & (leads.mql_at < period.end_at))
    sla = ibis.interval(seconds=round(sla_hours * 3600))
    contact = ibis.cases(
        (t.first_contacted_at.isnull(), "not_contacted"),
        (t.first_contacted_at <= t.mql_at + sla, "on_time"),
        else_="late",
    )
    t = t.mutate(channel=t.channel.fill_null(NONE_SEGMENT), contact=contact)
    return (
        t.group_by(["channel", "contact"])
        .aggregate(
            mqls=t.count().cast("int64"),
            accepted=t.accepted_at.notnull().sum().cast("int64"),
            opportunities=t.opportunity_id.notnull().sum().cast("int64"),
        )
        .order_by(["channel", "contact"])
    )


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


@dataclass(frozen=True)
class Gap:
    """On-time rate minus late rate, with its Newcombe interval."""

    on_time_rate: float | None
    late_rate: float | None
    gap: float | None
    low: float | None
    high: float | None
    significant: bool


@dataclass(frozen=True)
class ChannelSpeed:
    channel: str
    mqls: int
    on_time: int
    late: int
    not_contacted: int
    late_share: float | None
    reference: str
    """``channel`` (its own on-time MQLs) or ``all channels``."""
    acceptance: Gap
    opportunity: Gap
    extra_accepted: float | None
    extra_opportunities: float | None
    extra_revenue: float | None
    significant: bool
    signal: bool

    @property
    def contacted(self) -> int:
        return self.on_time + self.late


@dataclass(frozen=True)
class SpeedToLead:
    sla_hours: float
    win_rate: float | None
    average_deal: float | None
    channels: tuple[ChannelSpeed, ...]
    all: ChannelSpeed
    correlational: bool = True

    def channel(self, name: str) -> ChannelSpeed | None:
        return next((c for c in self.channels if c.channel == name), None)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


Counts = dict[str, dict[str, int]]


def _gap(ref: dict[str, int], late: dict[str, int], key: str, confidence: float) -> Gap:
    d, low, high = newcombe_difference(
        ref[key], ref["mqls"], late[key], late["mqls"], confidence=confidence
    )
    return Gap(
        ref[key] / ref["mqls"] if ref["mqls"] else None,
        late[key] / late["mqls"] if late["mqls"] else None,
        _num(d[0]),
        _num(low[0]),
        _num(high[0]),
        bool(np.isfinite(low[0]) and low[0] > 0),
    )


def _row(
    channel: str,
    counts: Counts,
    reference: dict[str, int] | None,
    value: float | None,
    confidence: float,
) -> ChannelSpeed:
    on_time, late = counts["on_time"], counts["late"]
    use_own = reference is None or on_time["mqls"] >= MIN_REFERENCE
    ref = on_time if use_own or reference is None else reference
    acceptance = _gap(ref, late, "accepted", confidence)
    opportunity = _gap(ref, late, "opportunities", confidence)
    contacted = on_time["mqls"] + late["mqls"]
    late_share = late["mqls"] / contacted if contacted else None
    extra_acc = late["mqls"] * acceptance.gap if acceptance.gap is not None else None
    extra_opp = late["mqls"] * opportunity.gap if opportunity.gap is not None else None
    significant = acceptance.significant or opportunity.significant
    return ChannelSpeed(
        channel=channel,
        mqls=sum(counts[c]["mqls"] for c in CONTACTS),
        on_time=on_time["mqls"],
        late=late["mqls"],
        not_contacted=counts["not_contacted"]["mqls"],
        late_share=late_share,
        reference="channel" if use_own else "all channels",
        acceptance=acceptance,
        opportunity=opportunity,
        extra_accepted=extra_acc,
        extra_opportunities=extra_opp,
        extra_revenue=extra_opp * value if extra_opp is not None and value is not None else None,
        significant=significant,
        signal=significant and late_share is not None and late_share >= LATE_SHARE_MATERIAL,
    )


def speed_to_lead(
    cohorts: pa.Table,
    *,
    sla_hours: float,
    win_rate: float | None,
    deal_size: float | None,
    confidence: float = 0.95,
) -> SpeedToLead:
    """The counterfactual per channel and for all channels, from executed `contact_cohorts`."""
    by_channel: dict[str, Counts] = {}
    pooled: Counts = {c: dict.fromkeys(_OUTCOMES, 0) for c in CONTACTS}
    for row in cohorts.to_pylist():
        counts = by_channel.setdefault(
            row["channel"], {c: dict.fromkeys(_OUTCOMES, 0) for c in CONTACTS}
        )
        for k in _OUTCOMES:
            counts[row["contact"]][k] += int(row[k])
            pooled[row["contact"]][k] += int(row[k])
    value = win_rate * deal_size if win_rate is not None and deal_size is not None else None
    return SpeedToLead(
        sla_hours=sla_hours,
        win_rate=win_rate,
        average_deal=deal_size,
        channels=tuple(
            _row(ch, by_channel[ch], pooled["on_time"], value, confidence)
            for ch in sorted(by_channel)
        ),
        all=_row("all", pooled, None, value, confidence),
    )
