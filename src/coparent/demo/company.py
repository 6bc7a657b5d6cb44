"""`generate`: the composition root of the demo, and the `DemoCompany` it returns.

Each part draws from its own child of ``SeedSequence(seed)``, so the same seed
gives the same tables in any process, and a change to one part (say touches)
leaves the draws of the others alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow
from coparent.demo._accounts import accounts_table, make_accounts
from coparent.demo._activities import activities_table, make_activities
from coparent.demo._calendar import Calendar
from coparent.demo._campaigns import campaigns_table, make_campaigns
from coparent.demo._catalog import PRODUCTS
from coparent.demo._experiment import experiments_table, make_experiment
from coparent.demo._leads import leads_table, make_leads
from coparent.demo._opportunities import make_deals, opportunities_table, stage_changes_table
from coparent.demo._orders import make_orders, orders_table
from coparent.demo._people import Roster
from coparent.demo._scale import SCALES, Scale, resolve_scale
from coparent.demo._touches import make_touches, touches_table
from coparent.demo._truths import Truth, build_truths
from coparent.schema import TABLES

__all__ = ["DEFAULT_END", "DemoCompany", "generate"]

DEFAULT_END = date(2026, 9, 30)
"""Fixed, not today: the same seed must give the same tables whenever it runs."""

_PARTS = (
    "accounts",
    "campaigns",
    "leads",
    "deals",
    "touches",
    "activities",
    "orders",
    "experiment",
)
_SMALL_LEADS = SCALES["small"].leads


@dataclass(frozen=True)
class DemoCompany:
    """The generated company: one Arrow table per canonical table, and its planted truths."""

    tables: dict[str, pa.Table] = field(repr=False)
    truths: list[Truth] = field(repr=False)
    start: date
    end: date
    scale: Scale
    seed: int
    single_team: bool

    def truth(self, kind: str) -> Truth:
        """The planted truth of ``kind`` (``product_gap``, ``slow_channel`` ...)."""
        for t in self.truths:
            if t.kind == kind:
                return t
        raise KeyError(f"no truth {kind!r}; kinds: {[t.kind for t in self.truths]}")

    def truths_json(self, *, indent: int | None = 2) -> str:
        """All truths as a JSON list, e.g. to save next to the tables."""
        return json.dumps([t.to_dict() for t in self.truths], indent=indent, sort_keys=True)


def generate(
    scale: str | Scale = "small",
    *,
    seed: int = 0,
    single_team: bool = False,
    end: date = DEFAULT_END,
) -> DemoCompany:
    """Generate the demo company: two years to ``end`` (the last day of a quarter).

    >>> company = generate(Scale(leads=300, accounts=120, experiment_subjects=50), seed=1)
    >>> company.tables["leads"].num_rows, company.start.isoformat()
    (300, '2024-10-01')
    >>> company.truth("slow_channel").facts["channel"]
    'webinar'
    """
    size = resolve_scale(scale)
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    cal = Calendar.two_years_to(end)
    rng = dict(
        zip(
            _PARTS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)),
            strict=True,
        )
    )
    roster = Roster.build(cal, single_team=single_team)
    accounts = make_accounts(rng["accounts"], size.accounts)
    campaigns = make_campaigns(rng["campaigns"], cal)
    leads = make_leads(rng["leads"], cal, size.leads, accounts, campaigns, roster)
    deals, history = make_deals(rng["deals"], cal, leads, accounts.region, roster)
    touches = make_touches(rng["touches"], cal, leads, campaigns, size.touches_per_lead)
    activities = make_activities(rng["activities"], cal, leads, deals)
    orders = make_orders(rng["orders"], cal, deals, size.lapsed_accounts)
    experiment = make_experiment(rng["experiment"], cal, size.experiment_subjects)

    person_ids = roster.ids
    account_ids = _arrow.ids("ACC", accounts.n, width=_arrow.id_width(accounts.n))
    campaign_ids = _arrow.ids("CMP", campaigns.n, width=4)
    lead_ids = _arrow.ids("L", leads.n, width=_arrow.id_width(leads.n))
    opportunity_ids = _arrow.ids("OPP", deals.n, width=_arrow.id_width(deals.n))
    lead_opportunity = np.full(leads.n, -1, dtype=np.int64)
    from_lead = deals.lead >= 0
    lead_opportunity[deals.lead[from_lead]] = np.flatnonzero(from_lead)
    with_account = np.flatnonzero(leads.account >= 0)  # leads are in order of creation
    first_lead = np.full(accounts.n, np.nan)
    seen, first = np.unique(leads.account[with_account], return_index=True)
    first_lead[seen] = leads.created[with_account[first]]

    tables = {
        "people": roster.table(),
        "products": _products_table(),
        "campaigns": campaigns_table(
            rng["campaigns"], cal, campaigns, roster, leads.campaign, size.leads / _SMALL_LEADS
        ),
        "accounts": accounts_table(rng["accounts"], cal, accounts, first_lead),
        "leads": leads_table(
            cal,
            leads,
            lead_ids=lead_ids,
            account_ids=account_ids,
            campaign_ids=campaign_ids,
            person_ids=person_ids,
            opportunity_ids=opportunity_ids,
            lead_opportunity=lead_opportunity,
        ),
        "touches": touches_table(
            cal,
            touches,
            leads,
            lead_ids=lead_ids,
            account_ids=account_ids,
            campaign_ids=campaign_ids,
        ),
        "activities": activities_table(
            cal,
            activities,
            lead_ids=lead_ids,
            opportunity_ids=opportunity_ids,
            person_ids=person_ids,
        ),
        "opportunities": opportunities_table(
            cal,
            deals,
            opportunity_ids=opportunity_ids,
            account_ids=account_ids,
            lead_ids=lead_ids,
            person_ids=person_ids,
        ),
        "stage_changes": stage_changes_table(cal, history, opportunity_ids=opportunity_ids),
        "orders": orders_table(cal, orders, account_ids=account_ids),
        "experiments": experiments_table(cal, experiment),
    }
    truths = build_truths(
        cal, leads, deals, orders, experiment, account_ids=account_ids, n_leads=size.leads
    )
    return DemoCompany(
        tables={name: tables[name] for name in TABLES},
        truths=truths,
        start=cal.start,
        end=cal.end,
        scale=size,
        seed=seed,
        single_team=single_team,
    )


def _products_table() -> pa.Table:
    return _arrow.table(
        "products",
        {
            "product_id": pa.array([p.product_id for p in PRODUCTS], pa.string()),
            "name": pa.array([p.name for p in PRODUCTS], pa.string()),
            "family": pa.array([p.family for p in PRODUCTS], pa.string()),
            "list_price": pa.array([p.price_year_two for p in PRODUCTS], pa.float64()),
        },
    )
