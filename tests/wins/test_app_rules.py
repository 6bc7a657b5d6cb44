"""Rules over app data and starter projects, on hand-made inputs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coparent.wins import AppData, FeedbackAnswer, OfferVerdict, WinbackList, WinsConfig
from coparent.wins.app_rules import (
    fast_answer_wins,
    first_accepted_mql_wins,
    first_answered_brief_wins,
    offer_verdict_wins,
    winback_reactivation_wins,
)
from tests.wins._rows import rows

POSTED = datetime(2026, 11, 2, 9)


def answer(
    item: str, hours: float, *, kind: str = "field_insight", by: str = "Lee Park"
) -> FeedbackAnswer:
    return FeedbackAnswer(
        item_id=item,
        kind=kind,
        title=f"Item {item}",
        side="sales" if kind == "campaign_brief" else "marketing",
        created_at=POSTED,
        answered_at=POSTED + timedelta(hours=hours),
        answered_by=by,
        author="Ana Rep" if kind != "campaign_brief" else "Bo Marketer",
        author_side="marketing" if kind == "campaign_brief" else "sales",
    )


def test_an_item_answered_within_a_day_credits_who_answered_and_a_slower_one_does_not() -> None:
    # 3.5 hours and exactly 24 hours are within a day; 24 hours and a minute is not
    app = AppData(answers=(answer("1", 3.5), answer("2", 24), answer("3", 24 + 1 / 60)))
    got = fast_answer_wins(rows(), app, WinsConfig())
    assert [w.key for w in got] == ["fast_answer:1", "fast_answer:2"]
    first = got[0]
    assert first.teams == ("marketing",)
    assert [(c.name, c.team) for c in first.credited] == [("Lee Park", "marketing")]
    assert first.date == date(2026, 11, 2)
    assert first.story == "Lee Park (Marketing) answered the field insight “Item 1” in 3.5 hours."
    assert fast_answer_wins(rows(), app, WinsConfig(fast_answer_hours=2)) == []


def _list() -> WinbackList:
    return WinbackList(
        list_id="wb-2026-09-30-1",
        as_of=date(2026, 9, 30),
        members=(
            {
                "account_id": "A1",
                "account_name": "Acme",
                "group": "contacted",
                "owner_id": "P2",
                "owner_name": "Dana Reyes",
            },
            {
                "account_id": "A2",
                "account_name": "Globex",
                "group": "contacted",
                "owner_id": None,
                "owner_name": None,
            },
        ),
    )


def test_the_first_reactivation_of_a_win_back_list_credits_who_reached_out() -> None:
    reactivated = {
        "list_id": "wb-2026-09-30-1",
        "account_id": "A1",
        "ordered_at": datetime(2026, 10, 12),
        "amount": 4200.0,
    }
    facts = rows(reactivations=[reactivated], winback_lists=[_list()])
    app = AppData(contacted_by={"wb-2026-09-30-1": {"A1": "Sam Ito"}})
    (win,) = winback_reactivation_wins(facts, app, WinsConfig())
    assert win.key == "winback_reactivation:wb-2026-09-30-1"
    assert win.date == date(2026, 10, 12)
    assert win.teams == ("marketing", "sales")
    assert [(c.name, c.team) for c in win.credited] == [("Sam Ito", "sales")]
    assert win.story == (
        "First win-back of the list wb-2026-09-30-1: Acme ordered again ($4,200) on "
        "12 Oct 2026 — Sam Ito (Sales) reached out."
    )
    # nobody marked it contacted: the account's owner on the list is credited
    (win,) = winback_reactivation_wins(facts, AppData(), WinsConfig())
    assert [(c.name, c.person_id) for c in win.credited] == [("Dana Reyes", "P2")]


def test_offer_tests_with_a_verdict_are_celebrated_and_those_without_are_not() -> None:
    day = date(2026, 9, 16)
    verdicts = [
        OfferVerdict("exp-ship", "ship", day, winner="first_month_free", control="discount_20"),
        OfferVerdict("exp-keep", "stop", day, winner="discount_20", control="discount_20"),
        OfferVerdict("exp-open", "keep testing", day, winner=None, control="discount_20"),
        OfferVerdict("exp-srm", "stop", day, winner=None, control="discount_20"),
    ]
    got = offer_verdict_wins(rows(offer_verdicts=verdicts), AppData(), WinsConfig())
    assert [w.key for w in got] == ["offer_verdict:exp-ship", "offer_verdict:exp-keep"]
    assert got[0].story == (
        "The offer test exp-ship has a verdict: first_month_free converts better than "
        "discount_20. Time to ship it."
    )
    assert got[1].teams == ("marketing", "sales")


def test_first_accepted_mql_is_the_earliest_in_early_days_with_both_sides_credited() -> None:
    # setup 1 Nov; candidates: the CRM's L1 accepted 3 Nov, the app's L2 reviewed 2 Nov
    candidates = [
        {
            "lead_id": "L1",
            "accepted_at": datetime(2026, 11, 3),
            "reviewer": "",
            "owner_id": "P2",
            "owner_name": "Dana Reyes",
            "campaign_id": None,
        },
        {
            "lead_id": "L2",
            "accepted_at": datetime(2026, 11, 2),
            "reviewer": "Ana Rep",
            "owner_id": "P2",
            "owner_name": "Dana Reyes",
            "campaign_id": "C1",
            "campaign_name": "Webinar",
            "campaign_owner_id": "P1",
            "campaign_owner_name": "Lee Park",
        },
    ]
    app = AppData(setup_on=date(2026, 11, 1))
    (win,) = first_accepted_mql_wins(rows(first_accepted=candidates), app, WinsConfig())
    assert win.key == "first_accepted_mql:L2"
    assert [(c.name, c.team) for c in win.credited] == [
        ("Lee Park", "marketing"),
        ("Ana Rep", "sales"),
    ]
    assert win.story == (
        "First MQL accepted since setup: lead L2 from “Webinar” — Lee Park (Marketing) and "
        "Ana Rep (Sales). A great start!"
    )
    off = WinsConfig(early_days_weeks=0)
    assert first_accepted_mql_wins(rows(first_accepted=candidates), app, off) == []
    # the early days are over by 10 weeks after setup
    late = AppData(setup_on=date(2026, 8, 1))
    assert first_accepted_mql_wins(rows(first_accepted=candidates), late, WinsConfig()) == []


def test_first_answered_brief_credits_who_posted_it_and_who_answered() -> None:
    app = AppData(
        setup_on=date(2026, 11, 1),
        answers=(
            answer("7", 30, kind="campaign_brief", by="Ana Rep"),
            answer("8", 50, kind="campaign_brief", by="Cy Rep"),
            answer("9", 1),  # a field insight, not a brief
        ),
    )
    (win,) = first_answered_brief_wins(rows(), app, WinsConfig())
    assert win.key == "first_answered_brief:7"
    assert [(c.name, c.team) for c in win.credited] == [
        ("Bo Marketer", "marketing"),
        ("Ana Rep", "sales"),
    ]
    assert win.teams == ("marketing", "sales")
    assert first_answered_brief_wins(rows(), app, WinsConfig(early_days_weeks=0)) == []
