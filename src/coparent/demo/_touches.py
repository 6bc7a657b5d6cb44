"""Marketing touches: the path each lead walked before it converted (or went cold).

The rule, which the tests check and attribution relies on:

- every lead has a *first touch* at its ``created_at``, in its own channel and
  campaign (the touch that created the lead);
- its other touches fall in the lead's window: from 60 days before
  ``created_at`` (anonymous browsing, later tied to the lead; never before the
  start) up to its conversion, which is the opportunity's ``created_at`` if
  there is one, otherwise 30 days after ``mql_at`` (or ``created_at``), never
  after the end. So every touch of a converted lead precedes its opportunity.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow, _plan
from coparent.demo._calendar import Calendar, Floats, Ints
from coparent.demo._campaigns import Campaigns
from coparent.demo._catalog import CHANNELS, FIRST_TOUCH_KIND, TOUCH_KIND_WEIGHT, TOUCH_KINDS
from coparent.demo._draw import categorical
from coparent.demo._leads import Leads

LOOKBACK_DAYS = 60.0
NURTURE_DAYS = 30.0
SAME_CHANNEL = 0.45
"""Chance that a later touch comes through the lead's own channel."""
TOUCH_CHANNEL_MIX = np.array([0.3, 0.35, 0.12, 0.05, 0.03, 0.15])
BEFORE_CREATION = 0.35
"""Share of the other touches that happened before the lead was created."""


def touch_window(cal: Calendar, leads: Leads) -> tuple[Floats, Floats]:
    """First and last moment a touch of each lead may occur (see the module docstring)."""
    first = np.maximum(leads.created - LOOKBACK_DAYS, 0.0)
    nurtured = np.where(np.isfinite(leads.mql), leads.mql, leads.created) + NURTURE_DAYS
    last = np.where(np.isfinite(leads.opportunity), leads.opportunity, nurtured)
    return first, np.minimum(last, np.nextafter(float(cal.days), 0.0))


def make_touches(
    rng: np.random.Generator, cal: Calendar, leads: Leads, campaigns: Campaigns, mean: float
) -> tuple[Ints, Floats, Ints, Ints, Ints]:
    """Touches as (lead, time, channel, campaign, kind), in order of time."""
    extra = rng.poisson(mean - 1.0, leads.n)
    lead = np.repeat(np.arange(leads.n, dtype=np.int64), extra)
    first, last = touch_window(cal, leads)
    created = leads.created[lead]
    before = rng.random(lead.size) < BEFORE_CREATION
    u = rng.random(lead.size)
    at = np.where(
        before,
        first[lead] + u * (created - first[lead]),
        created + u * (last[lead] - created),
    )
    own = rng.random(lead.size) < SAME_CHANNEL
    other = categorical(rng, TOUCH_CHANNEL_MIX, size=lead.size)
    channel = np.where(own, leads.channel[lead], other)
    campaign = campaigns.lookup(rng, channel, at, _plan.CAMPAIGN_SHARE)
    kind = categorical(rng, TOUCH_KIND_WEIGHT, channel)

    all_lead = np.concatenate([np.arange(leads.n, dtype=np.int64), lead])
    all_at = np.concatenate([leads.created, at])
    all_channel = np.concatenate([leads.channel, channel])
    all_campaign = np.concatenate([leads.campaign, campaign])
    all_kind = np.concatenate([np.array(FIRST_TOUCH_KIND)[leads.channel], kind])
    order = np.argsort(all_at, kind="stable")
    return (
        all_lead[order],
        all_at[order],
        all_channel[order],
        all_campaign[order],
        all_kind[order].astype(np.int64),
    )


def touches_table(
    cal: Calendar,
    touches: tuple[Ints, Floats, Ints, Ints, Ints],
    leads: Leads,
    *,
    lead_ids: pa.Array,
    account_ids: pa.Array,
    campaign_ids: pa.Array,
) -> pa.Table:
    lead, at, channel, campaign, kind = touches
    n = lead.size
    return _arrow.table(
        "touches",
        {
            "touch_id": _arrow.ids("T", n, width=_arrow.id_width(n)),
            "lead_id": lead_ids.take(pa.array(lead)),
            "account_id": _arrow.take(account_ids, leads.account[lead]),
            "occurred_at": _arrow.timestamps(cal, at),
            "channel": _arrow.take(CHANNELS, channel),
            "campaign_id": _arrow.take(campaign_ids, campaign),
            "kind": _arrow.take(TOUCH_KINDS, kind),
        },
    )
