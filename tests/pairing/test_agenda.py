"""Agendas from tiny hand-made warehouse tables: each line's count is derived in its comment.

Window: as_of 2026-10-01, 30 days → [2026-09-01, 2026-10-01).
People: marketers Mia (M1, owns 'Webinar A'), Max (M2, owns 'Search B'), Mo (M3, no
campaigns); sellers Sam (S1), Sue (S2), Sid (S3, owns nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from coparent.errors import MissingColumnsError
from coparent.pairing.agenda import agenda_facts, agenda_lines
from coparent.pairing.schedule import Group
from tests.metrics._tables import rows, table

AS_OF = datetime(2026, 10, 1)
NAMES = {
    "M1": "Mia Lund",
    "M2": "Max Roth",
    "M3": "Mo Diallo",
    "S1": "Sam Okoye",
    "S2": "Sue Park",
    "S3": "Sid Varga",
}


def _d(day: str) -> datetime:
    return datetime.fromisoformat(day)


CAMPAIGNS = [
    {"campaign_id": "C1", "name": "Webinar A", "channel": "webinar", "owner_id": "M1"},
    {"campaign_id": "C2", "name": "Search B", "channel": "paid_search", "owner_id": "M2"},
]
LEADS = [
    # Mia's webinar leads Sam rejected: L1, L2 'No budget' and L3 'No need' in the window;
    # L4 'No budget' in July is outside it. So: 2 for 'No budget' (the top reason).
    {"lead_id": "L1", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-10"),
     "rejected_at": _d("2026-09-12"), "rejection_reason": "No budget"},
    {"lead_id": "L2", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-11"),
     "rejected_at": _d("2026-09-15"), "rejection_reason": "No budget"},
    {"lead_id": "L3", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-11"),
     "rejected_at": _d("2026-09-20"), "rejection_reason": "No need"},
    {"lead_id": "L4", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-06-20"),
     "rejected_at": _d("2026-07-01"), "rejection_reason": "No budget"},
    # waiting for first contact: L5 (MQL 09-25, nothing since); L6 was contacted, L9 was
    # contacted only after as_of (so it still waits at as_of). Oldest MQL: 2026-09-24.
    {"lead_id": "L5", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-25")},
    {"lead_id": "L6", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-28"),
     "first_contacted_at": _d("2026-09-29")},
    {"lead_id": "L9", "campaign_id": "C1", "owner_id": "S1", "mql_at": _d("2026-09-24"),
     "first_contacted_at": _d("2026-10-03")},
    # Max's search lead Sam accepted in the window: 1
    {"lead_id": "L7", "campaign_id": "C2", "owner_id": "S1", "mql_at": _d("2026-09-04"),
     "accepted_at": _d("2026-09-05")},
    # Mia's webinar lead that became Sue's won deal O1
    {"lead_id": "L8", "campaign_id": "C1", "owner_id": "S2", "mql_at": _d("2026-08-01"),
     "accepted_at": _d("2026-08-02"), "opportunity_id": "O1"},
]  # fmt: skip
OPPORTUNITIES = [
    {"opportunity_id": "O1", "lead_id": "L8", "account_id": "A1", "owner_id": "S2",
     "created_at": _d("2026-08-03"), "closed_at": _d("2026-09-20"), "status": "won",
     "amount": 12000.0},
    {"opportunity_id": "O2", "lead_id": None, "account_id": "A1", "owner_id": "S3",
     "created_at": _d("2026-09-03"), "status": "open", "amount": 5000.0},
]  # fmt: skip
ACCOUNTS = [{"account_id": "A1", "name": "Acme GmbH", "created_at": _d("2025-01-01")}]


def _facts(**kw: Any) -> list[dict[str, Any]]:
    expr = agenda_facts(
        table("leads", LEADS),
        campaigns=table("campaigns", CAMPAIGNS),
        opportunities=table("opportunities", OPPORTUNITIES),
        accounts=table("accounts", ACCOUNTS),
        people_ids=list(NAMES),
        as_of=AS_OF,
        **kw,
    )
    return rows(expr, sort=["kind", "marketing_id", "sales_id", "label"])


@pytest.fixture(scope="module")
def facts() -> list[dict[str, Any]]:
    return _facts()


def test_the_engine_counts_each_connection_once_per_kind_and_pair(
    facts: list[dict[str, Any]],
) -> None:
    got = {(r["kind"], r["marketing_id"], r["sales_id"], r["label"]): r["n"] for r in facts}
    assert got[("rejected", "M1", "S1", "No budget")] == 2
    assert got[("rejected", "M1", "S1", "No need")] == 1
    assert got[("waiting", "M1", "S1", "Webinar A")] == 2  # L5 and L9
    assert got[("accepted", "M2", "S1", None)] == 1
    assert got[("won", "M1", "S2", "Webinar A")] == 1
    assert got[("mqls", "M1", None, None)] == 6  # L1, L2, L3, L5, L6, L9
    assert got[("pipeline", None, "S3", None)] == 1
    assert all(r["marketing_id"] in NAMES or r["marketing_id"] is None for r in facts)


def test_a_pair_with_rejections_and_waiting_leads_gets_both_lines(
    facts: list[dict[str, Any]],
) -> None:
    lines = agenda_lines(Group(("M1",), ("S1",)), facts, names=NAMES)
    assert lines == [
        "2 webinar MQLs from Mia's campaigns that Sam worked were rejected for 'No budget' "
        "in the last 30 days: what does it tell you?",
        "2 leads from Mia's campaign 'Webinar A' owned by Sam are still waiting for first "
        "contact (MQL since 2026-09-24)",
    ]


def test_a_won_deal_that_started_from_the_marketers_campaign_comes_first(
    facts: list[dict[str, Any]],
) -> None:
    lines = agenda_lines(Group(("M1",), ("S2",)), facts, names=NAMES)
    assert lines[0] == (
        "Sue's won deal with Acme GmbH ($12,000) started from Mia's campaign 'Webinar A' "
        "in the last 30 days"
    )


def test_a_trio_uses_the_strongest_combination_of_each_kind(
    facts: list[dict[str, Any]],
) -> None:
    lines = agenda_lines(Group(("M1",), ("S1", "S2")), facts, names=NAMES)
    assert [line.split()[0] for line in lines] == ["Sue's", "2", "2"]  # won, rejected, waiting
    assert len(lines) == 3


def test_people_with_nothing_in_common_get_what_each_brings_or_a_plain_first_meeting(
    facts: list[dict[str, Any]],
) -> None:
    assert agenda_lines(Group(("M2",), ("S3",)), facts, names=NAMES) == [
        "Max's campaigns brought 1 MQL in the last 30 days",
        "Sid owns 1 open deal ($5,000)",
    ]
    assert agenda_lines(Group(("M3",), ("S3",)), [], names=NAMES) == [
        "No leads or deals connect Mo and Sid yet: a first meeting to learn how each "
        "other's work reaches customers"
    ]


def test_a_shorter_window_drops_what_happened_before_it() -> None:
    recent = _facts(days=7)  # [2026-09-24, 2026-10-01): no rejections, no won deal
    kinds = {r["kind"] for r in recent}
    assert "rejected" not in kinds
    assert "won" not in kinds
    assert "waiting" in kinds


def test_same_first_names_in_a_group_fall_back_to_full_names() -> None:
    names = {"M1": "Alex Berg", "S1": "Alex Chan"}
    row = {"kind": "accepted", "marketing_id": "M1", "sales_id": "S1", "label": None,
           "detail": None, "n": 2, "amount": None}  # fmt: skip
    assert agenda_lines(Group(("M1",), ("S1",)), [row], names=names) == [
        "Alex Chan accepted 2 MQLs from Alex Berg's campaigns in the last 30 days"
    ]


def test_leads_without_the_columns_the_agenda_reads_are_refused_by_name() -> None:
    leads = table("leads", LEADS).drop("rejection_reason")
    with pytest.raises(MissingColumnsError, match="rejection_reason"):
        agenda_facts(leads, campaigns=table("campaigns", CAMPAIGNS), people_ids=["M1"], as_of=AS_OF)
