"""Journeys in the engine: touches (and sales activities) per lead or account, cut at conversion.

Everything here returns Ibis expressions; the service executes them, so the
same code runs on DuckDB and on Spark, and a million journeys reach Python as
the few hundred thousand unique paths the models need.

- `conversion_events`: each journey's first conversion (an opportunity created,
  or won) and its value (the won amount); `unattributed`: the conversions no
  path leads to.
- `journey_events`: marketing touches and sales activities as one stream of
  steps keyed by journey (shared with `sourcing`).
- `journey_steps`: those steps, with each journey's outcome, cut at the
  conversion; a journey that never converted runs to the end of the data.
- `path_vocabulary` and `unique_paths`: the labels, then the unique label
  sequences (each journey cut at its conversion) with ``conversions``,
  ``value`` and ``nulls``.

Sales activities become steps named ``sales_<kind>`` (``sales_call``,
``sales_meeting``...), so the paths show both teams' work. Steps at the same
instant are ordered by label, which keeps every result independent of row order.

Input tables are the canonical ones (`coparent schema`); output shapes are given per
function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import ibis
import pyarrow as pa
from ibis.expr import types as ir

from coparent.metrics._guard import require_columns

__all__ = [
    "ACTIVITY_PREFIX",
    "SALES_CHANNELS",
    "By",
    "Conversion",
    "Journey",
    "PathVocabulary",
    "conversion_events",
    "journey_events",
    "journey_steps",
    "path_vocabulary",
    "unattributed",
    "unique_paths",
    "unique_text_paths",
]

Conversion = Literal["opportunity", "won"]
Journey = Literal["lead", "account"]
By = Literal["channel", "campaign"]

ACTIVITY_PREFIX = "sales_"
SALES_CHANNELS: tuple[str, ...] = ("outbound",)
"""Touch channels that are Sales' own work (outbound sequences), not Marketing's."""
_FEATURE = "attribution"
_PACK_LIMIT = 2**62
_INLINE_LABELS = 256
"""Up to this many labels, codes come from an array literal; beyond, from a joined table."""


def _opportunity_keys(
    opportunities: ir.Table, *, leads: ir.Table | None, journey: Journey
) -> ir.Table:
    """Opportunities with ``journey_id``: their lead (or the lead naming them), or account."""
    opps = opportunities
    if journey == "account":
        return opps.mutate(journey_id=opps.account_id)
    if leads is not None and "opportunity_id" in leads.columns:
        named = leads.filter(leads.opportunity_id.notnull())
        link = named.group_by(_opp=named.opportunity_id).aggregate(_lead=named.lead_id.min())
        opps = opps.left_join(link, opps.opportunity_id == link._opp)
        return opps.mutate(journey_id=ibis.coalesce(opps.lead_id, opps._lead)).drop("_opp", "_lead")
    return opps.mutate(journey_id=opps.lead_id)


def _conversions(
    opportunities: ir.Table, *, leads: ir.Table | None, conversion: Conversion, journey: Journey
) -> ir.Table:
    """Every deal that counts as a conversion: ``journey_id`` (may be null), ``converted_at``,
    ``value``, ``_opp``."""
    require_columns(
        opportunities,
        {"opportunity_id", "created_at", "closed_at", "status", "amount", "lead_id"}
        | ({"account_id"} if journey == "account" else set()),
        feature=_FEATURE,
        table_name="opportunities",
    )
    opps = _opportunity_keys(opportunities, leads=leads, journey=journey)
    won = opps.status == "won"
    amount = opps.amount.fill_null(0.0).cast("float64")
    if conversion == "won":
        opps = opps.filter(won & opps.closed_at.notnull())
        at, value = opps.closed_at, opps.amount.fill_null(0.0).cast("float64")
    else:
        at, value = opps.created_at, ibis.ifelse(won, amount, 0.0)
    events = opps.select(
        journey_id=opps.journey_id, converted_at=at, value=value, _opp=opps.opportunity_id
    )
    return events.filter(events.converted_at.notnull())


def conversion_events(
    opportunities: ir.Table,
    *,
    leads: ir.Table | None = None,
    conversion: Conversion = "opportunity",
    journey: Journey = "lead",
) -> ir.Table:
    """Each journey's first conversion.

    Output: ``journey_id``, ``converted_at``, ``value``. With ``conversion="opportunity"``
    a journey converts when its first opportunity is created, worth the amount
    if that deal was won (0 otherwise); with ``"won"`` when its first deal is
    won, worth its amount. Later deals of the same journey start no new path.
    """
    events = _conversions(opportunities, leads=leads, conversion=conversion, journey=journey)
    events = events.filter(events.journey_id.notnull())
    rank = ibis.row_number().over(group_by="journey_id", order_by=["converted_at", "_opp"])
    return events.mutate(_rank=rank).filter(lambda t: t._rank == 0).drop("_rank", "_opp")


def journey_events(
    touches: ir.Table,
    *,
    activities: ir.Table | None = None,
    leads: ir.Table | None = None,
    opportunities: ir.Table | None = None,
    journey: Journey = "lead",
    by: By = "channel",
) -> ir.Table:
    """Touches and sales activities as steps: ``journey_id``, ``at``, ``label``, ``channel``, ``source``.

    ``label`` is the channel, or with ``by="campaign"`` the campaign id (a
    touch without one is labelled ``"<channel> (no campaign)"``). ``source`` is
    ``"touch"`` or ``"activity"``. Activities find their journey through their
    lead, or through their opportunity's lead (or account).
    """  # noqa: E501 - the output columns read best on one line
    key = "lead_id" if journey == "lead" else "account_id"
    needed = {"occurred_at", "channel", key} | ({"campaign_id"} if by == "campaign" else set())
    require_columns(touches, needed, feature=_FEATURE, table_name="touches")
    t = touches
    journey_id = t[key]
    if journey == "account" and leads is not None and "lead_id" in t.columns:
        accounts = leads.select(_lead=leads.lead_id, _account=leads.account_id)
        t = t.left_join(accounts, t.lead_id == accounts._lead)
        journey_id = ibis.coalesce(t.account_id, t._account)
    label = t.channel
    if by == "campaign":
        label = ibis.coalesce(t.campaign_id, t.channel.concat(" (no campaign)"))
    steps = t.select(
        journey_id=journey_id.cast("string"),
        at=t.occurred_at.cast("timestamp"),
        label=label.cast("string"),
        channel=t.channel.cast("string"),
        source=ibis.literal("touch"),
    )
    if activities is None:
        return steps.filter(steps.journey_id.notnull())
    require_columns(
        activities,
        {"lead_id", "opportunity_id", "occurred_at", "kind"},
        feature=_FEATURE,
        table_name="activities",
    )
    a = activities
    activity_key = a.lead_id if journey == "lead" else ibis.null("string")
    if journey == "account" and leads is not None:
        accounts = leads.select(_lead=leads.lead_id, _account=leads.account_id)
        a = a.left_join(accounts, a.lead_id == accounts._lead)
        activity_key = a._account
    if opportunities is not None:
        opps = _opportunity_keys(opportunities, leads=leads, journey=journey)
        deal = opps.select(_deal=opps.opportunity_id, _deal_key=opps.journey_id)
        a = a.left_join(deal, a.opportunity_id == deal._deal)
        activity_key = ibis.coalesce(activity_key, a._deal_key)
    name = ibis.literal(ACTIVITY_PREFIX).concat(a.kind)
    sales = a.select(
        journey_id=activity_key.cast("string"),
        at=a.occurred_at.cast("timestamp"),
        label=name,
        channel=name,
        source=ibis.literal("activity"),
    )
    both = ibis.union(steps, sales)
    return both.filter(both.journey_id.notnull())


def journey_steps(
    touches: ir.Table,
    *,
    opportunities: ir.Table,
    activities: ir.Table | None = None,
    leads: ir.Table | None = None,
    conversion: Conversion = "opportunity",
    journey: Journey = "lead",
    by: By = "channel",
) -> ir.Table:
    """The steps of every journey up to its conversion, with the journey's outcome.

    Output: ``journey_id``, ``at``, ``label``, ``channel``, ``source``,
    ``converted`` (bool), ``converted_at`` (null when not converted), ``value``.
    """
    events = journey_events(
        touches,
        activities=activities,
        leads=leads,
        opportunities=opportunities,
        journey=journey,
        by=by,
    )
    outcome = conversion_events(
        opportunities, leads=leads, conversion=conversion, journey=journey
    ).rename(_journey="journey_id")
    joined = events.left_join(outcome, events.journey_id == outcome._journey)
    steps = joined.select(
        "journey_id",
        "at",
        "label",
        "channel",
        "source",
        converted=joined.converted_at.notnull(),
        converted_at=joined.converted_at,
        value=joined.value.fill_null(0.0),
    )
    return steps.filter(steps.converted_at.isnull() | (steps.at <= steps.converted_at))


def path_vocabulary(events: ir.Table, *, by: By | None = None) -> ir.Table:
    """The labels and the time span of ``events`` (small): ``label``, ``channel``, ``steps``,
    ``first_at``, ``last_at``.

    Give it `journey_events` (cheap: no conversion join) or `journey_steps`; the
    labels of the first include those of the second, which is all `unique_paths`
    needs. ``channel`` is the label's channel (for a campaign, the channel its
    touches name; the first alphabetically if they name several). With
    ``by="channel"`` (events built with that option) every label is its own
    channel, so the engine skips the string minimum over every step.
    """
    require_columns(events, {"label", "channel", "at"}, feature=_FEATURE, table_name="events")
    span = {"steps": events.count(), "first_at": events.at.min(), "last_at": events.at.max()}
    if by == "channel":
        found = events.group_by("label").aggregate(**span)
        return found.mutate(channel=found.label).select("label", "channel", *span)
    return events.group_by("label").aggregate(channel=events.channel.min(), **span)


@dataclass(frozen=True)
class PathVocabulary:
    """The executed `path_vocabulary`: labels in code order (code = position + 1), their
    channels, and the time span of the steps."""

    labels: tuple[str, ...]
    channels: tuple[str, ...]
    first_at: datetime | None
    last_at: datetime | None

    @classmethod
    def from_arrow(cls, table: pa.Table) -> PathVocabulary:
        rows = sorted(table.to_pylist(), key=lambda r: r["label"])
        return cls(
            tuple(r["label"] for r in rows),
            tuple(r["channel"] for r in rows),
            min((r["first_at"] for r in rows), default=None),
            max((r["last_at"] for r in rows), default=None),
        )

    @property
    def code_base(self) -> int:
        """The power of two above every code: packing a code below a time needs this many."""
        return 1 << max(len(self.labels), 1).bit_length()

    @property
    def packable(self) -> bool:
        """Whether microseconds since ``first_at`` times `code_base` fit in 63 bits."""
        if self.first_at is None or self.last_at is None:
            return False
        span = int((self.last_at - self.first_at).total_seconds() * 1_000_000) + 1
        return span * self.code_base < _PACK_LIMIT


def _coded(steps: ir.Table, labels: tuple[str, ...]) -> ir.Table:
    """Steps with ``code`` = 1 + the label's position in ``labels``."""
    if len(labels) <= _INLINE_LABELS:
        position = ibis.literal(list(labels), type="array<string>").index(steps.label)
        return steps.mutate(code=(position + 1).cast("int64"))
    codes = ibis.memtable(
        pa.table({"_label": pa.array(labels), "code": pa.array(range(1, len(labels) + 1))})
    )
    return steps.join(codes, steps.label == codes._label).drop("_label")


def unique_paths(events: ir.Table, *, outcomes: ir.Table, vocabulary: PathVocabulary) -> ir.Table:
    """Unique label sequences: ``path`` (array of 1-based codes into ``vocabulary.labels``),
    ``conversions``, ``value``, ``nulls``.

    Input: ``events`` from `journey_events`, ``outcomes`` from `conversion_events`
    (the same options), ``vocabulary`` holding every label of ``events``.

    Each journey's steps are ordered by time (then label) inside the engine.
    Ordered list aggregation is slow in most engines, so when it fits, each
    step becomes one integer, microseconds since the first step times a power
    of two plus the label code: a plain sort of a journey's integers gives the
    order and the labels at once, and the cut at conversion is a comparison
    with one integer per journey, so the outcomes join a million journeys
    instead of every touch. Otherwise (a decade of data with thousands of
    labels) the engine sorts (time, code) pairs.
    """
    require_columns(
        outcomes, {"journey_id", "converted_at", "value"}, feature=_FEATURE, table_name="outcomes"
    )
    coded = _coded(events, vocabulary.labels)
    base = vocabulary.code_base
    packed = vocabulary.packable
    if packed:
        origin = ibis.literal(vocabulary.first_at)
        since = coded.at.delta(origin, unit="microsecond")
        coded = coded.mutate(_key=since * base + coded.code)
        limit = outcomes.converted_at.delta(origin, unit="microsecond") * base + (base - 1)
    else:
        coded = coded.mutate(_key=ibis.struct({"at": coded.at, "code": coded.code}))
        limit = outcomes.converted_at
    # Keys are never null (touch and activity times and channels are required), so the
    # plain collect, which every engine has (Spark has no include_null), loses nothing.
    per = coded.group_by("journey_id").aggregate(_keys=coded._key.collect())
    ends = outcomes.select(_journey=outcomes.journey_id, _limit=limit, _value=outcomes.value)
    joined = per.left_join(ends, per.journey_id == ends._journey)
    if packed:
        kept = joined._keys.filter(lambda k: k <= joined._limit)
    else:
        kept = joined._keys.filter(lambda k: k.at <= joined._limit)
    keys = ibis.ifelse(joined._limit.isnull(), joined._keys, kept).sort()
    if packed:
        path = keys.map(lambda k: (k % base).cast("int32"))
    else:
        path = keys.map(lambda k: k.code.cast("int32"))
    cut = joined.select(
        path=path, converted=joined._limit.notnull(), value=joined._value.fill_null(0.0)
    )
    cut = cut.filter(cut.path.length() > 0)
    won = cut.converted.cast("int64")
    return cut.group_by("path").aggregate(
        conversions=won.sum(),
        value=ibis.ifelse(cut.converted, cut.value, 0.0).sum(),
        nulls=(1 - won).sum(),
    )


def unique_text_paths(
    journeys: ir.Table,
    *,
    path_col: str = "path",
    converted_col: str = "converted",
    value_col: str = "value",
) -> ir.Table:
    """Journeys already written as paths (one row each: text path, converted, value)
    aggregated to unique paths: ``path``, ``conversions``, ``value``, ``nulls``.

    For journey exports that arrive with the path spelled out (a web analytics
    export, ChannelAttribution's unaggregated input); read the result with
    `UniquePaths.from_text`.
    """
    require_columns(
        journeys, {path_col, converted_col, value_col}, feature=_FEATURE, table_name="journeys"
    )
    won = journeys[converted_col].cast("int64")
    return journeys.group_by(path=journeys[path_col]).aggregate(
        conversions=won.sum(),
        value=ibis.ifelse(journeys[converted_col], journeys[value_col], 0.0).sum(),
        nulls=(1 - won).sum(),
    )


def unattributed(
    steps: ir.Table,
    *,
    opportunities: ir.Table,
    leads: ir.Table | None = None,
    conversion: Conversion = "opportunity",
    journey: Journey = "lead",
) -> ir.Table:
    """Conversions no model can credit, in one row.

    ``conversions`` / ``value``: journeys that converted with no step before
    the conversion; ``unlinked_conversions`` / ``unlinked_value``: deals
    counting as conversions that name no lead (or account), so belong to no
    journey (upsells created on an account, for instance).
    """
    outcomes = conversion_events(opportunities, leads=leads, conversion=conversion, journey=journey)
    seen = steps.select(_seen=steps.journey_id).distinct()
    lonely = outcomes.anti_join(seen, outcomes.journey_id == seen._seen)
    unlinked = _conversions(opportunities, leads=leads, conversion=conversion, journey=journey)
    unlinked = unlinked.filter(unlinked.journey_id.isnull())
    return lonely.aggregate(
        conversions=lonely.count(), value=lonely.value.sum().fill_null(0.0)
    ).cross_join(
        unlinked.aggregate(
            unlinked_conversions=unlinked.count(),
            unlinked_value=unlinked.value.sum().fill_null(0.0),
        )
    )
