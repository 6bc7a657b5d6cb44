"""Deal rules on tiny hand-made rows; each test states the derivation."""

from __future__ import annotations

from datetime import date, datetime

from coparent.wins import AppData, GoalTarget, WinsConfig
from coparent.wins.deals import (
    biggest_deal_wins,
    deal_won_wins,
    first_joint_win_wins,
    goal_milestone_wins,
    record_month_wins,
)
from tests.wins._rows import deal, rows

CONFIG = WinsConfig()


def test_a_won_deal_from_a_campaign_credits_the_seller_and_the_campaigns_owner() -> None:
    # O1: owner P2 (Dana, Sales), lead from campaign C1 owned by P1 (Lee, Marketing)
    (win,) = deal_won_wins(
        rows(
            won_deals=[deal("O1", datetime(2026, 7, 3), 48000, campaign="C1", campaign_owner="P1")]
        ),
        AppData(),
        CONFIG,
    )
    assert win.key == "deal_won:O1"
    assert win.date == date(2026, 7, 3)
    assert win.teams == ("marketing", "sales")
    assert [(c.name, c.team) for c in win.credited] == [
        ("Dana Reyes", "sales"),
        ("Lee Park", "marketing"),
    ]
    assert win.amount == 48000
    assert win.evidence == ("O1", "L-O1", "C1")
    assert win.story.startswith("Won: $48,000 with Account O1 — Dana Reyes (Sales) and Lee Park")


def test_a_deal_without_a_campaign_credits_sales_only_and_one_with_an_ownerless_campaign_both() -> (
    None
):
    plain, ownerless = deal_won_wins(
        rows(
            won_deals=[
                deal("O1", datetime(2026, 7, 3), 100),
                deal("O2", datetime(2026, 7, 4), 200, campaign="C9"),
            ]
        ),
        AppData(),
        CONFIG,
    )
    assert plain.teams == ("sales",)
    assert [c.team for c in plain.credited] == ["sales"]
    # the lead came from Marketing's campaign C9, which has no owner on record
    assert ownerless.teams == ("marketing", "sales")
    assert [c.team for c in ownerless.credited] == ["sales"]
    assert "Marketing's campaign “Campaign C9”" in ownerless.story


def test_a_deal_without_an_owner_credits_the_sales_team_by_name_only() -> None:
    (win,) = deal_won_wins(
        rows(won_deals=[deal("O1", datetime(2026, 7, 3), 100, owner=None)]), AppData(), CONFIG
    )
    assert win.credited == ()
    assert win.teams == ("sales",)
    assert "the Sales team" in win.story


def test_biggest_deal_running_records_and_the_quarters_biggest_once_it_is_over() -> None:
    # 2026-Q3, in order: O1 100 (nothing to beat), O2 300 (beats 100: record),
    # O3 200 (no), O4 300 (ties 300: no), O5 500 (beats 300: record).
    # Q3 is over at until = 1 Oct, so O5 is also the quarter's biggest: one win, final story.
    # 2026-Q4 (to 20 Oct, not over): O6 50, O7 40: no record, and no final win yet.
    deals = [
        deal("O1", datetime(2026, 7, 1), 100),
        deal("O2", datetime(2026, 7, 2), 300),
        deal("O3", datetime(2026, 7, 3), 200),
        deal("O4", datetime(2026, 8, 1), 300),
        deal("O5", datetime(2026, 9, 1), 500),
        deal("O6", datetime(2026, 10, 2), 50),
        deal("O7", datetime(2026, 10, 3), 40),
    ]
    got = biggest_deal_wins(
        rows(won_deals=reversed(deals), until=datetime(2026, 10, 20)), AppData(), CONFIG
    )
    by_key = {w.key: w for w in got}
    assert set(by_key) == {"biggest_deal:O2", "biggest_deal:O5"}
    assert by_key["biggest_deal:O2"].story.startswith(
        "New biggest deal of 2026-Q3 so far: $300 with Account O2, above the $100 before it"
    )
    assert by_key["biggest_deal:O5"].story.startswith("Biggest deal of 2026-Q3: $500")


def test_the_first_deal_of_a_quarter_wins_biggest_only_if_it_stays_the_biggest() -> None:
    # Q3: O1 900 first, then O2 100 — O1 is the biggest when the quarter ends
    deals = [deal("O1", datetime(2026, 7, 1), 900), deal("O2", datetime(2026, 7, 9), 100)]
    (win,) = biggest_deal_wins(rows(won_deals=deals), AppData(), CONFIG)
    assert win.key == "biggest_deal:O1"
    # read in August, the quarter is not over: nothing yet
    early = rows(won_deals=deals, until=datetime(2026, 8, 1))
    assert biggest_deal_wins(early, AppData(), CONFIG) == []


def test_biggest_deal_skips_a_quarter_whose_deals_were_not_all_fetched() -> None:
    deals = [deal("O1", datetime(2026, 7, 1), 100), deal("O2", datetime(2026, 8, 1), 300)]
    partial = rows(won_deals=deals, deals_from=datetime(2026, 7, 15))
    assert biggest_deal_wins(partial, AppData(), CONFIG) == []


def _months(*revenues: tuple[str, float, int]) -> list[dict[str, object]]:
    return [
        {"month": date.fromisoformat(m + "-01"), "revenue": r, "deals": n} for m, r, n in revenues
    ]


def test_a_record_month_is_dated_by_the_deal_that_passed_the_old_record() -> None:
    # Jan 100, Feb 300, Mar 200 (3 earlier months), then April: 150 + 100 + 80 = 330 > 300.
    # The running total passes 300 with the third deal (150 + 100 + 80 = 330) on 20 April.
    april = [
        deal("O1", datetime(2026, 4, 2), 150),
        deal("O2", datetime(2026, 4, 9), 100, campaign="C1", campaign_owner="P1"),
        deal("O3", datetime(2026, 4, 20), 80),
    ]
    monthly = _months(
        ("2026-01", 100, 1), ("2026-02", 300, 2), ("2026-03", 200, 1), ("2026-04", 330, 3)
    )
    (win,) = record_month_wins(rows(monthly_revenue=monthly, won_deals=april), AppData(), CONFIG)
    assert win.key == "record_month:2026-04"
    assert win.date == date(2026, 4, 20)
    assert win.teams == ("marketing", "sales")  # O2 came from Marketing's campaign
    assert win.story == (
        "Record month: $330 won in April 2026, above the best month before it "
        "($300 in February 2026) — 3 deals won by both teams."
    )


def test_no_record_month_before_enough_history_nor_for_an_equal_month() -> None:
    # Feb beats Jan but has 1 earlier month (< 3); April equals the best (300): not more
    monthly = _months(
        ("2026-01", 100, 1), ("2026-02", 300, 1), ("2026-03", 200, 1), ("2026-04", 300, 1)
    )
    april = [deal("O1", datetime(2026, 4, 2), 300)]
    assert (
        record_month_wins(rows(monthly_revenue=monthly, won_deals=april), AppData(), CONFIG) == []
    )
    assert (
        record_month_wins(
            rows(monthly_revenue=monthly, won_deals=april),
            AppData(),
            WinsConfig(record_month_min_months=1),
        )
        == []
    )  # Feb would count with 1 month of history, but its deals were not given


def test_goal_milestones_are_dated_by_the_deal_that_reached_each_share() -> None:
    # Goal 1,000 for 2026-Q3. Running total: 200 (4 Jul), 500 (10 Jul: 25% and 50%),
    # 700 (1 Aug: still under 75%), 1,100 (9 Sep: 75% and 100%).
    goal = GoalTarget("2026-Q3", date(2026, 7, 1), date(2026, 10, 1), 1000.0)
    deals = [
        deal("O1", datetime(2026, 7, 4), 200),
        deal("O2", datetime(2026, 7, 10), 300),
        deal("O3", datetime(2026, 8, 1), 200),
        deal("O4", datetime(2026, 9, 9), 400),
        deal("O0", datetime(2026, 6, 30), 5000),  # before the period: does not count
    ]
    got = goal_milestone_wins(rows(won_deals=deals), AppData(goals=(goal,)), CONFIG)
    assert [(w.key, w.date) for w in got] == [
        ("goal_milestone:2026-Q3:25", date(2026, 7, 10)),
        ("goal_milestone:2026-Q3:50", date(2026, 7, 10)),
        ("goal_milestone:2026-Q3:75", date(2026, 9, 9)),
        ("goal_milestone:2026-Q3:100", date(2026, 9, 9)),
    ]
    assert all(w.teams == ("marketing", "sales") for w in got)
    assert got[1].story == (
        "Halfway there: both teams have won $500 of the $1,000 goal for 2026-Q3 (50%) "
        "by 10 Jul 2026."
    )
    assert got[3].story.startswith("Goal reached! Sales and Marketing have won $1,100")


def test_first_joint_win_is_the_first_deal_crediting_both_teams_in_early_days_only() -> None:
    # setup 1 July, 8 weeks of early days: to 26 Aug. O1 is Sales only; O2 is joint (first);
    # O3 is joint too but later.
    deals = [
        deal("O1", datetime(2026, 7, 2), 100),
        deal("O2", datetime(2026, 7, 8), 100, campaign="C1", campaign_owner="P1"),
        deal("O3", datetime(2026, 7, 9), 100, campaign="C1", campaign_owner="P1"),
    ]
    app = AppData(setup_on=date(2026, 7, 1))
    (win,) = first_joint_win_wins(rows(won_deals=deals), app, CONFIG)
    assert win.key == "first_joint_win:O2"
    assert win.teams == ("marketing", "sales")
    assert first_joint_win_wins(rows(won_deals=deals), app, WinsConfig(early_days_weeks=0)) == []
    late = AppData(setup_on=date(2026, 7, 9))  # O3 is the first joint win after this setup
    assert [w.key for w in first_joint_win_wins(rows(won_deals=deals), late, CONFIG)] == [
        "first_joint_win:O3"
    ]
