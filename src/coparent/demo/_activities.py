"""Sales activities: calls, emails and meetings on leads and on opportunities.

A contacted lead's first activity is its ``first_contacted_at`` (so speed to
lead reads the same from either table); follow-ups fall between that and the
lead's decision (or a week later while undecided). Deals get activities over
their life, more for longer cycles, all by the deal's owner.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow
from coparent.demo._calendar import Calendar, Floats, Ints
from coparent.demo._catalog import ACTIVITY_KINDS
from coparent.demo._draw import categorical
from coparent.demo._leads import Leads
from coparent.demo._opportunities import Deals

FOLLOW_UPS_MEAN = 1.5
UNDECIDED_FOLLOW_UP_DAYS = 7.0
FIRST_CONTACT_KIND = (0.65, 0.35, 0.0)
FOLLOW_UP_KIND = (0.45, 0.45, 0.1)
DEAL_KIND = (0.35, 0.4, 0.25)
DEAL_ACTIVITIES_BASE, DEAL_ACTIVITIES_PER_DAY, DEAL_ACTIVITIES_MAX = 2.0, 0.1, 20


def make_activities(
    rng: np.random.Generator, cal: Calendar, leads: Leads, deals: Deals
) -> tuple[Ints, Ints, Ints, Floats, Ints]:
    """Activities as (lead, deal, person, time, kind), in order of time; -1 for no lead / deal."""
    end = np.nextafter(float(cal.days), 0.0)
    contacted = np.flatnonzero(np.isfinite(leads.contacted))
    decided = np.fmin(leads.accepted, leads.rejected)[contacted]
    start = leads.contacted[contacted]
    undecided = start + UNDECIDED_FOLLOW_UP_DAYS
    stop = np.minimum(np.where(np.isfinite(decided), decided, undecided), end)
    follow = rng.poisson(FOLLOW_UPS_MEAN, contacted.size)
    rows = np.repeat(np.arange(contacted.size), follow)
    follow_at = start[rows] + rng.random(rows.size) * (stop[rows] - start[rows])
    lead = np.concatenate([contacted, contacted[rows]])
    lead_at = np.concatenate([start, follow_at])
    lead_kind = np.concatenate(
        [
            categorical(rng, FIRST_CONTACT_KIND, size=contacted.size),
            categorical(rng, FOLLOW_UP_KIND, size=rows.size),
        ]
    )

    life_end = np.minimum(np.where(np.isfinite(deals.closed), deals.closed, end), end)
    life = life_end - deals.created
    count = np.minimum(
        rng.poisson(DEAL_ACTIVITIES_BASE + DEAL_ACTIVITIES_PER_DAY * life), DEAL_ACTIVITIES_MAX
    )
    deal = np.repeat(np.arange(deals.n, dtype=np.int64), count)
    deal_at = deals.created[deal] + rng.random(deal.size) * life[deal]
    deal_kind = categorical(rng, DEAL_KIND, size=deal.size)

    all_lead = np.concatenate([lead, np.full(deal.size, -1, dtype=np.int64)])
    all_deal = np.concatenate([np.full(lead.size, -1, dtype=np.int64), deal])
    person = np.concatenate([leads.owner[lead], deals.owner[deal]])
    at = np.concatenate([lead_at, deal_at])
    kind = np.concatenate([lead_kind, deal_kind])
    order = np.argsort(at, kind="stable")
    return all_lead[order], all_deal[order], person[order], at[order], kind[order]


def activities_table(
    cal: Calendar,
    activities: tuple[Ints, Ints, Ints, Floats, Ints],
    *,
    lead_ids: pa.Array,
    opportunity_ids: pa.Array,
    person_ids: pa.Array,
) -> pa.Table:
    lead, deal, person, at, kind = activities
    n = lead.size
    return _arrow.table(
        "activities",
        {
            "activity_id": _arrow.ids("ACT", n, width=_arrow.id_width(n)),
            "lead_id": _arrow.take(lead_ids, lead),
            "opportunity_id": _arrow.take(opportunity_ids, deal),
            "person_id": _arrow.take(person_ids, person),
            "occurred_at": _arrow.timestamps(cal, at),
            "kind": _arrow.take(ACTIVITY_KINDS, kind),
        },
    )
