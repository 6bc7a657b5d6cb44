"""The balance panel's numbers and its warning: more than the share warns, exactly it does not."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.wins import BalanceItem, balance_report, recognition_shares

END = date(2026, 9, 30)  # a Wednesday; its week starts on Monday 28 Sep


def recognised(n_sales: int, n_marketing: int, *, day: date = END) -> list[BalanceItem]:
    return [BalanceItem("recognition", day, ("sales",))] * n_sales + [
        BalanceItem("recognition", day, ("marketing",))
    ] * n_marketing


def test_exactly_the_maximum_share_is_no_warning_and_one_more_is() -> None:
    # 13 of 20 = 65% exactly: no warning; 14 of 21 = 66.7% > 65%: warning
    at = balance_report(recognised(13, 7), end=END, weeks=8)
    assert at["window"]["sales"]["share"] == 0.65
    assert at["warning"] is None
    above = balance_report(recognised(14, 7), end=END, weeks=8)
    assert above["warning"]["side"] == "sales"
    assert above["warning"]["message"] == (
        "Sales received 67% of the recognition in the last 8 weeks (more than 65%). "
        "Look for what Marketing did well and say so."
    )


def test_just_above_the_share_in_halves_warns_and_the_limit_is_configurable() -> None:
    # a joint win gives half to each side: sales 13.5 of 20 = 67.5% > 65%
    items = [*recognised(13, 6), BalanceItem("recognition", END, ("marketing", "sales"))]
    report = balance_report(items, end=END, weeks=8)
    assert report["window"]["sales"]["recognition"] == 13.5
    assert report["warning"] is not None
    assert balance_report(items, end=END, weeks=8, max_share=0.7)["warning"] is None


def test_no_warning_before_enough_recognition_in_the_window() -> None:
    # 4 wins, all Sales' (100%), with a minimum of 5: too few to judge
    assert balance_report(recognised(4, 0), end=END, weeks=8)["warning"] is None
    assert balance_report(recognised(4, 0), end=END, weeks=8, min_items=4)["warning"] is not None


def test_only_the_last_n_weeks_count_for_the_warning_but_the_weeks_show_history() -> None:
    # 10 Sales wins 9 weeks before END are outside an 8-week window; 3 + 3 inside are balanced
    old = recognised(10, 0, day=END - timedelta(weeks=9))
    report = balance_report(old + recognised(3, 3), end=END, weeks=8, history_weeks=12)
    assert report["window"]["from"] == "2026-08-10"  # 8 Mondays: 10 Aug ... 28 Sep
    assert report["window"]["items"] == 6
    assert report["warning"] is None
    assert len(report["weeks"]) == 12
    assert report["weeks"][0]["week"] == "2026-07-13"
    assert report["weeks"][2]["sales"]["recognition"] == 10  # the week of 27 Jul


def test_revenue_goals_and_answers_are_counted_per_side_and_week() -> None:
    items = [
        BalanceItem("recognition", END, ("marketing", "sales"), 1000.0),  # a joint deal
        BalanceItem("recognition", END, ("sales",), 500.0),
        BalanceItem("goals", END, ("marketing",)),
        BalanceItem("answered", END, ("sales",)),
        BalanceItem("answered", END, ("sales",)),
    ]
    w = balance_report(items, end=END, weeks=1)["window"]
    assert (w["marketing"]["revenue"], w["sales"]["revenue"]) == (1000.0, 1500.0)
    assert (w["marketing"]["goals"], w["sales"]["answered"]) == (1, 2)
    assert w["items"] == 2


def test_single_team_mode_compares_the_two_roles_work() -> None:
    report = balance_report(recognised(14, 6), end=END, weeks=8, single_team=True)
    assert report["sides"] == {"marketing": "Marketing work", "sales": "Sales work"}
    assert report["warning"]["message"].startswith("Sales work received 70% of the recognition")
    assert "Marketing work did well" in report["warning"]["message"]


def test_weeks_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        balance_report([], end=END, weeks=0)


sides = st.sampled_from([("sales",), ("marketing",), ("marketing", "sales"), ("sales", "sales")])


@given(st.lists(sides, min_size=1, max_size=40))
def test_recognition_shares_add_up_to_one(credited: list[tuple[str, ...]]) -> None:
    shares = recognition_shares(BalanceItem("recognition", END, s) for s in credited)
    assert sum(shares.values()) == Fraction(1)
    report = balance_report(
        [BalanceItem("recognition", END, s) for s in credited], end=END, weeks=2
    )
    w = report["window"]
    assert w["marketing"]["share"] + w["sales"]["share"] == pytest.approx(1.0)
    assert w["marketing"]["recognition"] + w["sales"]["recognition"] == pytest.approx(len(credited))
