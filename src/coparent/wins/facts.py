"""The engine side of the wins: Ibis expressions that aggregate the warehouse into few rows.

Each function builds an expression and returns it unexecuted (the services
layer runs them), so the same code runs on DuckDB and PySpark. What comes
back is small: won deals of the lookback window (each is a win anyway),
revenue per month, both SLAs per week, fast contacts per person and week,
one first reactivation per win-back list.

Definitions are the metrics' own: the Sales SLA and acceptance per week come
from `coparent.metrics.sla.sla_compliance`, speed to lead from the response
rows of `coparent.metrics` (first contact from ``first_contacted_at`` or the
first activity after the MQL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import hours_between, in_range, period_bucket
from coparent.metrics._guard import require_columns
from coparent.metrics._response import with_response
from coparent.metrics._stages import with_stages
from coparent.metrics.periods import Period
from coparent.metrics.sla import sla_compliance

__all__ = [
    "campaign_acceptance",
    "fast_contacts",
    "first_accepted",
    "first_reactivations",
    "first_year",
    "lead_people",
    "monthly_revenue",
    "weekly_sla",
    "won_deals",
]

_FEATURE = "the wins engine"


def _names(people: ir.Table | None, prefix: str) -> ir.Table | None:
    if people is None:
        return None
    return people.select(**{f"{prefix}_pid": people.person_id, f"{prefix}_name": people.name})


def won_deals(
    opportunities: ir.Table,
    *,
    since: datetime,
    until: datetime,
    leads: ir.Table | None = None,
    campaigns: ir.Table | None = None,
    people: ir.Table | None = None,
    accounts: ir.Table | None = None,
    products: ir.Table | None = None,
) -> ir.Table:
    """Deals won in [since, until), with the people of both teams behind them.

    Output: one row per deal: ``opportunity_id``, ``closed_at``, ``amount``
    (float64, 0 when unknown), ``owner_id``, ``owner_name``, ``account_name``,
    ``product_name``, ``lead_id``, ``campaign_id``, ``campaign_name``,
    ``campaign_owner_id``, ``campaign_owner_name`` (null when unknown).

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime as dt
    >>> opps = ibis.memtable({
    ...     "opportunity_id": ["O1", "O2"], "account_id": ["A1", "A1"], "lead_id": ["L1", None],
    ...     "product_id": ["pro", "pro"], "owner_id": ["P2", "P2"], "status": ["won", "lost"],
    ...     "closed_at": [dt(2026, 7, 1), dt(2026, 7, 2)], "amount": [100.0, 50.0],
    ... })
    >>> leads = ibis.memtable({"lead_id": ["L1"], "campaign_id": ["C1"]})
    >>> campaigns = ibis.memtable({"campaign_id": ["C1"], "name": ["Webinar"], "owner_id": ["P1"]})
    >>> people = ibis.memtable({"person_id": ["P1", "P2"], "name": ["Lee", "Dana"]})
    >>> row = won_deals(opps, since=dt(2026, 7, 1), until=dt(2026, 8, 1), leads=leads,
    ...                 campaigns=campaigns, people=people).to_pyarrow().to_pylist()[0]
    >>> row["owner_name"], row["campaign_name"], row["campaign_owner_name"]
    ('Dana', 'Webinar', 'Lee')
    """
    require_columns(
        opportunities,
        {"opportunity_id", "status", "closed_at", "amount", "owner_id"},
        feature=_FEATURE,
        table_name="opportunities",
    )
    o = opportunities
    t = o.filter((o.status == "won") & in_range(o.closed_at, since, until))
    cols: dict[str, Any] = {
        "opportunity_id": t.opportunity_id,
        "closed_at": t.closed_at,
        "amount": t.amount.cast("float64").fill_null(0.0),
        "owner_id": t.owner_id,
        "account_id": t.account_id if "account_id" in t.columns else ibis.null("string"),
        "product_id": t.product_id if "product_id" in t.columns else ibis.null("string"),
        "lead_id": t.lead_id if "lead_id" in t.columns else ibis.null("string"),
    }
    t = t.select(**cols)
    has_campaign = leads is not None and {"lead_id", "campaign_id"} <= set(leads.columns)
    if has_campaign and campaigns is not None and leads is not None:
        lc = leads.select(_l_lead=leads.lead_id, campaign_id=leads.campaign_id)
        t = t.left_join(lc, t.lead_id == lc._l_lead).drop("_l_lead")
        camp = _campaign_owners(campaigns)
        t = t.left_join(camp, t.campaign_id == camp._c_id).drop("_c_id")
    elif has_campaign and leads is not None:
        lc = leads.select(_l_lead=leads.lead_id, campaign_id=leads.campaign_id)
        t = t.left_join(lc, t.lead_id == lc._l_lead).drop("_l_lead")
        t = t.mutate(campaign_name=ibis.null("string"), campaign_owner_id=ibis.null("string"))
    else:
        t = t.mutate(
            campaign_id=ibis.null("string"),
            campaign_name=ibis.null("string"),
            campaign_owner_id=ibis.null("string"),
        )
    t = _join_name(t, people, "owner_id", "person_id", "owner_name")
    t = _join_name(t, people, "campaign_owner_id", "person_id", "campaign_owner_name")
    t = _join_name(t, accounts, "account_id", "account_id", "account_name")
    t = _join_name(t, products, "product_id", "product_id", "product_name")
    return t


def _campaign_owners(campaigns: ir.Table) -> ir.Table:
    """Each campaign's name and owner, keyed ``_c_id`` for a left join."""
    owner = campaigns.owner_id if "owner_id" in campaigns.columns else ibis.null("string")
    return campaigns.select(
        _c_id=campaigns.campaign_id, campaign_name=campaigns.name, campaign_owner_id=owner
    )


def _join_name(t: ir.Table, other: ir.Table | None, col: str, key: str, out: str) -> ir.Table:
    """``t`` plus ``out``: the ``name`` of ``other`` whose ``key`` equals ``t[col]``."""
    if other is None or "name" not in other.columns or key not in other.columns:
        return t.mutate(**{out: ibis.null("string")})
    side = other.select(_k=other[key], **{out: other["name"]})  # key columns are unique
    return t.left_join(side, t[col] == side._k).drop("_k")


def monthly_revenue(opportunities: ir.Table, *, until: datetime) -> ir.Table:
    """Won revenue per calendar month, all history before ``until``.

    Output: ``month`` (date, the first day), ``revenue`` (float64), ``deals`` (int64).
    """
    o = opportunities
    won = o.filter((o.status == "won") & o.closed_at.notnull() & (o.closed_at < until))
    won = won.mutate(month=period_bucket(won.closed_at, "month"))
    return won.group_by("month").aggregate(
        revenue=won.amount.cast("float64").fill_null(0.0).sum(), deals=won.count()
    )


def first_year(leads: ir.Table) -> ir.IntegerScalar:
    """The calendar year of the first MQL (null without MQLs): where weekly history starts."""
    require_columns(leads, {"mql_at"}, feature=_FEATURE, table_name="leads")
    return leads.mql_at.min().year()


def weekly_sla(
    leads: ir.Table,
    *,
    from_year: int,
    until: datetime,
    sla_hours: float,
    activities: ir.Table | None = None,
    opportunities: ir.Table | None = None,
) -> ir.Table:
    """Both SLAs per ISO week (from Monday), all history from ``from_year`` on.

    `sla_compliance` works one period at a time; the calendar years are
    stacked and a week that straddles New Year is added back together.

    Output: ``week`` (date, the Monday), ``mqls``, ``met``, ``missed``,
    ``pending``, ``accepted``, ``rejected`` (int64).
    """
    parts = [
        sla_compliance(
            leads,
            period=Period("year", date(year, 1, 1)),
            every="week",
            activities=activities,
            opportunities=opportunities,
            as_of=until,
            sla_hours=sla_hours,
        )
        for year in range(from_year, until.year + 1)
    ]
    u = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return u.group_by(week=u.bucket).aggregate(
        mqls=u.mqls.sum(),
        met=u.met.sum(),
        missed=u.missed.sum(),
        pending=u.pending.sum(),
        accepted=u.accepted.sum(),
        rejected=u.rejected.sum(),
    )


def fast_contacts(
    leads: ir.Table,
    *,
    since: datetime,
    until: datetime,
    within_minutes: float,
    activities: ir.Table | None = None,
    people: ir.Table | None = None,
) -> ir.Table:
    """MQLs first contacted within ``within_minutes`` of becoming MQLs, per owner and ISO week.

    Only contacts at or after the MQL count (a contact before it is not speed).
    Output: ``owner_id``, ``owner_name``, ``week`` (date, the Monday),
    ``contacts`` (int64), ``lead_ids`` (array of strings), ``last_at``
    (timestamp of the latest such contact).
    """
    require_columns(
        leads,
        {"lead_id", "mql_at", "first_contacted_at", "owner_id", "accepted_at", "rejected_at"},
        feature=_FEATURE,
        table_name="leads",
    )
    mq = leads.filter(in_range(leads.mql_at, since, until))
    r = with_response(mq, activities, since=since, as_of=until, sla_hours=within_minutes / 60)
    quick = r.filter(
        r.contacted_at.notnull()
        & (r.contacted_at >= r.mql_at)
        & (hours_between(r.contacted_at, r.mql_at) <= within_minutes / 60.0)
        & r.owner_id.notnull()
    )
    quick = quick.mutate(week=quick.mql_at.truncate("W").cast("date"))
    agg = quick.group_by(["owner_id", "week"]).aggregate(
        contacts=quick.count(),
        lead_ids=quick.lead_id.collect(),
        last_at=quick.contacted_at.max(),
    )
    return _join_name(agg, people, "owner_id", "person_id", "owner_name")


def campaign_acceptance(
    leads: ir.Table,
    campaigns: ir.Table,
    *,
    since: date,
    until: datetime,
    opportunities: ir.Table | None = None,
    people: ir.Table | None = None,
) -> ir.Table:
    """Campaigns that ended in [since, until) and how Sales decided on their MQLs.

    Accepted and rejected follow the funnel's rule (a lead that became an
    opportunity was accepted), decided before ``until``.
    Output: ``campaign_id``, ``campaign_name``, ``owner_id``, ``owner_name``,
    ``ended_on`` (date), ``mqls``, ``accepted``, ``rejected`` (int64).
    """
    require_columns(
        campaigns, {"campaign_id", "name", "ended_on"}, feature=_FEATURE, table_name="campaigns"
    )
    require_columns(
        leads,
        {"lead_id", "campaign_id", "mql_at", "accepted_at", "rejected_at", "opportunity_id"},
        feature=_FEATURE,
        table_name="leads",
    )
    ended = campaigns.filter(
        campaigns.ended_on.notnull()
        & (campaigns.ended_on >= since)
        & (campaigns.ended_on < until.date())
    )
    ended = ended.select(
        _c_id=ended.campaign_id,
        campaign_name=ended.name,
        owner_id=ended.owner_id if "owner_id" in ended.columns else ibis.null("string"),
        ended_on=ended.ended_on,
    )
    mq = leads.filter(leads.campaign_id.notnull() & leads.mql_at.notnull() & (leads.mql_at < until))
    mq = mq.semi_join(ended, mq.campaign_id == ended._c_id)
    staged = with_stages(mq, opportunities=opportunities, as_of=until)
    per = staged.group_by("campaign_id").aggregate(
        mqls=staged.count(),
        accepted=staged._accepted.cast("int64").sum(),
        rejected=staged._rejected.cast("int64").sum(),
    )
    t = ended.inner_join(per, ended._c_id == per.campaign_id).drop("_c_id")
    return _join_name(t, people, "owner_id", "person_id", "owner_name")


def lead_people(
    leads: ir.Table,
    *,
    lead_ids: Sequence[str],
    campaigns: ir.Table | None = None,
    people: ir.Table | None = None,
) -> ir.Table:
    """The owner and the campaign (with its owner) of a few leads.

    Output: ``lead_id``, ``owner_id``, ``owner_name``, ``campaign_id``,
    ``campaign_name``, ``campaign_owner_id``, ``campaign_owner_name``.
    """
    t = leads.filter(leads.lead_id.isin(list(lead_ids)))
    t = t.select(
        lead_id=t.lead_id,
        owner_id=t.owner_id if "owner_id" in t.columns else ibis.null("string"),
        campaign_id=t.campaign_id if "campaign_id" in t.columns else ibis.null("string"),
    )
    if campaigns is not None:
        camp = _campaign_owners(campaigns)
        t = t.left_join(camp, t.campaign_id == camp._c_id).drop("_c_id")
    else:
        t = t.mutate(campaign_name=ibis.null("string"), campaign_owner_id=ibis.null("string"))
    t = _join_name(t, people, "owner_id", "person_id", "owner_name")
    return _join_name(t, people, "campaign_owner_id", "person_id", "campaign_owner_name")


def first_accepted(leads: ir.Table, *, since: datetime, until: datetime) -> ir.Table:
    """The earliest MQL accepted in [since, until) (the CRM's ``accepted_at``): 0 or 1 row.

    Output: ``lead_id``, ``accepted_at``.
    """
    require_columns(leads, {"lead_id", "accepted_at"}, feature=_FEATURE, table_name="leads")
    t = leads.filter(in_range(leads.accepted_at, since, until))
    return t.order_by([t.accepted_at, t.lead_id]).limit(1).select("lead_id", "accepted_at")


def first_reactivations(
    orders: ir.Table, *, lists: Mapping[str, tuple[date, Sequence[str]]], until: datetime
) -> ir.Table:
    """Per win-back list, the first order of a contacted account after the list's as-of day.

    ``lists`` maps a list id to (as-of day, contacted account ids). Orders
    with a zero or negative amount do not count (the win-back outcome's rule).
    Output: ``list_id``, ``account_id``, ``ordered_at``, ``amount``; one row
    per list that has a reactivation.
    """
    require_columns(
        orders, {"account_id", "ordered_at", "amount"}, feature=_FEATURE, table_name="orders"
    )
    members = ibis.memtable(
        {
            "_list": [lid for lid, (_, ids) in lists.items() for _ in ids],
            "_acct": [a for _, ids in lists.values() for a in ids],
            "_as_of": [as_of for as_of, ids in lists.values() for _ in ids],
        },
        schema={"_list": "string", "_acct": "string", "_as_of": "date"},
    )
    o = orders.filter((orders.amount > 0) & (orders.ordered_at < until))
    j = members.inner_join(o, members._acct == o.account_id)
    j = j.filter(j.ordered_at.date() > j._as_of)
    rank = ibis.row_number().over(group_by=j._list, order_by=[j.ordered_at, j._acct])
    j = j.mutate(_rank=rank)
    first = j.filter(j._rank == 0)
    return first.select(
        list_id=first._list,
        account_id=first._acct,
        ordered_at=first.ordered_at,
        amount=first.amount.cast("float64"),
    )
