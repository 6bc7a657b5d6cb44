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

Each lead is linked through its own ``opportunity_id``; an opportunity that
points at a lead the lead does not point back at is not counted.
"""

from __future__ import annotations

from datetime import datetime

import ibis
from ibis.expr import types as ir

from coparent.metrics._common import happened_before

__all__ = ["LEAD_STAGE_COLUMNS", "OPPORTUNITY_LINK_COLUMNS", "with_stages"]

LEAD_STAGE_COLUMNS = ("lead_id", "accepted_at", "rejected_at", "opportunity_id")
OPPORTUNITY_LINK_COLUMNS = ("opportunity_id", "created_at", "closed_at", "status")


def with_stages(
    leads: ir.Table, *, opportunities: ir.Table | None, as_of: datetime | None
) -> ir.Table:
    """``leads`` plus boolean ``_accepted``, ``_rejected``, ``_opportunity``, ``_won``."""
    t = leads
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
        has_opp = t.opportunity_id.notnull()
        won = has_opp & (t._opp_status == "won")
        if as_of is not None:
            # an undated creation or close counts: the CRM says it happened
            has_opp &= t._opp_created.isnull() | (t._opp_created < as_of)
            won &= has_opp & (t._opp_closed.isnull() | (t._opp_closed < as_of))
        won = won.fill_null(False)
    has_opp = has_opp.fill_null(False)
    accepted = happened_before(t.accepted_at, as_of) | has_opp
    rejected = ~accepted & happened_before(t.rejected_at, as_of)
    added = {"_accepted": accepted, "_rejected": rejected, "_opportunity": has_opp, "_won": won}
    helpers = {"_opp_id", "_opp_created", "_opp_closed", "_opp_status", *added}
    return t.select(*(c for c in t.columns if c not in helpers), **added)
