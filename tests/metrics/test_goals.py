"""Goal progress: run-rate and pipeline forecasts, and the status rule, on golden cases."""

from __future__ import annotations

from datetime import datetime

import pytest

from coparent.metrics.deals import deal_summary
from coparent.metrics.goals import GOAL_STATUSES, goal_progress
from coparent.metrics.periods import parse_period

from ._tables import d, demo_con, one, rec, table

SEPTEMBER = parse_period("2026-09")
READ_AT = d(9, 10)  # 9 of September's 30 days have passed; 21 remain

# W1 won 100 on Sep 2 after 32 days, W2 won 300 on Sep 5 after 16 days: actual 400.
# W3 won in March after 28 days, L1 lost in May: trailing year 3 won, 1 lost.
# L2 lost in June 2025: more than 365 days before Sep 10, not in the trailing year.
# Open at Sep 10: OPEN1 (1,000) and OPEN2 (no amount); OPEN3 is created after.
OPPS = table(
    "opportunities",
    [
        rec(status="won", created_at=d(8, 1), closed_at=d(9, 2), amount=100.0),
        rec(status="won", created_at=d(8, 20), closed_at=d(9, 5), amount=300.0),
        rec(status="won", created_at=d(2, 1), closed_at=d(3, 1), amount=200.0),
        rec(status="lost", created_at=d(4, 1), closed_at=d(5, 1), amount=80.0),
        rec(status="lost", created_at=datetime(2025, 5, 1), closed_at=datetime(2025, 6, 1)),
        rec(status="open", created_at=d(9, 1), amount=1000.0),
        rec(status="open", created_at=d(9, 1)),
        rec(status="open", created_at=d(9, 20), amount=500.0),
    ],
)


def test_run_rate_and_pipeline_forecasts_mid_month() -> None:
    # Run rate: 400 x 30 / 9 = 1,333.33. Pipeline: trailing win rate 3 / 4,
    # median cycle 28 days (of 16, 28, 32), so 21 / 28 = 0.75 of the open 1,000
    # can close in time: 400 + 1,000 x 0.75 x 0.75 = 962.5.
    row = one(goal_progress(OPPS, period=SEPTEMBER, target=1000, as_of=READ_AT))
    assert (row["target"], row["actual"], row["progress"]) == (1000.0, 400.0, 0.4)
    assert (row["elapsed_days"], row["period_days"]) == (9.0, 30.0)
    assert row["forecast"] == pytest.approx(400 * 30 / 9)
    assert (row["open_amount"], row["trailing_win_rate"], row["trailing_cycle_days"]) == (
        1000.0,
        0.75,
        28.0,
    )
    assert row["forecast_pipeline"] == pytest.approx(962.5)
    assert row["status"] == "on track"


@pytest.mark.parametrize(
    ("target", "as_of", "status"),
    [
        (300, READ_AT, "achieved"),  # 400 already won
        (2000, READ_AT, "at risk"),  # forecast 1,333 < 2,000
        (1000, READ_AT, "on track"),  # forecast 1,333 >= 1,000
        (1000, None, "missed"),  # September is over with 400
        (1000, d(10, 5), "missed"),  # read after the end: the same
        (1000, d(8, 20), "not started"),  # read before September
    ],
)
def test_status_rule(target: float, as_of: datetime | None, status: str) -> None:
    row = one(goal_progress(OPPS, period=SEPTEMBER, target=target, as_of=as_of))
    assert row["status"] == status
    assert status in GOAL_STATUSES


def test_before_the_period_there_is_nothing_to_forecast_and_after_it_nothing_left() -> None:
    before = one(goal_progress(OPPS, period=SEPTEMBER, target=1000, as_of=d(8, 20)))
    assert (before["elapsed_days"], before["actual"], before["forecast"]) == (0.0, 0.0, None)
    after = one(goal_progress(OPPS, period=SEPTEMBER, target=1000))
    # The period is over: both forecasts are the actual.
    assert (after["forecast"], after["forecast_pipeline"]) == (400.0, 400.0)


def test_a_goal_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        goal_progress(OPPS, period=SEPTEMBER, target=0)


def test_demo_quarter_goal_actual_is_the_quarters_won_revenue() -> None:
    opps = demo_con().table("opportunities")
    q3 = parse_period("2026-Q3")
    goal = one(goal_progress(opps, period=q3, target=1_000_000))
    assert goal["actual"] == one(deal_summary(opps, period=q3))["revenue"]
    assert goal["status"] in ("achieved", "missed")
