"""The words of each section, from plain data; missing data says what to set up."""

from __future__ import annotations

from datetime import date

from coparent.notify.sections import (
    MAX_ITEMS,
    diagnosis_section,
    pairs_section,
    scorecard_section,
    starters_section,
    waiting_section,
    wins_section,
)
from tests.notify.samples import DIAGNOSIS, OFFER, PAIRS, SCORECARD, WAITING, WINBACK, WINS, missing

WEEK = (date(2026, 9, 28), date(2026, 10, 4))


def _texts(section) -> list[str]:  # type: ignore[no-untyped-def]
    out = list(section.lines)
    for g in section.groups:
        out += [g.heading, g.summary, g.empty]
        for it in g.items:
            out += [it.text, *it.details]
    return out


def test_the_scorecard_puts_the_shared_goal_first_and_both_teams_side_by_side() -> None:
    section = scorecard_section(SCORECARD)
    assert section.title == "Scorecard 2026-Q3"
    assert section.lines[0] == (
        "Shared goal 2026-Q3: $912,973 of $1,000,000 won (91%), forecast $1,010,000: on track."
    )
    assert [g.heading for g in section.groups] == ["Marketing", "Sales"]
    texts = _texts(section)
    assert "MQLs delivered: 574 of 600 committed" in texts
    assert "Contacted within 24 hours: 68%" in texts


def test_the_scorecard_without_a_goal_says_who_sets_it() -> None:
    section = scorecard_section({**SCORECARD, "goal": None})
    assert "No shared goal is set for 2026-Q3" in section.lines[0]


def test_single_team_mode_names_the_two_roles_not_two_teams() -> None:
    labels = {"marketing": "Marketing work", "sales": "Sales work"}
    section = scorecard_section(SCORECARD, side_labels=labels)
    assert [g.heading for g in section.groups] == ["Marketing work", "Sales work"]


def test_the_diagnosis_headline_reads_like_coparent_diagnose() -> None:
    section = diagnosis_section(DIAGNOSIS)
    assert section.lines == (
        "2026-Q3 against 2026-Q2: Revenue rose 73% (+385,960) from 2026-Q2 to 2026-Q3",
    )


def test_the_diagnosis_lists_what_its_headline_names_from_the_ranked_findings() -> None:
    findings = [
        {"kind": "factor", "factor": "deal_size", "segment": None, "amount": 588_030.2,
         "significant": False, "text": "Larger won deals (within normal variation)."},
        {"kind": "factor", "factor": "volume", "segment": None, "amount": -132_334.1,
         "significant": True, "text": "Fewer MQLs: 693 to 574, -132,334 in revenue."},
        {"kind": "verdict", "factor": "win_rate", "segment": "insight-cloud",
         "amount": -113_025.0, "significant": True,
         "text": "Insight Cloud: a product signal, a lower win rate."},
    ]  # fmt: skip
    section = diagnosis_section({**DIAGNOSIS, "findings": findings})
    (group,) = section.groups
    assert [i.text for i in group.items] == [findings[1]["text"], findings[2]["text"]]


def test_wins_credit_people_with_their_team_and_count_wins_per_team() -> None:
    section = wins_section(WINS, start=WEEK[0], end=WEEK[1])
    assert section.lines == (
        "2 win(s) from 28 Sep to 4 Oct 2026; credited: Marketing in 1, Sales in 2.",
    )
    first = section.groups[0].items[0]
    assert first.details == ("Credited: Ana Rep (Sales), Bo Webinar (Marketing)", "On Tue 29 Sep")


def test_a_quiet_week_says_so_and_where_wins_come_from() -> None:
    section = wins_section([], start=WEEK[0], end=WEEK[1])
    assert not section.has_content
    assert section.empty == "No wins were detected from 28 Sep to 4 Oct 2026."
    assert "kudos" in section.hint


def test_long_lists_are_cut_and_the_rest_counted() -> None:
    many = [{**WINS[1], "story": f"win {i}"} for i in range(MAX_ITEMS + 3)]
    items = wins_section(many, start=WEEK[0], end=WEEK[1]).groups[0].items
    assert len(items) == MAX_ITEMS + 1
    assert items[-1].text == "... and 3 more on the Wins page"


def test_waiting_items_show_age_against_due_and_flag_the_overdue() -> None:
    section = waiting_section(WAITING)
    marketing, sales = section.groups
    assert marketing.heading == "Waiting for Marketing"
    assert marketing.summary == "2 waiting, 1 overdue"
    late, fresh = marketing.items
    assert late.flag == "overdue"
    assert late.details == ("field insight, waiting 3.3 days, overdue by 32 hours",)
    assert fresh.flag == ""
    assert fresh.details == ("lead rejected, waiting 5 hours, due in 43 hours",)
    assert sales.summary == "nothing waiting: all answered"


def test_starter_projects_show_progress_outcome_and_the_offer_verdict() -> None:
    section = starters_section(WINBACK, OFFER)
    texts = _texts(section)
    assert (
        "List wb-2026-09-30-1 (as of 2026-09-30): 36 accounts to contact, 4 held out for "
        "comparison; $1,735,990 at stake in the list, $1,562,391 of it in the accounts to "
        "contact." in texts
    )
    assert "Assigned: 10; contacted: 3 of 36." in texts
    assert "Test offer-2026-q3: ship; winner: first_month_free" in texts


def test_a_missing_starter_project_says_what_to_do_and_keeps_the_other() -> None:
    section = starters_section(missing("No win-back list", "freeze one"), OFFER)
    assert section.groups[0].empty == "No win-back list (freeze one)"
    assert section.groups[1].items


def test_pairs_list_members_with_their_team_and_the_agenda() -> None:
    item = pairs_section(PAIRS).groups[0].items[0]
    assert item.text == "Ana Rep (Sales) + Bo Webinar (Marketing)"
    assert item.details == ("3 of your webinar MQLs were rejected for no budget this month",)
    assert "coparent pairs" in pairs_section([]).hint


def test_any_section_without_data_keeps_its_place_and_says_why() -> None:
    gone = missing()
    for section in (
        scorecard_section(gone),
        diagnosis_section(gone),
        wins_section(gone, start=WEEK[0], end=WEEK[1]),
        waiting_section(gone),
        pairs_section(gone),
    ):
        assert not section.has_content
        assert (section.empty, section.hint) == ("no opportunities imported", "import them")
