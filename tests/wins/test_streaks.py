"""SLA streaks and fast contacts on hand-made weekly rows; each test states the derivation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coparent.wins import AppData, WinsConfig
from coparent.wins.campaigns import campaign_acceptance_wins
from coparent.wins.streaks import (
    fast_contact_wins,
    marketing_sla_streak_wins,
    sales_sla_streak_wins,
)
from tests.wins._rows import rows

MONDAY = date(2026, 6, 1)


def week(
    i: int,
    *,
    met: int = 8,
    missed: int = 2,
    pending: int = 0,
    accepted: int = 6,
    rejected: int = 4,
) -> dict[str, object]:
    """Week ``i`` after 1 June 2026 with 10 judged MQLs by default (80% met, 60% accepted)."""
    return {
        "week": MONDAY + timedelta(weeks=i),
        "mqls": met + missed + pending,
        "met": met,
        "missed": missed,
        "pending": pending,
        "accepted": accepted,
        "rejected": rejected,
    }


def test_four_weeks_on_target_make_a_sales_streak_and_eight_make_another() -> None:
    # weeks 0-8 all at 80% >= 70%: a streak at 4 weeks (ends week 3) and at 8 (ends week 7)
    got = sales_sla_streak_wins(rows(weeks=[week(i) for i in range(9)]), AppData(), WinsConfig())
    assert [(w.key, w.date) for w in got] == [
        ("sales_sla_streak:sales:2026-06-01:4", date(2026, 6, 28)),
        ("sales_sla_streak:sales:2026-06-01:8", date(2026, 7, 26)),
    ]
    assert got[0].teams == ("sales",)
    assert got[0].evidence == ("2026-W23", "2026-W24", "2026-W25", "2026-W26")
    assert got[0].story == (
        "4 weeks in a row on target: Sales contacted 80% of 40 MQLs within 24 hours, "
        "weeks of 1 Jun 2026 to 22 Jun 2026."
    )


def test_a_week_below_target_or_without_mqls_restarts_the_streak() -> None:
    # week 2 at 60% (< 70%) breaks; weeks 3-6 make 4. Week 7 is missing (no MQLs): weeks 8-10
    # are only 3 in a row.
    weeks = [week(0), week(1), week(2, met=6, missed=4), *[week(i) for i in range(3, 7)]]
    weeks += [week(8), week(9), week(10)]
    got = sales_sla_streak_wins(rows(weeks=weeks), AppData(), WinsConfig())
    assert [w.key for w in got] == ["sales_sla_streak:sales:2026-06-22:4"]


def test_exactly_on_the_target_share_counts_and_a_pending_or_unfinished_week_does_not() -> None:
    # 7 of 10 = 70% is on target. Week 3 still has a pending MQL, so it is not judged yet.
    weeks = [week(i, met=7, missed=3) for i in range(3)] + [week(3, pending=1)]
    assert sales_sla_streak_wins(rows(weeks=weeks), AppData(), WinsConfig()) == []
    weeks[3] = week(3)
    assert len(sales_sla_streak_wins(rows(weeks=weeks), AppData(), WinsConfig())) == 1
    # read on the Sunday of week 3, the week is not over
    unfinished = rows(weeks=weeks, until=datetime(2026, 6, 28))
    assert sales_sla_streak_wins(unfinished, AppData(), WinsConfig()) == []


def test_marketing_streak_needs_the_weekly_commitment_and_the_acceptance_rate() -> None:
    # commitment 52 a month = 12 a week. Weeks 0-3: 12 MQLs, 60% accepted: on target.
    weeks = [week(i, met=10, missed=2) for i in range(4)]
    config = WinsConfig(mql_commitment_per_month=52, acceptance_target=0.5)
    (win,) = marketing_sla_streak_wins(rows(weeks=weeks), AppData(), config)
    assert win.key == "marketing_sla_streak:marketing:2026-06-01:4"
    assert win.teams == ("marketing",)
    assert win.story == (
        "4 weeks in a row on target for Marketing: 48 MQLs delivered (commitment 48) and "
        "60% of those decided accepted by Sales, weeks of 1 Jun 2026 to 22 Jun 2026."
    )
    # 11 MQLs in week 2 is under 12: no streak
    weeks[2] = week(2, met=9, missed=2)
    assert marketing_sla_streak_wins(rows(weeks=weeks), AppData(), config) == []
    # a 40% acceptance week breaks it too (with no commitment, acceptance alone is judged)
    low = [week(i) for i in range(4)]
    low[1] = week(1, accepted=4, rejected=6)
    assert marketing_sla_streak_wins(rows(weeks=low), AppData(), WinsConfig()) == []


def test_marketing_weeks_are_not_judged_without_a_commitment_or_an_acceptance_target() -> None:
    weeks = [week(i) for i in range(4)]
    config = WinsConfig(mql_commitment_per_month=0, acceptance_target=0.0)
    assert marketing_sla_streak_wins(rows(weeks=weeks), AppData(), config) == []


def test_fast_contacts_make_one_win_per_week_crediting_each_person_with_their_count() -> None:
    # week of 6 Jul: Sam 1 (L4), Dana 2 (L9, L3); week of 13 Jul: Dana 1 (L5)
    groups = [
        _group("P3", None, date(2026, 7, 6), ["L4"], datetime(2026, 7, 10, 9)),
        _group("P2", "Dana Reyes", date(2026, 7, 6), ["L9", "L3"], datetime(2026, 7, 9, 10)),
        _group("P2", "Dana Reyes", date(2026, 7, 13), ["L5"], datetime(2026, 7, 13, 9)),
    ]
    later, first = sorted(
        fast_contact_wins(rows(fast_contacts=groups), AppData(), WinsConfig()),
        key=lambda w: w.date,
        reverse=True,
    )
    assert first.key == "fast_contact:sales:2026-W28"
    assert first.date == date(2026, 7, 10)  # the week's latest fast contact
    assert first.evidence == ("L3", "L4", "L9")
    assert [(c.name, c.team, c.person_id) for c in first.credited] == [
        ("Dana Reyes", "sales", "P2"),
        ("P3", "sales", "P3"),
    ]
    assert first.story == (
        "Sales contacted 3 new MQLs within the hour in the week of 6 Jul 2026: "
        "Dana Reyes (2) and P3 (1)."
    )
    assert later.story.startswith("Sales contacted a new MQL within the hour")
    config = WinsConfig(fast_contact_minutes=30)
    got = fast_contact_wins(rows(fast_contacts=groups), AppData(), config)
    assert all("within 30 minutes" in w.story for w in got)


def _group(
    owner: str, name: str | None, week: date, leads: list[str], last: datetime
) -> dict[str, object]:
    return {
        "owner_id": owner,
        "owner_name": name,
        "week": week,
        "contacts": len(leads),
        "lead_ids": leads,
        "last_at": last,
    }


def _campaign(accepted: int, rejected: int, **extra: object) -> dict[str, object]:
    return {
        "campaign_id": "C1",
        "campaign_name": "Webinar",
        "owner_id": "P1",
        "owner_name": "Lee Park",
        "ended_on": date(2026, 7, 31),
        "mqls": accepted + rejected + 3,
        "accepted": accepted,
        "rejected": rejected,
        **extra,
    }


def test_an_ended_campaign_with_its_mqls_accepted_on_target_is_marketings_win() -> None:
    # 6 of 10 decided = 60% >= 50%: a win; 5 of 9 is too few decided (< 10); 4 of 10 is 40%
    (win,) = campaign_acceptance_wins(rows(campaigns=[_campaign(6, 4)]), AppData(), WinsConfig())
    assert win.key == "campaign_acceptance:C1"
    assert win.date == date(2026, 7, 31)
    assert win.teams == ("marketing",)
    assert [(c.name, c.team) for c in win.credited] == [("Lee Park", "marketing")]
    assert win.story == (
        "Campaign “Webinar” ended with 60% of its 10 decided MQLs accepted by Sales — "
        "Lee Park (Marketing)."
    )
    for few_or_low in (_campaign(5, 4), _campaign(4, 6)):
        assert campaign_acceptance_wins(rows(campaigns=[few_or_low]), AppData(), WinsConfig()) == []
    off = WinsConfig(acceptance_target=0.0)
    assert campaign_acceptance_wins(rows(campaigns=[_campaign(6, 4)]), AppData(), off) == []
