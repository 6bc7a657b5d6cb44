"""What a win is: a kind, a day, a one-line story, evidence, and who is credited.

A win is plain data so that the web app, the API, the digest and the tests
all read the same thing. Its `key` is the natural key the app stores it
under: the kind and the evidence that identifies the event (the deal, the
feedback item, the team and week...), never the story or the day, so running
the engine again finds the same win and updates it instead of adding one.

Teams are the two sides of the work, ``marketing`` and ``sales``. A person is
credited for the side of the work they did (the deal's owner for Sales, the
campaign's owner for Marketing), which is also what single-team mode
compares: the two roles of one team.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

__all__ = ["SIDES", "Credit", "Side", "Win", "teams_of", "unique_credits", "win_key"]

Side = Literal["marketing", "sales"]
SIDES: tuple[Side, ...] = ("marketing", "sales")


@dataclass(frozen=True)
class Credit:
    """One person credited, and the side of the work they are credited for."""

    name: str
    team: Side
    person_id: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "team": self.team, "person_id": self.person_id}


def win_key(kind: str, *identity: object) -> str:
    """The natural key: the kind and the identifying evidence, joined.

    >>> win_key("deal_won", "O17")
    'deal_won:O17'
    >>> win_key("sla_streak", "sales", "2026-07-06", 4)
    'sla_streak:sales:2026-07-06:4'
    """
    return ":".join([kind, *(str(part) for part in identity)])


def teams_of(credited: Iterable[Credit], extra: Iterable[str] = ()) -> tuple[Side, ...]:
    """The sides credited, in the fixed order marketing, sales.

    >>> teams_of([Credit("Dana", "sales")], extra=["marketing"])
    ('marketing', 'sales')
    """
    found = {c.team for c in credited} | set(extra)
    return tuple(s for s in SIDES if s in found)


@dataclass(frozen=True)
class Win:
    """One thing worth celebrating.

    ``evidence`` holds the natural ids behind it (opportunity, lead, feedback
    item, list or experiment ids); ``amount`` the revenue credited, when the
    win is a deal (the balance panel adds it up per team).
    """

    kind: str
    key: str
    date: date
    story: str
    teams: tuple[Side, ...]
    credited: tuple[Credit, ...] = ()
    evidence: tuple[str, ...] = ()
    amount: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the shape the digest and the API use."""
        return {
            "kind": self.kind,
            "key": self.key,
            "date": self.date.isoformat(),
            "story": self.story,
            "teams": list(self.teams),
            "credited": [c.to_dict() for c in self.credited],
            "evidence": list(self.evidence),
            "amount": self.amount,
        }


def unique_credits(credits: Sequence[Credit]) -> tuple[Credit, ...]:
    """Each person once per side, in the order given (a seller who owns the campaign too)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for c in credits:
        ident = (c.person_id or c.name, c.team, c.name)
        if ident not in seen:
            seen.add(ident)
            out.append(c)
    return tuple(out)
