"""The rows behind a number: the leads or deals a registered metric counts.

Every count, rate and bridge bar opens the list of rows it was computed
from (issue 16). The rows come from the very predicates the metric uses, not
from a second copy of its rules: the deals of a win rate are `closed_deal`'s,
an open pipeline's `open_deal`'s, a funnel stage's the ``_accepted`` ...
columns of `mql_cohort`, the Sales SLA's the ``sla_status`` of
`response_rows`, and a bridge flow's `flow_event`'s. So the count of rows
equals the figure for every metric, period and segment (a test walks them).

A metric has a *numerator* part (the rows it counts, or sums: a won
revenue's won deals) and, for a ratio whose denominator is rows, a
*denominator* part ("29% win rate" opens the won deals, "of N closed" the
closed ones). `DRILLS` lists every metric that opens rows; a metric that is
not there (attempts per MQL, goal progress) has no rows of its own.

Input: the canonical tables by name (``opportunities``; ``leads`` for lead
metrics and channel segments; ``activities`` for first contacts;
``accounts``, ``people`` and ``products`` for names, when present).
Output: one row per lead or deal, with the entity's columns
(`LEAD_COLUMNS` or `DEAL_COLUMNS`) and the names of its account, owner and
product (null without those tables).

Examples
--------
>>> import ibis
>>> from datetime import datetime as dt
>>> from coparent.metrics.periods import parse_period
>>> opps = ibis.memtable({
...     "opportunity_id": ["O1", "O2", "O3"], "account_id": ["A1", "A1", "A2"],
...     "lead_id": [None, None, None], "product_id": ["pro", "pro", "lite"],
...     "owner_id": ["P1", "P1", "P1"], "stage": ["won", "lost", "won"],
...     "created_at": [dt(2026, 7, 1)] * 3,
...     "closed_at": [dt(2026, 7, 11), dt(2026, 8, 1), dt(2026, 5, 1)],
...     "status": ["won", "lost", "won"], "amount": [100.0, 50.0, 70.0],
...     "loss_reason": [None, "price", None],
... })
>>> q3 = parse_period("2026-Q3")
>>> won = metric_rows({"opportunities": opps}, name="win_rate", period=q3, as_of=None)
>>> won.opportunity_id.to_pyarrow().to_pylist()
['O1']
>>> closed = metric_rows({"opportunities": opps}, name="win_rate", part="denominator",
...                      period=q3, as_of=None)
>>> sorted(closed.opportunity_id.to_pyarrow().to_pylist())
['O1', 'O2']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import NO_LEAD_SEGMENT, NONE_SEGMENT, window
from coparent.metrics._response import MET, MISSED, response_rows
from coparent.metrics.deals import closed_deal, open_deal
from coparent.metrics.flows import FLOW_EVENTS, flow_event
from coparent.metrics.funnel import mql_cohort
from coparent.metrics.periods import Period

__all__ = [
    "CATEGORY_METRICS",
    "DEAL_COLUMNS",
    "DRILLS",
    "LEAD_COLUMNS",
    "Drill",
    "Entity",
    "Part",
    "RowSpec",
    "RowsBy",
    "drill",
    "metric_rows",
]

Part = Literal["numerator", "denominator"]
Entity = Literal["leads", "deals"]
RowsBy = Literal["product_id", "channel"]
Source = Literal["closed", "pipeline", "cohort", "sla", "flow"]

LEAD_COLUMNS = (
    "lead_id",
    "account_id",
    "account_name",
    "channel",
    "campaign_id",
    "product_id",
    "product_name",
    "owner_id",
    "owner_name",
    "created_at",
    "mql_at",
    "first_contacted_at",
    "accepted_at",
    "rejected_at",
    "rejection_reason",
    "opportunity_id",
)
DEAL_COLUMNS = (
    "opportunity_id",
    "account_id",
    "account_name",
    "product_id",
    "product_name",
    "owner_id",
    "owner_name",
    "lead_id",
    "stage",
    "status",
    "created_at",
    "closed_at",
    "amount",
    "loss_reason",
)


@dataclass(frozen=True)
class RowSpec:
    """Which rows: a ``source`` (the metric's row set) and a ``key`` (its predicate in it).

    ``words`` say what the rows are, e.g. "won deals closed in the period".
    """

    source: Source
    key: str
    words: str

    @property
    def entity(self) -> Entity:
        if self.source in ("closed", "pipeline"):
            return "deals"
        if self.source == "flow":
            return "leads" if FLOW_EVENTS[self.key] == "leads" else "deals"
        return "leads"


@dataclass(frozen=True)
class Drill:
    """The rows of one metric: its numerator and, for a ratio of rows, its denominator."""

    metric: str
    numerator: RowSpec
    denominator: RowSpec | None = None

    def part(self, part: Part) -> RowSpec:
        if part == "numerator":
            return self.numerator
        if self.denominator is None:
            raise ValueError(f"{self.metric} has no rows as its denominator")
        return self.denominator


_WON = RowSpec("closed", "won", "deals won in the period")
_LOST = RowSpec("closed", "lost", "deals lost in the period")
_CLOSED = RowSpec("closed", "closed", "deals closed (won or lost) in the period")
_WON_AMOUNT = RowSpec("closed", "won_amount", "deals won in the period with an amount")
_WON_TIMED = RowSpec("closed", "won_timed", "deals won in the period with a creation date")
_OPEN = RowSpec("pipeline", "open", "deals open at the end of the period (or the as-of day)")
_MQLS = RowSpec("cohort", "all", "leads that became MQLs in the period")
_ACCEPTED = RowSpec("cohort", "accepted", "MQLs of the period accepted by Sales")
_REJECTED = RowSpec("cohort", "rejected", "MQLs of the period rejected by Sales")
_DECIDED = RowSpec("cohort", "decided", "MQLs of the period Sales decided on")
_OPPORTUNITY = RowSpec("cohort", "opportunity", "MQLs of the period that became opportunities")
_MQL_WON = RowSpec("cohort", "won", "MQLs of the period whose opportunity was won")
_MET = RowSpec("sla", "met", "MQLs of the period contacted within the SLA")
_JUDGED = RowSpec("sla", "judged", "MQLs of the period judged against the SLA (met or missed)")
_CONTACTED = RowSpec("sla", "contacted", "MQLs of the period contacted")
_F_MQLS = RowSpec("flow", "mqls", "leads that became MQLs in the period")
_F_ACCEPTED = RowSpec("flow", "accepted", "leads accepted in the period")
_F_OPPS = RowSpec("flow", "opportunities", "opportunities created in the period")
_F_CLOSED = RowSpec("flow", "closed", "opportunities closed (won or lost) in the period")

DRILLS: dict[str, Drill] = {
    d.metric: d
    for d in (
        Drill("won_revenue", _WON),
        Drill("won_deals", _WON),
        Drill("lost_deals", _LOST),
        Drill("win_rate", _WON, _CLOSED),
        Drill("average_deal", _WON, _WON_AMOUNT),
        Drill("sales_cycle_days", _WON_TIMED),
        Drill("open_pipeline", _OPEN),
        Drill("mqls", _MQLS),
        Drill("delivery_rate", _MQLS),
        Drill("mqls_accepted", _ACCEPTED),
        Drill("mqls_rejected", _REJECTED),
        Drill("acceptance_rate", _ACCEPTED, _DECIDED),
        Drill("mql_to_accepted", _ACCEPTED, _MQLS),
        Drill("mql_opportunities", _OPPORTUNITY),
        Drill("accepted_to_opportunity", _OPPORTUNITY, _ACCEPTED),
        Drill("mql_won", _MQL_WON),
        Drill("opportunity_to_won", _MQL_WON, _OPPORTUNITY),
        Drill("mql_to_won", _MQL_WON, _MQLS),
        Drill("sales_sla_share", _MET, _JUDGED),
        Drill("median_hours_to_contact", _CONTACTED),
        Drill("flow_acceptance", _F_ACCEPTED, _F_MQLS),
        Drill("flow_conversion", _F_OPPS, _F_ACCEPTED),
        Drill("flow_pace", _F_CLOSED, _F_OPPS),
    )
}
"""Every metric that opens rows, by name (docs/metrics.md, "What each number opens")."""

CATEGORY_METRICS: tuple[str, ...] = ("lost_deals",)
"""The metrics whose rows a loss category (``category=``) narrows: the lost deals."""


def drill(name: str) -> Drill:
    """The drill of metric ``name``; `KeyError` naming the metrics that have rows."""
    try:
        return DRILLS[name]
    except KeyError:
        raise KeyError(f"no rows behind {name!r}; metrics with rows: {sorted(DRILLS)}") from None


def metric_rows(
    tables: Mapping[str, ir.Table],
    *,
    name: str,
    part: Part = "numerator",
    period: Period,
    as_of: datetime | None,
    by: RowsBy | None = None,
    segment: str | None = None,
    sla_hours: float = 24.0,
    category: str | None = None,
    categorize: Callable[[str | None], str] | None = None,
) -> ir.Table:
    """The leads or deals behind metric ``name`` (its ``part``) in ``period``, cut at ``as_of``.

    ``by`` and ``segment`` keep one segment: ``product_id`` (each row's own
    product) or ``channel`` (a deal takes its lead's; ``(no lead)`` without
    one); ``(none)`` is a missing value. ``sla_hours`` is the Sales SLA the
    SLA metrics are judged with. ``category`` keeps the lost deals whose loss
    reason ``categorize`` sorts into that category (`CATEGORY_METRICS` only):
    the product page's own rule, ``Taxonomy.for_losses(...).category`` with
    ``Settings.loss_reason_categories`` (`coparent.diagnosis.taxonomy` sits
    above the metrics, so the caller hands it in). Raises `KeyError` for
    a metric without rows, `ValueError` for a part it does not have, a
    category on a metric without one, or a table it needs that is absent
    (callers check what was imported first).
    """
    spec = drill(name).part(part)
    if (by is None) != (segment is None):
        raise ValueError("by and segment go together")
    if (category is None) != (categorize is None):
        raise ValueError("category and categorize go together")
    if category is not None and (name not in CATEGORY_METRICS or part != "numerator"):
        raise ValueError(f"{name} ({part}) has no loss categories; only {CATEGORY_METRICS}")
    t = _rows(tables, spec, period=period, as_of=as_of, sla_hours=sla_hours)
    if by is not None and segment is not None:
        t = _in_segment(t, tables, spec.entity, by, segment)
    if category is not None and categorize is not None:
        t = _in_category(t, categorize, category)
    return _named(t, tables, spec.entity)


def _table(tables: Mapping[str, ir.Table], name: str) -> ir.Table:
    if name not in tables:
        raise ValueError(f"the rows need the {name} table")
    return tables[name]


def _rows(
    tables: Mapping[str, ir.Table],
    spec: RowSpec,
    *,
    period: Period,
    as_of: datetime | None,
    sla_hours: float,
) -> ir.Table:
    if spec.source == "closed":
        o = _table(tables, "opportunities")
        start, end = window(period, as_of)
        o = o.filter(closed_deal(o, start, end))
        keep = {
            "closed": None,
            "won": o.status == "won",
            "lost": o.status == "lost",
            "won_amount": (o.status == "won") & o.amount.notnull(),
            "won_timed": (o.status == "won") & o.created_at.notnull(),
        }[spec.key]
        return o if keep is None else o.filter(keep)
    if spec.source == "pipeline":
        o = _table(tables, "opportunities")
        _, end = window(period, as_of)
        return o.filter(open_deal(o, end))
    if spec.source == "flow":
        t = _table(tables, FLOW_EVENTS[spec.key])
        return t.filter(flow_event(t, spec.key, period.start_at, period.end_at))
    leads = _table(tables, "leads")
    if spec.source == "sla":
        r = response_rows(
            leads, tables.get("activities"), period=period, as_of=as_of, sla_hours=sla_hours
        )
        keep = {
            "met": r.sla_status == MET,
            "judged": r.sla_status.isin([MET, MISSED]),
            "contacted": r.contacted_at.notnull(),
        }[spec.key]
        return r.filter(keep).drop("contacted_at", "hours_to_contact", "attempts", "sla_status")
    c = mql_cohort(leads, opportunities=tables.get("opportunities"), period=period, as_of=as_of)
    stage = {
        "all": None,
        "accepted": c._accepted,
        "rejected": c._rejected,
        "decided": c._accepted | c._rejected,
        "opportunity": c._opportunity,
        "won": c._won,
    }[spec.key]
    c = c if stage is None else c.filter(stage)
    return c.drop("_accepted", "_rejected", "_opportunity", "_won")


def _in_category(t: ir.Table, categorize: Callable[[str | None], str], category: str) -> ir.Table:
    """The deals of ``t`` whose loss reason ``categorize`` sorts into ``category``.

    The reasons are few (the CRM's own words), so they are read once and
    each sorted by ``categorize``, the very call the product page's loss
    categories make (`coparent.services.web_products`); a missing reason
    goes where ``categorize(None)`` puts it there (``unclassified``).
    """
    reasons = t.select(_reason=t.loss_reason).distinct()._reason.to_pyarrow().to_pylist()
    chosen = [r for r in reasons if categorize(r) == category]
    named = [r for r in chosen if r is not None]
    keep = t.loss_reason.isin(named) if named else ibis.literal(False)
    if None in chosen:
        keep = keep | t.loss_reason.isnull()
    return t.filter(keep.fill_null(False))


def _in_segment(
    t: ir.Table, tables: Mapping[str, ir.Table], entity: Entity, by: RowsBy, segment: str
) -> ir.Table:
    """The rows of ``t`` in ``segment``, named as the metrics name it (`_common`, flows)."""
    if entity == "leads" or by == "product_id":
        return t.filter(t[by].cast("string").fill_null(NONE_SEGMENT) == segment)
    leads = tables.get("leads")
    if leads is None:
        return t if segment == NO_LEAD_SEGMENT else t.filter(ibis.literal(False))
    channels = leads.select(_seg_lead=leads.lead_id, _seg_channel=leads.channel)
    j = t.left_join(channels, t.lead_id == channels._seg_lead)
    value = ibis.cases(
        (j.lead_id.isnull(), NO_LEAD_SEGMENT),
        else_=j._seg_channel.cast("string").fill_null(NONE_SEGMENT),
    )
    return j.filter(value == segment).drop("_seg_lead", "_seg_channel")


def _names(tables: Mapping[str, ir.Table], table: str, key: str) -> ir.Table | None:
    """``key`` -> name of ``table`` (one per key), or None without the table."""
    t = tables.get(table)
    if t is None or "name" not in t.columns:
        return None
    return t.group_by(t[key].name("_key")).aggregate(_name=t["name"].min())


def _named(t: ir.Table, tables: Mapping[str, ir.Table], entity: Entity) -> ir.Table:
    """The entity's columns, with account, owner and product names joined on."""
    columns = LEAD_COLUMNS if entity == "leads" else DEAL_COLUMNS
    lookups = {
        "account_name": ("accounts", "account_id", "account_id"),
        "owner_name": ("people", "person_id", "owner_id"),
        "product_name": ("products", "product_id", "product_id"),
    }
    values: dict[str, ir.Value] = {}
    for column, (table, key, local) in lookups.items():
        names = _names(tables, table, key)
        if names is None or local not in t.columns:
            values[column] = ibis.null("string")
            continue
        names = names.rename(**{f"_{column}_key": "_key", f"_{column}": "_name"})
        t = t.left_join(names, t[local] == names[f"_{column}_key"])
        values[column] = t[f"_{column}"]
    out = {
        c: values[c] if c in values else (t[c] if c in t.columns else ibis.null("string"))
        for c in columns
    }
    return t.select(**out)
