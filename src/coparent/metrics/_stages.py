"""How far each lead got: accepted, rejected, opportunity, won (as of a moment).

One rule, shared by the funnel and the Marketing SLA so that their counts of
accepted leads agree:

- *opportunity*: the lead names an opportunity (``leads.opportunity_id``);
  with the opportunities table, only once that opportunity was created before
  ``as_of`` (an opportunity without a creation date counts).
- *won*: that opportunity's status is ``won`` and it closed before ``as_of``
  (needs the opportunities table; null without it).
- *accepted*: ``accepted_at`` before ``as_of``, or the lead became an
  opportunity. A lead does not become an opportunity without being accepted,
  so a stage is "reached" when it or any later stage was, and funnel counts
  can never rise from one stage to the next.
- *rejected*: not accepted, and ``rejected_at`` before ``as_of``.

A lead's opportunity is found either way round: the opportunity its own
``opportunity_id`` names, when the opportunities table holds it, else the
opportunity whose ``lead_id`` names the lead (the earliest created, when
several do). A lead whose ``opportunity_id`` names an opportunity that is not
in the table is not counted as an opportunity (`dangling_links` counts them
for a note). Without the opportunities table the lead's own link is all there
is, and it counts.
"""

from __future__ import annotations

from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import happened_before

__all__ = ["LEAD_STAGE_COLUMNS", "OPPORTUNITY_LINK_COLUMNS", "dangling_links", "with_stages"]

LEAD_STAGE_COLUMNS = ("lead_id", "accepted_at", "rejected_at", "opportunity_id")
OPPORTUNITY_LINK_COLUMNS = ("opportunity_id", "created_at", "closed_at", "status")


def _back_links(opportunities: ir.Table) -> ir.Table:
    """Per lead named by ``opportunities.lead_id``: its earliest created opportunity."""
    o = opportunities.filter(opportunities.lead_id.notnull())
    rank = ibis.row_number().over(
        group_by=o.lead_id, order_by=[o.created_at.asc(nulls_first=False), o.opportunity_id]
    )
    first = o.mutate(_rank=rank).filter(lambda t: t._rank == 0)
    return first.select(
        _back_lead=first.lead_id,
        _back_id=first.opportunity_id,
        _back_created=first.created_at,
        _back_closed=first.closed_at,
        _back_status=first.status,
    )


def with_stages(
    leads: ir.Table, *, opportunities: ir.Table | None, as_of: datetime | None
) -> ir.Table:
    """``leads`` plus boolean ``_accepted``, ``_rejected``, ``_opportunity``, ``_won``."""
    t = leads
    helpers: set[str] = set()
    if opportunities is None:
        has_opp = t.opportunity_id.notnull()
        won: ir.BooleanValue = ibis.null("boolean")
    else:
        opps = opportunities.select(
            _opp_id=opportunities.opportunity_id,
            _opp_created=opportunities.created_at,
            _opp_closed=opportunities.closed_at,
            _opp_status=opportunities.status,
        )
        t = t.left_join(opps, t.opportunity_id == opps._opp_id)
        helpers |= {"_opp_id", "_opp_created", "_opp_closed", "_opp_status"}
        linked_id, created, closed, status = (
            t._opp_id,
            t._opp_created,
            t._opp_closed,
            t._opp_status,
        )
        if "lead_id" in opportunities.columns:
            back = _back_links(opportunities)
            t = t.left_join(back, t.lead_id == back._back_lead)
            helpers |= {"_back_lead", "_back_id", "_back_created", "_back_closed", "_back_status"}
            forward = t._opp_id.notnull()
            linked_id = ibis.ifelse(forward, t._opp_id, t._back_id)
            created = ibis.ifelse(forward, t._opp_created, t._back_created)
            closed = ibis.ifelse(forward, t._opp_closed, t._back_closed)
            status = ibis.ifelse(forward, t._opp_status, t._back_status)
        has_opp = linked_id.notnull()
        won = has_opp & (status == "won")
        if as_of is not None:
            # an undated creation or close counts: the CRM says it happened
            has_opp &= created.isnull() | (created < as_of)
            won &= has_opp & (closed.isnull() | (closed < as_of))
        won = won.fill_null(False)
    has_opp = has_opp.fill_null(False)
    accepted = happened_before(t.accepted_at, as_of) | has_opp
    rejected = ~accepted & happened_before(t.rejected_at, as_of)
    added = {"_accepted": accepted, "_rejected": rejected, "_opportunity": has_opp, "_won": won}
    helpers |= set(added)
    return t.select(*(c for c in t.columns if c not in helpers), **added)


def dangling_links(leads: ir.Table, opportunities: ir.Table) -> ir.IntegerScalar:
    """Leads whose ``opportunity_id`` names an opportunity the table does not hold."""
    known = opportunities.select(_known=opportunities.opportunity_id)
    linked = leads.filter(leads.opportunity_id.notnull())
    joined = linked.left_join(known, linked.opportunity_id == known._known)
    return joined.filter(joined._known.isnull()).count()
