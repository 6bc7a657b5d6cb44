"""The digest's data model: ISO weeks, the fixed section order, a one-line title."""

from __future__ import annotations

from datetime import date

import pytest

from coparent.notify import (
    SECTION_ORDER,
    Digest,
    DigestError,
    Section,
    iso_week,
    parse_week,
    week_bounds,
)
from tests.notify.samples import sample_digest


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 11, 26), "2026-W48"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2027, 1, 1), "2026-W53"),  # ISO years can end in week 53
        (date(2024, 12, 30), "2025-W01"),
    ],
)
def test_iso_week_names_the_week_of_a_day(day: date, week: str) -> None:
    assert iso_week(day) == week
    monday, sunday = week_bounds(week)
    assert monday <= day <= sunday
    assert monday.isoweekday() == 1
    assert (sunday - monday).days == 6


@pytest.mark.parametrize("text", ["2026-48", "2026-W54", "2025-W53", "W48", "2026-W0", ""])
def test_a_week_that_does_not_exist_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(DigestError, match="not an ISO week") as caught:
        parse_week(text)
    assert "2026-W48" in caught.value.hint


def test_the_sections_follow_the_agenda_order() -> None:
    digest = sample_digest()
    assert tuple(s.key for s in digest.sections) == SECTION_ORDER
    with pytest.raises(ValueError, match="sections must be"):
        Digest("2026-W40", "Acme", date(2026, 10, 4), tuple(reversed(digest.sections)))


def test_the_title_is_one_line_even_when_the_company_name_is_not() -> None:
    digest = sample_digest(company="Acme\r\nBcc: everyone@example.com")
    assert "\n" not in digest.title
    assert "\r" not in digest.title
    assert digest.title == (
        "Acme Bcc: everyone@example.com: weekly digest, week 2026-W40 (28 Sep - 4 Oct 2026)"
    )


def test_to_dict_is_json_ready_and_keeps_every_section() -> None:
    import json

    data = json.loads(json.dumps(sample_digest().to_dict()))
    assert data["week"] == "2026-W40"
    assert (data["start"], data["end"], data["as_of"]) == ("2026-09-28", "2026-10-04", "2026-10-04")
    assert [s["key"] for s in data["sections"]] == list(SECTION_ORDER)


def test_a_section_without_lines_or_groups_has_no_content() -> None:
    assert not Section("pairs", "Pairs", empty="No round").has_content
