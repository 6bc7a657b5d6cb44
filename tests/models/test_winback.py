from __future__ import annotations

from datetime import date, datetime

import ibis
import numpy as np
import pytest

from coparent.models.bgnbd import BetaGeo
from coparent.models.gamma_gamma import GammaGamma
from coparent.models.winback import (
    account_owners,
    format_duration,
    format_money,
    reason,
    rfm_winback_scores,
    winback_scores,
)

BG = BetaGeo.from_params(r=0.9, alpha=8.0, a=1.0, b=30.0)
GG = GammaGamma.from_params(p=6.0, q=4.0, v=300.0)


def test_value_at_stake_in_the_engine_follows_its_definition() -> None:
    x = np.array([0, 1, 8, 8, 30])
    t_x = np.array([0.0, 40.0, 200.0, 490.0, 300.0])
    age = np.full(5, 500.0)
    m = np.array([0.0, 80.0, 100.0, 100.0, 250.0])
    features = ibis.memtable(
        {"frequency": x, "recency": t_x, "T": age, "monetary_value": m, "total_amount": m * 2}
    )
    got = winback_scores(features, transactions=BG, spend=GG, horizon=365.0).to_pandas()
    # docs/starter-projects.md: (1 - P(alive)) * N_H * E[Z | x, m], computed here in numpy.
    r, alpha, a, b = 0.9, 8.0, 1.0, 30.0
    p = (a + 1) / (a + b + x)
    n_h = (1 - ((alpha + t_x) / (alpha + t_x + p * 365.0)) ** (r + x)) / p
    expected = (
        (1 - BG.probability_alive(x, t_x, age)) * n_h * GG.conditional_expected_average_spend(x, m)
    )
    np.testing.assert_allclose(got.value_at_stake, expected, rtol=1e-9)
    assert got.value_at_stake[0] == 0.0  # one purchase only: never a regular buyer
    assert got.value_at_stake[2] > got.value_at_stake[3]  # silent for longer: more likely gone
    np.testing.assert_allclose(got.purchase_rate, (r + x) / (alpha + t_x))


def test_rfm_fallback_values_a_horizon_of_past_spend_and_flags_the_long_silent() -> None:
    features = ibis.memtable(
        {
            "account_id": ["young", "old", "recent"],
            "frequency": [1, 4, 2],
            "recency": [10.0, 100.0, 690.0],
            "T": [100.0, 730.0, 700.0],
            "monetary_value": [5.0, 5.0, 5.0],
            "total_amount": [300.0, 1460.0, 900.0],
        }
    )
    rows = {
        r["account_id"]: r
        for r in rfm_winback_scores(features, horizon=365.0).to_pyarrow().to_pylist()
    }
    assert rows["young"]["value_at_stake"] == pytest.approx(300.0)  # age below the horizon
    assert rows["old"]["value_at_stake"] == pytest.approx(730.0)  # 1,460 over two years
    assert rows["old"]["lapsing"]
    assert not rows["recent"]["lapsing"]
    assert rows["old"]["p_alive"] is None


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (13, "13 days"),
        (14, "2 weeks"),
        (62, "9 weeks"),
        (63, "2 months"),
        (365, "12 months"),
        (700, "2 years"),
        (1100, "3 years"),
    ],
)
def test_durations_read_like_people_say_them(days: float, text: str) -> None:
    assert format_duration(days) == text


def test_money_is_compact() -> None:
    assert [format_money(v) for v in (0.0, 999.4, 1000.0, 9_950.0, 10_000.0, 999_999.0)] == [
        "0",
        "999",
        "1.0k",
        "9.9k",
        "10k",
        "1000k",
    ]


def test_reasons_say_the_habit_the_silence_the_spend_and_the_odds() -> None:
    as_of = date(2026, 9, 30)
    row = {
        "frequency": 1,
        "recency": 150.0,
        "total_amount": 3200.0,
        "last_order": date(2025, 12, 30),
        "p_alive": 0.0001,
    }
    assert reason(row, as_of=as_of) == (
        "bought twice, 5 months apart, nothing for 9 months, 3.2k spent in all; "
        "under 1% likely still buying"
    )
    rfm = {
        "frequency": 0,
        "recency": 0.0,
        "total_amount": 80.0,
        "last_order": date(2025, 9, 30),
        "p_alive": None,
        "r_score": 1,
        "f_score": 1,
        "m_score": 2,
    }
    assert (
        reason(rfm, as_of=as_of) == "bought once, nothing for 12 months, 80 spent in all; RFM 1-1-2"
    )
    weeks = {
        "frequency": 4,
        "recency": 8.0,
        "total_amount": 500.0,
        "last_order": date(2026, 9, 1),
        "p_alive": 0.4,
    }
    assert reason(weeks, as_of=as_of, unit_days=7.0).startswith("bought every ~2 weeks for 8 weeks")


def test_the_owner_to_call_is_the_accounts_owner_else_the_latest_won_deals() -> None:
    opportunities = ibis.memtable(
        {
            "opportunity_id": ["o1", "o2", "o3", "o4"],
            "account_id": ["a", "a", "a", "b"],
            "owner_id": ["P1", "P2", "P3", "P4"],
            "status": ["won", "won", "lost", "lost"],
            "created_at": [
                datetime(2025, 1, 1),
                datetime(2025, 3, 1),
                datetime(2025, 6, 1),
                datetime(2025, 2, 1),
            ],
            "closed_at": [datetime(2025, 2, 1), datetime(2025, 4, 1), datetime(2025, 7, 1), None],
        }
    )
    people = ibis.memtable({"person_id": ["P2", "P4"], "name": ["Bea", "Dan"]})
    owners = account_owners(opportunities=opportunities, people=people)
    assert owners is not None
    rows = sorted(owners.to_pyarrow().to_pylist(), key=lambda r: r["account_id"])
    assert rows == [
        {"account_id": "a", "owner_id": "P2", "owner_name": "Bea"},  # latest won, not the lost
        {"account_id": "b", "owner_id": "P4", "owner_name": "Dan"},  # only a lost deal
    ]
    accounts = ibis.memtable({"account_id": ["a"], "name": ["A Co"], "owner_id": ["P9"]})
    own = account_owners(accounts=accounts, opportunities=opportunities)
    assert own is not None
    assert own.to_pyarrow().to_pylist() == [
        {"account_id": "a", "owner_id": "P9", "owner_name": None}
    ]
    assert account_owners(accounts=ibis.memtable({"account_id": ["a"], "name": ["A"]})) is None
