"""Every generated company, of any seed and size, is a valid CRM: the rules in `_checks`."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.demo import DemoCompany, Scale, generate

from ._checks import assert_valid, cached, violations

scales = st.builds(
    Scale,
    leads=st.integers(1, 400),
    accounts=st.integers(1, 150),
    touches_per_lead=st.floats(1.0, 4.0),
    experiment_subjects=st.integers(1, 60),
    lapsed_accounts=st.integers(0, 8),
)


@settings(max_examples=12, deadline=None)
@given(scale=scales, seed=st.integers(0, 2**32 - 1), single_team=st.booleans())
def test_any_seed_and_size_gives_a_valid_company(scale: Scale, seed: int, single_team: bool):
    company = generate(scale, seed=seed, single_team=single_team)
    assert_valid(company)
    assert company.tables["leads"].num_rows == scale.leads
    assert company.tables["accounts"].num_rows == scale.accounts
    assert company.tables["experiments"].num_rows == 2 * scale.experiment_subjects


@pytest.mark.parametrize("single_team", [False, True])
def test_the_small_company_is_valid(single_team: bool):
    assert_valid(cached("small", 0, single_team))


def _replace(company: DemoCompany, name: str, table: pa.Table) -> DemoCompany:
    return DemoCompany(
        tables={**company.tables, name: table},
        truths=company.truths,
        start=company.start,
        end=company.end,
        scale=company.scale,
        seed=company.seed,
        single_team=company.single_team,
    )


def _set(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    values = table[column].to_pylist()
    values[row] = value
    i = table.schema.get_field_index(column)
    return table.set_column(i, table.schema.field(i), pa.array(values, table.schema.field(i).type))


def _first(table: pa.Table, mask: pa.ChunkedArray) -> int:
    return int(pc.index(mask, True).as_py())


def test_the_checks_catch_broken_companies():
    """The rules are not vacuous: each corruption below breaks at least the named rule."""
    good = cached("small", 0, False)
    leads, opps, touches = (
        good.tables["leads"],
        good.tables["opportunities"],
        good.tables["touches"],
    )
    mql_row = _first(leads, pc.is_valid(leads["mql_at"]))
    won_row = _first(opps, pc.equal(opps["status"], "won"))
    broken = {
        "lead MQL before creation": _replace(
            good,
            "leads",
            _set(
                leads, "mql_at", mql_row, leads["created_at"][mql_row].as_py() - timedelta(hours=1)
            ),
        ),
        "opportunities: duplicate key": _replace(
            good, "opportunities", pa.concat_tables([opps, opps.slice(0, 1)])
        ),
        "touches.lead_id: dangling reference": _replace(
            good, "touches", _set(touches, "lead_id", 0, "L-NOPE")
        ),
        "opportunities.status: unknown value": _replace(
            good, "opportunities", _set(opps, "status", won_row, "Won")
        ),
        "won deal without its first order": _replace(
            good,
            "orders",
            good.tables["orders"].filter(
                pc.not_equal(good.tables["orders"]["ordered_at"], opps["closed_at"][won_row])
            ),
        ),
        "people: schema differs": _replace(
            good,
            "people",
            good.tables["people"].cast(
                pa.schema([f.with_nullable(True) for f in good.tables["people"].schema])
            ),
        ),
    }
    for rule, company in broken.items():
        assert rule in violations(company), rule
