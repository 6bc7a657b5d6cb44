"""Opportunities and their stage history: from accepted leads, plus add-on upsells to customers.

A deal's outcome is drawn from the win rate of its product in the quarter it
closes (`_plan.win_rate`), and a lost deal's reason from that quarter's
loss-reason mix, so the product-gap truth lands exactly in the latest quarter.
Deals due early in a quarter are often pulled into the last days of the one
before (more so in December): the quarter-end push every sales team knows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow, _plan
from coparent.demo._calendar import Bools, Calendar, Floats, Ints
from coparent.demo._catalog import (
    CLOSED_LOST,
    CLOSED_WON,
    CONNECTORS,
    LOSS_REASONS_MARKET,
    LOSS_REASONS_PROCESS,
    LOSS_REASONS_PRODUCT,
    LOSS_REASONS_UNCLASSIFIED,
    LOSS_WEIGHT_MARKET,
    LOSS_WEIGHT_PROCESS,
    LOSS_WEIGHT_PRODUCT,
    LOSS_WEIGHT_UNCLASSIFIED,
    OPEN_STAGES,
    PRODUCTS,
    REGIONS,
    STAGES,
)
from coparent.demo._draw import categorical, delay
from coparent.demo._leads import Leads
from coparent.demo._people import Roster

LOSS_REASONS = (
    LOSS_REASONS_PRODUCT + LOSS_REASONS_MARKET + LOSS_REASONS_PROCESS + LOSS_REASONS_UNCLASSIFIED
)
_LOSS_BLOCKS = (
    (LOSS_WEIGHT_PRODUCT, 0),
    (LOSS_WEIGHT_MARKET, len(LOSS_REASONS_PRODUCT)),
    (LOSS_WEIGHT_PROCESS, len(LOSS_REASONS_PRODUCT) + len(LOSS_REASONS_MARKET)),
    (LOSS_WEIGHT_UNCLASSIFIED, len(LOSS_REASONS) - len(LOSS_REASONS_UNCLASSIFIED)),
)
P_BLANK_UNCLASSIFIED = 0.25
"""Share of unclassified losses where the rep left the reason empty."""
LOST_AT_STAGE = (0.35, 0.3, 0.2, 0.15)
"""Where lost deals stop: most die in Discovery or at the Demo."""
STATUSES = ("open", "won", "lost")


@dataclass(frozen=True)
class Deals:
    """One entry per opportunity; -1 / NaN mean "none" / "not (yet)"."""

    lead: Ints
    account: Ints
    product: Ints
    owner: Ints
    created: Floats
    due: Floats
    """Planned close; beyond the end for open deals."""
    closed: Floats
    won: Bools
    amount: Floats
    loss_category: Ints
    """Index into `_catalog.LOSS_CATEGORIES`; -1 unless lost."""
    loss_reason: Ints
    stage: Ints
    """Current stage, an index into `_catalog.STAGES`."""

    @property
    def n(self) -> int:
        return int(self.created.size)

    @property
    def status(self) -> Ints:
        """0 open, 1 won, 2 lost."""
        return np.where(np.isnan(self.closed), 0, np.where(self.won, 1, 2)).astype(np.int64)

    def take(self, rows: Ints) -> Deals:
        return Deals(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def append(self, other: Deals) -> Deals:
        return Deals(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )


@dataclass(frozen=True)
class StageHistory:
    deal: Ints
    stage: Ints
    at: Floats


def make_deals(
    rng: np.random.Generator, cal: Calendar, leads: Leads, account_region: Ints, roster: Roster
) -> tuple[Deals, StageHistory]:
    """All opportunities in order of creation, and their stage history."""
    rows = np.flatnonzero(np.isfinite(leads.opportunity))
    account, created = leads.account[rows], leads.opportunity[rows]
    owner = _owners(rng, roster, account_region[account], created, leads.owner[rows])
    deals = _draw_deals(
        rng, cal, rows.astype(np.int64), account, leads.product[rows], owner, created
    )
    # Customers later buy the add-on through an upsell opened by their account executive.
    customer, first_win = first_wins(deals.account, deals.closed, deals.won)
    at = first_win + rng.exponential(_plan.EXPANSION_DELAY_MEAN_DAYS, customer.size)
    keep = (rng.random(customer.size) < _plan.P_EXPANSION) & (at < cal.days)
    account, created = customer[keep], at[keep]
    none = np.full(account.size, -1, dtype=np.int64)
    owner = _owners(rng, roster, account_region[account], created, none)
    product = np.full(account.size, CONNECTORS, dtype=np.int64)
    deals = deals.append(_draw_deals(rng, cal, none, account, product, owner, created))
    deals = deals.take(np.argsort(deals.created, kind="stable"))
    return _with_stages(rng, cal, deals)


def first_wins(account: Ints, closed: Floats, won: Bools) -> tuple[Ints, Floats]:
    """Accounts with a won deal (ascending), and when each first won one."""
    rows = np.flatnonzero(won)
    order = np.lexsort((closed[rows], account[rows]))
    acc, at = account[rows][order], closed[rows][order]
    first = np.r_[True, acc[1:] != acc[:-1]] if acc.size else np.zeros(0, dtype=np.bool_)
    return acc[first], at[first]


def _owners(
    rng: np.random.Generator, roster: Roster, region: Ints, at: Floats, lead_owner: Ints
) -> Ints:
    if roster.single_team:
        # In one team the person who qualified the lead usually carries the deal too.
        anyone = roster.pick(rng, roster.deal_owners(-1), at)
        keep = (lead_owner >= 0) & (rng.random(at.size) < 0.7)
        return np.where(keep, lead_owner, anyone)
    owner = np.zeros(at.size, dtype=np.int64)
    for r in range(len(REGIONS)):
        rows = np.flatnonzero(region == r)
        owner[rows] = roster.pick(rng, roster.deal_owners(r), at[rows])
    return owner


def _quarter_end_push(
    rng: np.random.Generator, cal: Calendar, created: Floats, due: Floats
) -> Floats:
    starts = cal.quarter_starts.astype(np.float64)
    k = np.searchsorted(starts, due, side="right") - 1
    early = (k >= 1) & (due - starts[np.clip(k, 0, 8)] < 21.0)
    december = np.array([label.endswith("Q4") for label in cal.quarter_labels])
    chance = np.where(december[np.clip(k - 1, 0, 7)], _plan.DECEMBER_PULL, _plan.QUARTER_END_PULL)
    pulled = starts[np.clip(k, 0, 8)] - rng.uniform(0.0, 10.0, due.size)
    pull = early & (rng.random(due.size) < chance) & (pulled > created)
    return np.where(pull, pulled, due)


def _draw_deals(
    rng: np.random.Generator,
    cal: Calendar,
    lead: Ints,
    account: Ints,
    product: Ints,
    owner: Ints,
    created: Floats,
) -> Deals:
    n = created.size
    due = created + delay(rng, _plan.CYCLE_MEDIAN_DAYS[product], _plan.CYCLE_SIGMA, n)
    due = _quarter_end_push(rng, cal, created, due)
    closed = np.where(due < cal.days, due, np.nan)
    is_closed = np.isfinite(closed)
    quarter = cal.quarter_of(np.where(is_closed, closed, 0.0))
    n_products = len(PRODUCTS)
    p_win = np.array([[_plan.win_rate(p, q) for q in range(8)] for p in range(n_products)])
    won = is_closed & (rng.random(n) < p_win[product, quarter])
    lost = is_closed & ~won
    mixes = np.array([[_plan.loss_mix(p, q) for q in range(8)] for p in range(n_products)])
    category = categorical(rng, mixes.reshape(n_products * 8, -1), product * 8 + quarter)
    reason = np.full(n, -1, dtype=np.int64)
    for c, (weights, offset) in enumerate(_LOSS_BLOCKS):
        rows = np.flatnonzero(category == c)
        reason[rows] = offset + categorical(rng, weights, size=rows.size)
    blank = (category == 3) & (rng.random(n) < P_BLANK_UNCLASSIFIED)

    change = cal.quarter_starts[_plan.PRICE_CHANGE_QUARTER]
    old = np.array([p.price_year_one for p in PRODUCTS])[product]
    new = np.array([p.price_year_two for p in PRODUCTS])[product]
    seats = np.maximum(
        1.0, np.round(delay(rng, _plan.SEATS_MEDIAN[product], _plan.SEATS_SIGMA[product], n))
    )
    discount = np.where(won, rng.uniform(*_plan.WON_DISCOUNT, n), 0.0)
    amount = np.round(np.where(created < change, old, new) * seats * (1.0 - discount))
    return Deals(
        lead=lead,
        account=account,
        product=product,
        owner=owner,
        created=created,
        due=due,
        closed=closed,
        won=won,
        amount=amount,
        loss_category=np.where(lost, category, -1),
        loss_reason=np.where(lost & ~blank, reason, -1),
        stage=np.zeros(n, dtype=np.int64),
    )


def _with_stages(
    rng: np.random.Generator, cal: Calendar, deals: Deals
) -> tuple[Deals, StageHistory]:
    """Stage entries spread over each deal's cycle; open deals show only what has happened."""
    n = deals.n
    is_closed = np.isfinite(deals.closed)
    lost = is_closed & ~deals.won
    reached = np.full(n, OPEN_STAGES, dtype=np.int64)
    reached[lost] = 1 + categorical(rng, LOST_AT_STAGE, size=int(lost.sum()))
    span = deals.due - deals.created
    parts_deal, parts_stage, parts_at = [], [], []
    current = np.zeros(n, dtype=np.int64)
    for j in range(OPEN_STAGES):
        jitter = rng.uniform(-0.3, 0.3, n) if j else np.zeros(n)
        entry = deals.created + span * (j + jitter) / reached
        entered = np.flatnonzero((j < reached) & (entry < cal.days))
        parts_deal.append(entered)
        parts_stage.append(np.full(entered.size, j, dtype=np.int64))
        parts_at.append(entry[entered])
        current[entered] = j
    ends = np.flatnonzero(is_closed)
    final = np.where(deals.won[ends], CLOSED_WON, CLOSED_LOST)
    parts_deal.append(ends)
    parts_stage.append(final)
    parts_at.append(deals.closed[ends])
    current[ends] = final
    deal, stage = np.concatenate(parts_deal), np.concatenate(parts_stage).astype(np.int64)
    at: Floats = np.concatenate(parts_at).astype(np.float64)
    order = np.lexsort((stage, at, deal))
    history = StageHistory(deal=deal[order].astype(np.int64), stage=stage[order], at=at[order])
    no_amount = (~is_closed) & (current == 0) & (rng.random(n) < _plan.P_NO_AMOUNT_DISCOVERY)
    amount = np.where(no_amount, np.nan, deals.amount)
    return replace(deals, stage=current, amount=amount), history


def opportunities_table(
    cal: Calendar,
    deals: Deals,
    *,
    opportunity_ids: pa.Array,
    account_ids: pa.Array,
    lead_ids: pa.Array,
    person_ids: pa.Array,
) -> pa.Table:
    product_ids = pa.array([p.product_id for p in PRODUCTS], pa.string())
    return _arrow.table(
        "opportunities",
        {
            "opportunity_id": opportunity_ids,
            "account_id": _arrow.take(account_ids, deals.account),
            "lead_id": _arrow.take(lead_ids, deals.lead),
            "product_id": _arrow.take(product_ids, deals.product),
            "owner_id": _arrow.take(person_ids, deals.owner),
            "created_at": _arrow.timestamps(cal, deals.created),
            "closed_at": _arrow.timestamps(cal, deals.closed),
            "stage": _arrow.take(STAGES, deals.stage),
            "status": _arrow.take(STATUSES, deals.status),
            "amount": _arrow.floats(deals.amount, np.isfinite(deals.amount)),
            "loss_reason": _arrow.take(LOSS_REASONS, deals.loss_reason),
        },
    )


def stage_changes_table(
    cal: Calendar, history: StageHistory, *, opportunity_ids: pa.Array
) -> pa.Table:
    return _arrow.table(
        "stage_changes",
        {
            "opportunity_id": _arrow.take(opportunity_ids, history.deal),
            "stage": _arrow.take(STAGES, history.stage),
            "entered_at": _arrow.timestamps(cal, history.at),
        },
    )
