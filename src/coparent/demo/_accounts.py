"""Companies in the CRM: names, regions, industries, sizes, and how often they produce leads.

A lognormal "lead propensity" per account gives the long tail real CRMs have:
most companies send a lead or two, a few send dozens, some none at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from coparent.demo import _arrow
from coparent.demo._calendar import Calendar, Floats, Ints
from coparent.demo._catalog import (
    INDUSTRIES,
    INDUSTRY_WEIGHT,
    LEGAL_FORMS,
    NAME_HEADS,
    NAME_SECTORS,
    NAME_TAILS,
    REGION_WEIGHT,
    REGIONS,
)


@dataclass(frozen=True)
class Accounts:
    region: Ints
    industry: Ints
    employees: Ints
    propensity: Floats
    """Relative chance that a new lead comes from this account (sums to 1)."""
    name_index: Ints
    legal_index: Ints

    @property
    def n(self) -> int:
        return int(self.region.size)


def make_accounts(rng: np.random.Generator, n: int) -> Accounts:
    region = rng.choice(len(REGIONS), size=n, p=np.array(REGION_WEIGHT))
    industry = rng.choice(len(INDUSTRIES), size=n, p=np.array(INDUSTRY_WEIGHT))
    employees = np.clip(np.round(rng.lognormal(np.log(120.0), 1.0, n)), 5, 5000).astype(np.int64)
    # Bigger companies send a few more leads.
    propensity = rng.lognormal(0.0, 0.9, n) * (employees / 120.0) ** 0.25
    pool = len(NAME_HEADS) * len(NAME_TAILS) * len(NAME_SECTORS)
    if n <= pool:
        name_index = rng.choice(pool, size=n, replace=False)
    else:
        name_index = rng.integers(0, pool, size=n)
    legal_sizes = np.array([len(forms) for forms in LEGAL_FORMS])
    legal_index = np.floor(rng.random(n) * legal_sizes[region]).astype(np.int64)
    return Accounts(
        region=region.astype(np.int64),
        industry=industry.astype(np.int64),
        employees=employees,
        propensity=propensity / propensity.sum(),
        name_index=name_index.astype(np.int64),
        legal_index=legal_index,
    )


def _names(accounts: Accounts) -> pa.Array:
    n_tail, n_sector = len(NAME_TAILS), len(NAME_SECTORS)
    head = accounts.name_index // (n_tail * n_sector)
    tail = (accounts.name_index // n_sector) % n_tail
    sector = accounts.name_index % n_sector
    legal_vocab = [form for forms in LEGAL_FORMS for form in forms]
    legal_offset = np.cumsum([0] + [len(forms) for forms in LEGAL_FORMS])[:-1]
    legal = legal_offset[accounts.region] + accounts.legal_index
    return pc.binary_join_element_wise(
        pc.binary_join_element_wise(
            _arrow.take(NAME_HEADS, head), _arrow.take(NAME_TAILS, tail), ""
        ),
        _arrow.take(NAME_SECTORS, sector),
        _arrow.take(legal_vocab, legal),
        " ",
    )


def accounts_table(
    rng: np.random.Generator, cal: Calendar, accounts: Accounts, first_lead: Floats
) -> pa.Table:
    """The accounts table; an account appears with its first lead, or at a random time if none."""
    n = accounts.n
    has_lead = np.isfinite(first_lead)
    # Created in the CRM up to an hour before its first lead, never before the start.
    created = np.where(
        has_lead,
        np.maximum(first_lead - rng.random(n) / 24.0, np.floor(first_lead)),
        rng.random(n) * cal.days,
    )
    return _arrow.table(
        "accounts",
        {
            "account_id": _arrow.ids("ACC", n, width=_arrow.id_width(n)),
            "name": _names(accounts),
            "industry": _arrow.take(INDUSTRIES, accounts.industry),
            "employees": pa.array(accounts.employees, pa.int64()),
            "region": _arrow.take(REGIONS, accounts.region),
            "created_at": _arrow.timestamps(cal, created),
        },
    )
