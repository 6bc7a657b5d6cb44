"""The public API of `coparent.demo`: names, scales, seeds, the single-team variant, truths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pyarrow.compute as pc
import pytest

from coparent import demo
from coparent.demo import DEFAULT_END, SCALES, Scale, Truth, generate
from coparent.schema import TABLES

from ._checks import cached, digest

TINY = Scale(leads=300, accounts=120, experiment_subjects=40, lapsed_accounts=3)


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order, as in `coparent.schema`)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_names_the_public_api():
    assert demo.__all__ == sorted(demo.__all__, key=_isort_key)
    assert set(demo.__all__) == {
        "DEFAULT_END", "DemoCompany", "SCALES", "Scale", "Truth", "generate",
    }  # fmt: skip


def test_one_table_per_canonical_table_with_exactly_its_schema():
    company = cached("small", 0)
    assert list(company.tables) == list(TABLES)
    for name, table in company.tables.items():
        assert table.schema.equals(TABLES[name].arrow_schema()), name


def test_default_period_is_two_years_ending_on_the_fixed_end():
    company = cached("small", 0)
    assert (company.start, company.end) == (date(2024, 10, 1), DEFAULT_END)
    assert company.scale == SCALES["small"]
    assert company.seed == 0


def test_the_same_seed_gives_identical_tables_and_another_seed_different_ones():
    a, b, c = generate(TINY, seed=7), generate(TINY, seed=7), generate(TINY, seed=8)
    for name in TABLES:
        assert a.tables[name].equals(b.tables[name]), name
    assert a.truths == b.truths
    assert not a.tables["leads"].equals(c.tables["leads"])
    assert not a.tables["touches"].equals(c.tables["touches"])


def test_the_same_seed_gives_identical_tables_in_another_process():
    code = (
        "from coparent.demo import Scale, generate\n"
        "from tests.demo._checks import digest\n"
        f"print(digest(generate({TINY!r}, seed=11)))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )  # fmt: skip
    assert out.stdout.strip() == digest(generate(TINY, seed=11))


def test_small_scale_counts():
    company = cached("small", 0)
    rows = {name: t.num_rows for name, t in company.tables.items()}
    small = SCALES["small"]
    assert rows["leads"] == small.leads
    assert rows["accounts"] == small.accounts
    assert rows["experiments"] == 2 * small.experiment_subjects
    assert rows["products"] == 5
    assert 0.8 * small.touches_per_lead * small.leads < rows["touches"]
    assert rows["touches"] < 1.2 * small.touches_per_lead * small.leads
    assert 0.15 * small.leads < rows["opportunities"] < 0.35 * small.leads
    assert 3 * rows["opportunities"] < rows["stage_changes"] < 5 * rows["opportunities"]
    assert rows["leads"] < rows["activities"] < 6 * rows["leads"]
    won = pc.sum(pc.equal(company.tables["opportunities"]["status"], "won")).as_py()
    assert 2 * won < rows["orders"] < 20 * won


def test_scales_grow_in_the_order_of_their_names():
    assert SCALES["small"].leads < SCALES["medium"].leads < SCALES["large"].leads
    assert SCALES["large"].leads == 1_000_000


def test_two_teams_of_plausible_size_and_one_team_of_both():
    people = cached("small", 0).tables["people"]
    teams = people["team"].to_pylist()
    assert 5 <= teams.count("marketing") <= 7
    assert 8 <= teams.count("sales") <= 12
    one = cached("small", 0, True).tables["people"]
    assert set(one["team"].to_pylist()) == {"both"}
    assert 6 <= one.num_rows <= 8


def test_single_team_keeps_the_same_leads_with_owners_from_the_one_team():
    two, one = cached("small", 0), cached("small", 0, True)
    assert one.tables["leads"]["created_at"].equals(two.tables["leads"]["created_at"])
    owners = set(one.tables["leads"]["owner_id"].drop_null().to_pylist())
    assert owners <= set(one.tables["people"]["person_id"].to_pylist())
    assert len(owners) >= 5


def test_the_new_edition_has_no_leads_before_its_launch():
    company = cached("small", 0)
    launch = date.fromisoformat(str(company.truth("launch").facts["launched_on"]))
    leads = company.tables["leads"]
    cloud = leads.filter(pc.equal(leads["product_id"], "insight-cloud"))
    assert cloud.num_rows > 500
    assert pc.min(cloud["created_at"]).as_py().date() >= launch


def test_unknown_scale_bad_seed_and_bad_end_are_misuse():
    with pytest.raises(ValueError, match="unknown scale 'huge'"):
        generate("huge")
    with pytest.raises(ValueError, match="seed"):
        generate(TINY, seed=-1)
    with pytest.raises(ValueError, match="last day of a quarter"):
        generate(TINY, end=date(2026, 9, 29))
    with pytest.raises(ValueError, match="at least one lead"):
        Scale(leads=0, accounts=10)


def test_another_end_moves_the_two_years_and_the_truths_with_it():
    company = generate(TINY, seed=2, end=date(2025, 12, 31))
    assert company.start == date(2024, 1, 1)
    assert company.truth("product_gap").facts["quarter"] == "2025-Q4"
    assert company.truth("offer_lift").facts["experiment_id"] == "offer-2025-q4"
    latest = pc.max(company.tables["leads"]["created_at"]).as_py()
    assert latest.date() <= date(2025, 12, 31)


def test_truths_are_json_ready_and_each_kind_appears_once():
    company = cached("small", 0)
    kinds = [t.kind for t in company.truths]
    assert kinds[:5] == ["product_gap", "slow_channel", "lapsed_accounts", "offer_lift",
                         "noise_change"]  # fmt: skip
    assert len(set(kinds)) == len(kinds)
    loaded = json.loads(company.truths_json())
    assert loaded == [t.to_dict() for t in company.truths]
    for truth in company.truths:
        assert isinstance(truth, Truth)
        assert truth.statement.endswith(".")
        assert "\n" not in truth.statement
        assert json.loads(truth.to_json())["kind"] == truth.kind
    with pytest.raises(KeyError, match="no truth 'nope'"):
        company.truth("nope")


def test_repr_does_not_dump_the_tables():
    assert len(repr(cached("small", 0))) < 400
