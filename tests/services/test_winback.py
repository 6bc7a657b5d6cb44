from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.demo import DemoCompany, generate
from coparent.errors import MissingColumnsError, MissingDataError, UnusableDataError
from coparent.services.winback import (
    LIST_FORMAT,
    MIN_HISTORY_DAYS,
    MIN_REPEAT_BUYERS,
    WinbackListError,
    winback_list_create,
    winback_list_load,
    winback_outcome,
    winback_rank,
)
from coparent.workspace import Workspace
from tests.conftest import SHARED_DATA, require_shared


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[DemoCompany, BaseBackend]]:
    company = generate("small", seed=0)
    con = warehouse.connect("duckdb://")
    for name, table in company.tables.items():
        warehouse.write_table(con, name, table)
    yield company, con
    con.disconnect()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    return ws


def test_the_planted_lapsed_accounts_rank_near_the_top_of_the_demo_list(
    demo: tuple[DemoCompany, BaseBackend],
) -> None:
    company, con = demo
    planted = set(company.truth("lapsed_accounts").facts["account_ids"])
    report = winback_rank(con, top=None)
    assert report["method"] == "bgnbd"
    ranks = sorted(a["rank"] for a in report["accounts"] if a["account_id"] in planted)
    assert len(ranks) == len(planted)  # every planted account is on the list
    lapsing = report["lapsing"]
    # Near the top: most of the first ten, and half of them within the first third of the list
    # (a random order would put 1 in 4 of the first ten there, and the median at half).
    assert sum(r <= 10 for r in ranks) >= 6
    assert ranks[len(ranks) // 2] <= lapsing / 3


def test_every_listed_account_has_a_reason_in_words_and_an_owner_to_call(
    demo: tuple[DemoCompany, BaseBackend],
) -> None:
    _, con = demo
    report = winback_rank(con, top=15)
    assert len(report["accounts"]) == 15
    values = [a["value_at_stake"] for a in report["accounts"]]
    assert values == sorted(values, reverse=True)
    for account in report["accounts"]:
        assert account["reason"].startswith("bought ")
        assert "nothing for" in account["reason"]
        assert "likely still buying" in account["reason"]
        assert account["owner_id"]
        assert account["owner_name"]
        assert account["account_name"]
        assert account["p_alive"] <= 0.5
    assert report["model"]["bgnbd"]["time_unit"] == "day"


def test_the_total_value_at_stake_covers_every_lapsing_account(
    demo: tuple[DemoCompany, BaseBackend],
) -> None:
    _, con = demo
    everything = winback_rank(con, top=None)
    assert len(everything["accounts"]) == everything["lapsing"]
    total = sum(a["value_at_stake"] for a in everything["accounts"])
    assert total == pytest.approx(
        everything["total_value_at_stake"], abs=0.01 * len(everything["accounts"])
    )


def test_orders_after_the_as_of_date_do_not_change_the_ranking_and_are_noted(
    demo: tuple[DemoCompany, BaseBackend],
) -> None:
    company, con = demo
    as_of = date(2026, 3, 31)
    report = winback_rank(con, as_of=as_of, top=10)
    assert report["as_of"] == "2026-03-31"
    assert any("after the as-of date 2026-03-31 were left out" in n for n in report["notes"])
    orders = company.tables["orders"]
    cut = pc.less(orders["ordered_at"], pa.scalar(datetime(2026, 4, 1), pa.timestamp("us")))
    only_before = warehouse.connect("duckdb://")
    for name in ("orders", "accounts", "opportunities", "people"):
        table = orders.filter(cut) if name == "orders" else company.tables[name]
        warehouse.write_table(only_before, name, table)
    again = winback_rank(only_before, as_of=as_of, top=10)
    assert again["accounts"] == report["accounts"]
    assert again["notes"] == []


# --- small hand-made order books ------------------------------------------------------------------


def _orders(rows: list[tuple[str, date, float]]) -> BaseBackend:
    con = warehouse.connect("duckdb://")
    warehouse.write_table(
        con,
        "orders",
        pa.table(
            {
                "order_id": [f"o{i}" for i in range(len(rows))],
                "account_id": [r[0] for r in rows],
                "ordered_at": pa.array(
                    [datetime.combine(r[1], datetime.min.time()) for r in rows], pa.timestamp("us")
                ),
                "amount": [r[2] for r in rows],
            }
        ),
    )
    return con


START = date(2025, 1, 1)


def _few_repeat_buyers() -> list[tuple[str, date, float]]:
    rows = [(f"one-{i}", START + timedelta(days=120 + 7 * i), 100.0 + i) for i in range(20)]
    for i in range(3):  # three repeat buyers, silent for longer than anyone
        rows += [(f"rep-{i}", START + timedelta(days=30 * k), 500.0) for k in range(4)]
    return rows


def test_too_few_repeat_buyers_fall_back_to_rfm_and_say_so() -> None:
    report = winback_rank(_orders(_few_repeat_buyers()), as_of=date(2026, 6, 30), top=None)
    assert report["method"] == "rfm"
    assert report["model"] is None
    assert (
        f"only 3 account(s) bought more than once (BG/NBD needs at least {MIN_REPEAT_BUYERS})"
        in report["method_note"]
    )
    assert report["accounts"], "the fallback still ranks lapsing accounts"
    first = report["accounts"][0]
    assert first["account_id"].startswith("rep-")  # 2,000 spent beats 100-odd
    assert first["p_alive"] is None
    assert "RFM" in first["reason"]
    assert first["rfm"].startswith("1-")
    assert any("import opportunities" in n for n in report["notes"])  # no owners to show


def test_a_history_shorter_than_a_quarter_lists_nobody_and_says_why() -> None:
    # Ten days of orders: the RFM fallback used to call last week's buyers lapsed.
    rows = [(f"a{i}", START + timedelta(days=i % 10), 50.0 + i) for i in range(40)]
    rows += [(f"a{i}", START + timedelta(days=9), 20.0) for i in range(5)]
    report = winback_rank(_orders(rows), top=None)
    assert report["accounts"] == []
    assert report["lapsing"] == 0
    assert report["method"] == "none"
    assert report["empty"]["reason"].startswith(
        "the orders cover only 9 days, 2025-01-01 to 2025-01-10"
    )
    assert f"at least {MIN_HISTORY_DAYS} days" in report["empty"]["reason"]
    assert "2025-04-01" in report["empty"]["hint"]  # the first day with a quarter behind it


def _simulated_buyers(seed: int = 1) -> list[tuple[str, date, float]]:
    """300 BG/NBD-like customers over 180 days (Poisson buying, rare drop-out after a purchase)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for i in range(300):
        rate, drop = rng.gamma(2.0, 1 / 40), rng.beta(1, 30)
        t = float(rng.integers(0, 60))
        rows.append((f"c{i:03}", START + timedelta(days=t), 50.0 + i % 7))
        while (t := t + rng.exponential(1 / rate)) <= 180:
            rows.append(
                (f"c{i:03}", START + timedelta(days=int(t)), 50.0 + i % 7 + 20 * rng.random())
            )
            if rng.random() < drop:
                break
    return rows


def test_an_empty_model_ranking_names_the_lowest_p_alive_and_the_threshold() -> None:
    con = _orders(_simulated_buyers())
    everyone = winback_rank(con, top=None, max_p_alive=1.0)["accounts"]
    lowest = min(a["p_alive"] for a in everyone)
    assert lowest > 0.01
    report = winback_rank(con, top=None, max_p_alive=0.01)
    assert report["method"] == "bgnbd"
    assert report["accounts"] == []
    empty = report["empty"]
    assert empty["max_p_alive"] == 0.01
    assert empty["lowest_p_alive"] == pytest.approx(lowest, abs=1e-4)
    assert "the lowest P(alive) is 1%, above the threshold of 1%" not in empty["reason"]
    assert "the lowest P(alive) is" in empty["reason"]
    assert empty["suggested_max_p_alive"] >= empty["lowest_p_alive"]
    assert f"--max-p-alive {empty['suggested_max_p_alive']:g}" in empty["hint"]
    raised = winback_rank(con, top=None, max_p_alive=empty["suggested_max_p_alive"])
    assert raised["accounts"], "the suggested threshold lists the least likely to still buy"
    assert raised["empty"] is None


def test_freezing_an_empty_ranking_repeats_why_it_is_empty(workspace: Workspace) -> None:
    with pytest.raises(UnusableDataError, match="the lowest P\\(alive\\) is") as info:
        winback_list_create(_orders(_simulated_buyers()), workspace=workspace, max_p_alive=0.01)
    assert "--max-p-alive" in info.value.hint


def _cdnow_orders() -> BaseBackend:
    path = require_shared(SHARED_DATA / "cdnow" / "CDNOW_sample.txt", "CDNOW sample")
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return _orders(
        [
            (r[1], datetime.strptime(r[2], "%Y%m%d").date(), float(r[4]))
            for r in lines
            if float(r[4]) > 0
        ]
    )


def test_cdnow_early_on_says_the_history_is_short_and_later_explains_an_empty_list() -> None:
    con = _cdnow_orders()
    early = winback_rank(con, as_of=date(1997, 1, 10), top=5)
    assert early["accounts"] == []  # not the customers who bought on 1997-01-04
    assert "the orders cover only 9 days" in early["empty"]["reason"]
    strict = winback_rank(con, as_of=date(1997, 4, 5), top=5, max_p_alive=0.1)
    assert strict["method"] == "bgnbd"
    assert strict["accounts"] == []
    assert strict["empty"]["lowest_p_alive"] > 0.1
    usual = winback_rank(con, as_of=date(1997, 4, 5), top=5)
    assert usual["accounts"]
    assert usual["empty"] is None


def test_negative_amounts_are_refused_with_the_accounts_and_a_hint() -> None:
    rows = [*_few_repeat_buyers(), ("refund", START, -40.0)]
    with pytest.raises(
        UnusableDataError,
        match=r"1 order\(s\) have a negative amount, e.g. accounts refund \(-40\)",
    ) as info:
        winback_rank(_orders(rows))
    assert "refunds" in info.value.hint
    assert info.value.count == 1


def test_zero_amounts_are_left_out_and_noted() -> None:
    rows = [*_few_repeat_buyers(), ("free", START, 0.0), ("free", START + timedelta(days=9), 0.0)]
    report = winback_rank(_orders(rows), top=None)
    assert any(n.startswith("2 order(s) with a zero amount were left out") for n in report["notes"])
    assert all(a["account_id"] != "free" for a in report["accounts"])
    assert report["customers"] == 23


def test_an_as_of_date_before_the_first_order_is_refused() -> None:
    with pytest.raises(UnusableDataError, match="no orders on or before 2024-01-01") as info:
        winback_rank(_orders(_few_repeat_buyers()), as_of=date(2024, 1, 1))
    assert "2025-01-01" in info.value.hint


def test_an_empty_or_missing_orders_table_says_what_to_import() -> None:
    with pytest.raises(UnusableDataError, match="orders table is empty") as info:
        winback_rank(_orders([]))
    assert "coparent import orders" in info.value.hint
    with pytest.raises(MissingDataError, match="no 'orders' table"):
        winback_rank(warehouse.connect("duckdb://"))
    con = warehouse.connect("duckdb://")
    warehouse.write_table(con, "orders", pa.table({"account_id": ["a"], "amount": [1.0]}))
    with pytest.raises(MissingColumnsError, match="ordered_at"):
        winback_rank(con)


# --- frozen lists and outcomes --------------------------------------------------------------------


def test_a_frozen_list_is_stored_with_its_seeded_holdout(
    demo: tuple[DemoCompany, BaseBackend], workspace: Workspace
) -> None:
    _, con = demo
    now = datetime(2026, 10, 2, 9, 30, 0)
    first = winback_list_create(con, workspace=workspace, top=50, seed=42, now=now)
    assert first["id"] == "wb-2026-09-30-1"
    assert (first["members"], first["holdout"], first["contacted"]) == (50, 5, 45)
    path = workspace.path / "winback" / "wb-2026-09-30-1.json"
    assert first["path"] == str(path)
    stored = json.loads(path.read_text())
    assert stored["format"] == LIST_FORMAT
    assert stored["version"] == 1
    assert (stored["id"], stored["created_at"], stored["as_of"]) == (
        "wb-2026-09-30-1",
        "2026-10-02T09:30:00Z",
        "2026-09-30",
    )
    assert (stored["seed"], stored["holdout_share"], stored["method"]) == (42, 0.1, "bgnbd")
    assert set(stored["members"][0]) == {
        "rank",
        "account_id",
        "account_name",
        "value_at_stake",
        "p_alive",
        "owner_id",
        "owner_name",
        "reason",
        "group",
    }
    again = winback_list_create(con, workspace=workspace, top=50, seed=42, now=now)
    assert again["id"] == "wb-2026-09-30-2"
    groups = [m["group"] for m in stored["members"]]
    assert [m["group"] for m in winback_list_load(workspace, again["id"])["members"]] == groups
    assert winback_list_load(workspace, str(path))["id"] == first["id"]
    assert not list((workspace.path / "winback").glob(".incoming-*"))


def test_a_list_without_a_seed_draws_one_and_stores_it(
    demo: tuple[DemoCompany, BaseBackend], workspace: Workspace
) -> None:
    _, con = demo
    made = winback_list_create(con, workspace=workspace, top=20)
    assert isinstance(made["seed"], int)
    assert winback_list_load(workspace, made["id"])["seed"] == made["seed"]


def test_the_outcome_counts_orders_after_the_list_date_per_group(
    demo: tuple[DemoCompany, BaseBackend], workspace: Workspace
) -> None:
    company, con = demo
    lapse = company.truth("lapsed_accounts").facts
    planted = set(lapse["account_ids"])
    as_of = date.fromisoformat(lapse["lapse_date"]) - timedelta(days=1)
    made = winback_list_create(con, workspace=workspace, as_of=as_of, top=None, seed=7)
    result = winback_outcome(con, workspace=workspace, list_ref=made["id"])

    members = winback_list_load(workspace, made["id"])["members"]
    orders = company.tables["orders"].to_pandas()
    later = orders[(orders.ordered_at.dt.date > as_of) & (orders.amount > 0)]
    back = set(later.account_id)
    for group in ("contacted", "holdout"):
        ids = [m["account_id"] for m in members if m["group"] == group]
        assert result[group]["n"] == len(ids)
        assert result[group]["reactivated"] == len(set(ids) & back)
        revenue = later[later.account_id.isin(ids)].amount.sum()
        assert result[group]["revenue"] == pytest.approx(revenue, abs=0.01)
    assert not (planted & back)  # the planted cohort never came back
    assert result["measured_until"] == "2026-09-30"
    assert result["window_days"] == 214
    d = result["difference"]
    assert d["ci_low"] <= d["estimate"] <= d["ci_high"]
    assert result["verdict"]


def test_measuring_before_any_later_order_is_too_early(
    demo: tuple[DemoCompany, BaseBackend], workspace: Workspace
) -> None:
    _, con = demo
    made = winback_list_create(con, workspace=workspace, top=30, seed=1)
    result = winback_outcome(con, workspace=workspace, list_ref=made["id"])
    assert result["window_days"] == 0
    assert result["verdict"].startswith("too early")
    assert result["contacted"]["reactivated"] == 0
    with pytest.raises(WinbackListError, match="not after the list's as-of date"):
        winback_outcome(con, workspace=workspace, list_ref=made["id"], until=date(2026, 9, 1))


def test_an_unknown_or_foreign_list_is_a_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(WinbackListError, match="no win-back list 'wb-x'") as info:
        winback_list_load(workspace, "wb-x")
    assert info.value.hint == "create one: coparent winback create"
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(WinbackListError, match="is not a coparent win-back list"):
        winback_list_load(workspace, str(other))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(WinbackListError, match="cannot read"):
        winback_list_load(workspace, str(broken))


def test_a_holdout_share_of_one_or_more_is_refused(
    demo: tuple[DemoCompany, BaseBackend], workspace: Workspace
) -> None:
    _, con = demo
    with pytest.raises(WinbackListError, match="holdout share of 1"):
        winback_list_create(con, workspace=workspace, holdout_share=1.0)


@pytest.mark.spark
def test_the_ranking_on_spark_equals_duckdb(
    demo: tuple[DemoCompany, BaseBackend], spark_con: BaseBackend
) -> None:
    company, con = demo
    for name in ("orders", "accounts", "opportunities", "people"):
        warehouse.write_table(spark_con, name, company.tables[name])
    on_spark = winback_rank(spark_con, top=10)
    on_duckdb = winback_rank(con, top=10)
    for model in ("bgnbd", "gamma_gamma"):
        assert on_spark["model"][model] == pytest.approx(on_duckdb["model"][model], rel=1e-4)
    assert [a["account_id"] for a in on_spark["accounts"]] == [
        a["account_id"] for a in on_duckdb["accounts"]
    ]
    for ours, theirs in zip(on_spark["accounts"], on_duckdb["accounts"], strict=True):
        # Sums of amounts come back in another order: the fits agree to optimiser precision.
        assert ours["value_at_stake"] == pytest.approx(theirs["value_at_stake"], rel=1e-4)
        assert ours["reason"] == theirs["reason"]
        assert ours["owner_name"] == theirs["owner_name"]
