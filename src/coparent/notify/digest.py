"""The weekly digest as plain data: a week, a company, six sections in a fixed order.

Renderers (`coparent.notify.render`, `coparent.notify.slack`) only walk this
structure, so the text preview, the HTML email and the Slack message always
say the same things. A section that has nothing to show says why and what to
set up (``empty`` / ``hint``) instead of disappearing, so the agenda keeps its
shape every week.

Weeks are ISO weeks (Monday to Sunday), named like ``2026-W48``; a digest is
sent at most once per week and channel (see `coparent.web.digest`).

>>> iso_week(date(2026, 11, 26)), week_bounds("2026-W48")
('2026-W48', (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29)))
>>> parse_week("2026-w1")
'2026-W01'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from coparent.errors import DigestError

__all__ = [
    "SECTION_ORDER",
    "Digest",
    "DigestError",
    "Group",
    "Item",
    "Section",
    "iso_week",
    "parse_week",
    "week_bounds",
]

#: The family meeting agenda, in the order it is read.
SECTION_ORDER: tuple[str, ...] = ("scorecard", "diagnosis", "wins", "waiting", "starters", "pairs")

_WEEK = re.compile(r"^(\d{4})-[Ww](\d{1,2})$")


@dataclass(frozen=True)
class Item:
    """One line of a section: ``text``, optional ``details`` under it, ``flag`` to stress it."""

    text: str
    details: tuple[str, ...] = ()
    flag: str = ""


@dataclass(frozen=True)
class Group:
    """A titled list inside a section (one per team, one per starter project...)."""

    heading: str
    items: tuple[Item, ...] = ()
    summary: str = ""
    empty: str = ""


@dataclass(frozen=True)
class Section:
    """One agenda point. ``empty`` (+ ``hint``) says why there is nothing to show."""

    key: str
    title: str
    lines: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    empty: str = ""
    hint: str = ""

    @property
    def has_content(self) -> bool:
        return bool(self.lines or self.groups)


@dataclass(frozen=True)
class Digest:
    """A rendered-to-be digest; ``sections`` follow `SECTION_ORDER`."""

    week: str
    company: str
    as_of: date
    sections: tuple[Section, ...] = field(default_factory=tuple)
    note: str = ""  # e.g. the data ends before this week: which week the digest covers instead

    def __post_init__(self) -> None:
        keys = tuple(s.key for s in self.sections)
        if keys != SECTION_ORDER:
            raise ValueError(f"sections must be {SECTION_ORDER}, not {keys}")

    @property
    def start(self) -> date:
        return week_bounds(self.week)[0]

    @property
    def end(self) -> date:
        return week_bounds(self.week)[1]

    @property
    def title(self) -> str:
        """``Acme: weekly digest, week 2026-W48 (23-29 Nov 2026)``, on one line."""
        company = " ".join(self.company.split()) or "Your company"
        return f"{company}: weekly digest, week {self.week} ({_span(self.start, self.end)})"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["title"] = self.title
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def _span(start: date, end: date) -> str:
    if start.month == end.month:
        return f"{start.day}-{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} - {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y}"


def iso_week(day: date) -> str:
    """The ISO week containing ``day``, e.g. ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    """``2026-W48`` (case and a missing zero forgiven) in its canonical form, or `DigestError`."""
    match = _WEEK.match(text.strip())
    if match:
        try:
            date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
        else:
            return f"{match[1]}-W{int(match[2]):02d}"
    raise DigestError(
        f"not an ISO week: {text!r}", hint="write the year and the week, e.g. 2026-W48"
    )


def week_bounds(week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week."""
    canonical = parse_week(week)
    monday = date.fromisocalendar(int(canonical[:4]), int(canonical[6:]), 1)
    return monday, monday + timedelta(days=6)
