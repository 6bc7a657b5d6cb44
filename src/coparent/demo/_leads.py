"""Leads and their life cycle: created, MQL, first contact, accepted or rejected, opportunity.

Each step is a vectorised draw over all leads at once; a step whose time would
fall after the end of the calendar has not happened yet (NaN), which is how
the latest leads end up open at every stage, as in a live CRM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow, _plan
from coparent.demo._accounts import Accounts
from coparent.demo._calendar import MONTH_WEIGHT, WEEKDAY_WEIGHT, Bools, Calendar, Floats, Ints
from coparent.demo._campaigns import Campaigns
from coparent.demo._catalog import (
    BAD_CONTACT,
    CHANNELS,
    PRODUCTS,
    REGION_HOUR_UTC,
    REJECTION_REASONS,
    REJECTION_WEIGHT,
    STUDENT,
)
from coparent.demo._draw import categorical, delay
from coparent.demo._people import Roster


@dataclass(frozen=True)
class Leads:
    """One entry per lead, in order of creation; -1 / NaN mean "none" / "not (yet)"."""

    created: Floats
    product: Ints
    channel: Ints
    account: Ints
    campaign: Ints
    mql: Floats
    owner: Ints
    contacted: Floats
    late: Bools
    """First contact came more than the SLA after the MQL."""
    accepted: Floats
    rejected: Floats
    rejection: Ints
    opportunity: Floats
    """When the lead became an opportunity."""

    @property
    def n(self) -> int:
        return int(self.created.size)


def lead_day_weights(cal: Calendar) -> Floats:
    """Expected lead volume per (day, product): seasonality, growth, launch, the flat noise product.

    The noise product's volume is spread evenly over weekdays in the noise
    quarters, with the same expected total in each, so its true rate is equal there.
    """
    d = np.arange(cal.days)
    season = MONTH_WEIGHT[cal.day_month - 1] * WEEKDAY_WEIGHT[cal.day_weekday]
    season = season * (1.0 + _plan.GROWTH_OVER_TWO_YEARS * d / cal.days)
    launch = cal.quarter_starts[_plan.LAUNCH_QUARTER] + _plan.LAUNCH_OFFSET_DAYS
    share = np.where(
        (d < launch)[:, None],
        _plan.PRODUCT_SHARE_BEFORE_LAUNCH[None, :],
        _plan.PRODUCT_SHARE_AFTER_LAUNCH[None, :],
    )
    weights = season[:, None] * share
    quarter = cal.quarter_of(d.astype(np.float64))
    p = _plan.NOISE_PRODUCT
    target = np.mean([weights[quarter == q, p].sum() for q in _plan.NOISE_QUARTERS])
    for q in _plan.NOISE_QUARTERS:
        flat = WEEKDAY_WEIGHT[cal.day_weekday[quarter == q]]
        weights[quarter == q, p] = flat / flat.sum() * target
    return np.asarray(weights)


def make_leads(
    rng: np.random.Generator,
    cal: Calendar,
    n: int,
    accounts: Accounts,
    campaigns: Campaigns,
    roster: Roster,
) -> Leads:
    weights = lead_day_weights(cal)
    n_products = weights.shape[1]
    cell = rng.choice(weights.size, size=n, p=weights.ravel() / weights.sum())
    account = rng.choice(accounts.n, size=n, p=accounts.propensity)
    hour = np.array(REGION_HOUR_UTC)[accounts.region[account]] + 2.5 * rng.standard_normal(n)
    created = cell // n_products + np.mod(hour, 24.0) / 24.0
    order = np.argsort(created, kind="stable")
    created, account = created[order], account[order].astype(np.int64)
    product = (cell[order] % n_products).astype(np.int64)

    channel = categorical(rng, _plan.CHANNEL_MIX, product)
    campaign = campaigns.lookup(rng, channel, created, _plan.CAMPAIGN_SHARE)

    is_mql = rng.random(n) < _plan.P_MQL[channel]
    mql = created + delay(rng, _plan.MQL_DELAY_MEDIAN_DAYS, _plan.MQL_DELAY_SIGMA, n)
    mql = _until_end(cal, np.where(is_mql, mql, np.nan))
    has_mql = np.isfinite(mql)
    unknown = ~has_mql & (rng.random(n) < _plan.P_NO_PRODUCT_UNQUALIFIED)
    product = np.where(unknown, -1, product)

    owner = np.full(n, -1, dtype=np.int64)
    owner[has_mql] = roster.pick(rng, roster.lead_owners, mql[has_mql])

    hours = delay(rng, _plan.CONTACT_MEDIAN_HOURS[channel], _plan.CONTACT_SIGMA[channel], n)
    reached = has_mql & (rng.random(n) < _plan.P_CONTACTED)
    contacted = _until_end(cal, np.where(reached, mql + hours / 24.0, np.nan))
    late = np.isfinite(contacted) & (hours > _plan.SLA_HOURS)

    decided = contacted + delay(rng, _plan.DECISION_MEDIAN_DAYS, _plan.DECISION_SIGMA, n)
    decided = _until_end(cal, decided)
    p_accept = _plan.P_ACCEPT[channel] * np.where(late, _plan.LATE_ACCEPT_FACTOR, 1.0)
    accept = rng.random(n) < p_accept
    accepted = np.where(accept, decided, np.nan)
    rejected = np.where(~accept, decided, np.nan)
    rejection = np.where(
        np.isfinite(rejected), categorical(rng, REJECTION_WEIGHT, channel), -1
    ).astype(np.int64)
    # Students and bad contact data rarely come with a company the CRM can match.
    no_company = (rejection == STUDENT) | ((rejection == BAD_CONTACT) & (rng.random(n) < 0.5))
    account = np.where(no_company, -1, account)

    p_opp = _plan.P_OPPORTUNITY[np.maximum(product, 0)] * np.where(
        late, _plan.LATE_OPPORTUNITY_FACTOR, 1.0
    )
    to_opp = np.isfinite(accepted) & (rng.random(n) < p_opp)
    opp_at = accepted + delay(rng, _plan.OPP_DELAY_MEDIAN_DAYS, _plan.OPP_DELAY_SIGMA, n)
    opportunity = _until_end(cal, np.where(to_opp, opp_at, np.nan))
    return Leads(
        created=created,
        product=product,
        channel=channel,
        account=account,
        campaign=campaign,
        mql=mql,
        owner=owner,
        contacted=contacted,
        late=late,
        accepted=accepted,
        rejected=rejected,
        rejection=rejection,
        opportunity=opportunity,
    )


def _until_end(cal: Calendar, t: Floats) -> Floats:
    """NaN for what would happen after the end: it has not happened yet."""
    return np.where(np.isfinite(t) & (t < cal.days), t, np.nan)


def leads_table(
    cal: Calendar,
    leads: Leads,
    *,
    lead_ids: pa.Array,
    account_ids: pa.Array,
    campaign_ids: pa.Array,
    person_ids: pa.Array,
    opportunity_ids: pa.Array,
    lead_opportunity: Ints,
) -> pa.Table:
    product_ids = pa.array([p.product_id for p in PRODUCTS], pa.string())
    return _arrow.table(
        "leads",
        {
            "lead_id": lead_ids,
            "account_id": _arrow.take(account_ids, leads.account),
            "created_at": _arrow.timestamps(cal, leads.created),
            "channel": _arrow.take(CHANNELS, leads.channel),
            "campaign_id": _arrow.take(campaign_ids, leads.campaign),
            "product_id": _arrow.take(product_ids, leads.product),
            "mql_at": _arrow.timestamps(cal, leads.mql),
            "owner_id": _arrow.take(person_ids, leads.owner),
            "first_contacted_at": _arrow.timestamps(cal, leads.contacted),
            "accepted_at": _arrow.timestamps(cal, leads.accepted),
            "rejected_at": _arrow.timestamps(cal, leads.rejected),
            "rejection_reason": _arrow.take(REJECTION_REASONS, leads.rejection),
            "opportunity_id": _arrow.take(opportunity_ids, lead_opportunity),
        },
    )
