"""The two teams (or the one team), and who may own what at a given time.

Owners are drawn per row with numpy: for each candidate person a boolean "was
employed then" column, and a uniform pick among the True ones, so the
assignment is vectorised and never gives work to someone not yet hired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow
from coparent.demo._calendar import Bools, Calendar, Floats, Ints
from coparent.demo._catalog import (
    APAC,
    CHANNELS,
    EMAIL_DOMAIN,
    EMEA,
    EVENTS,
    LATAM,
    NORTH_AMERICA,
    ORGANIC,
    OUTBOUND,
    PAID_SEARCH,
    REFERRAL,
    WEBINAR,
)


@dataclass(frozen=True)
class Person:
    name: str
    team: str
    title: str
    role: str
    """``marketing``, ``sdr``, ``ae``, ``head_of_sales`` or ``both``."""
    region: int = -1
    """Territory of an account executive (-1: none, or all in single-team mode)."""
    joined_quarter: int = 0
    left_quarter: int = 8
    channels: tuple[int, ...] = ()
    """Channels whose campaigns this person owns."""


TWO_TEAMS: tuple[Person, ...] = (
    Person("Hannah Weiss", "marketing", "Head of Marketing", "marketing", channels=(REFERRAL,)),
    Person("Diego Alvarez", "marketing", "Demand Generation Manager", "marketing",
           channels=(PAID_SEARCH, OUTBOUND)),
    Person("Priya Raman", "marketing", "Content Marketing Manager", "marketing",
           channels=(ORGANIC,)),
    Person("Tom Okafor", "marketing", "Events Manager", "marketing", channels=(EVENTS,)),
    Person("Chloe Dubois", "marketing", "Product Marketing Manager", "marketing",
           channels=(WEBINAR,)),
    Person("Sam Patel", "marketing", "Marketing Operations Manager", "marketing"),
    Person("James Whitfield", "sales", "Head of Sales", "head_of_sales"),
    Person("Aisha Bello", "sales", "Sales Development Representative", "sdr"),
    Person("Lukas Berger", "sales", "Sales Development Representative", "sdr"),
    Person("Sofia Martins", "sales", "Sales Development Representative", "sdr", left_quarter=3),
    Person("Ken Watanabe", "sales", "Sales Development Representative", "sdr"),
    Person("Nora Lindqvist", "sales", "Sales Development Representative", "sdr",
           joined_quarter=3),
    Person("Marcus Reed", "sales", "Senior Account Executive", "ae", region=NORTH_AMERICA),
    Person("Isabel Ruiz", "sales", "Account Executive", "ae", region=NORTH_AMERICA,
           joined_quarter=2),
    Person("Elena Novak", "sales", "Senior Account Executive", "ae", region=EMEA),
    Person("Oliver Grant", "sales", "Account Executive", "ae", region=EMEA),
    Person("Maya Chen", "sales", "Account Executive", "ae", region=APAC),
    Person("Rafael Costa", "sales", "Account Executive", "ae", region=LATAM),
)  # fmt: skip

ONE_TEAM: tuple[Person, ...] = (
    Person("Grace Holm", "both", "Head of Growth", "both", channels=(REFERRAL, EVENTS)),
    Person("Ben Adeyemi", "both", "Growth Marketer", "both", channels=(PAID_SEARCH,)),
    Person("Lea Fischer", "both", "Content and Community Lead", "both",
           channels=(ORGANIC, WEBINAR)),
    Person("Carlos Mendes", "both", "Account Executive", "both"),
    Person("Yuki Tanaka", "both", "Account Executive", "both"),
    Person("Ivy Nguyen", "both", "Sales and Marketing Associate", "both", channels=(OUTBOUND,),
           left_quarter=5),
    Person("Omar Haddad", "both", "Revenue Operations Manager", "both", joined_quarter=4),
)  # fmt: skip


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...]
    single_team: bool
    joined: Floats
    left: Floats

    @classmethod
    def build(cls, cal: Calendar, *, single_team: bool) -> Roster:
        people = ONE_TEAM if single_team else TWO_TEAMS
        starts = cal.quarter_starts.astype(np.float64)
        joined = np.array([starts[p.joined_quarter] for p in people])
        left = np.array([starts[p.left_quarter] if p.left_quarter < 8 else np.inf for p in people])
        return cls(people, single_team, joined, left)

    def members(self, *roles: str, region: int = -1) -> Ints:
        return np.array(
            [
                i
                for i, p in enumerate(self.people)
                if p.role in roles and (region < 0 or p.region == region)
            ],
            dtype=np.int64,
        )

    @property
    def lead_owners(self) -> Ints:
        return self.members("both") if self.single_team else self.members("sdr")

    def deal_owners(self, region: int) -> Ints:
        if self.single_team:
            return self.members("both")
        return self.members("ae", region=region)

    def campaign_owner(self, channel: int) -> int:
        for i, p in enumerate(self.people):
            if channel in p.channels:
                return i
        raise AssertionError(f"no owner for channel {CHANNELS[channel]}")

    def pick(self, rng: np.random.Generator, candidates: Ints, t: Floats) -> Ints:
        """A person from ``candidates`` employed at each time ``t``, uniformly at random."""
        employed = (self.joined[candidates][None, :] <= t[:, None]) & (
            t[:, None] < self.left[candidates][None, :]
        )
        counts = employed.sum(axis=1)
        if np.any(counts == 0):
            raise AssertionError("a time with nobody employed to own the work")
        k = np.floor(rng.random(t.size) * counts).astype(np.int64)
        cum = np.cumsum(employed, axis=1)
        picked: Ints = candidates[np.argmax(cum > k[:, None], axis=1)]
        return picked

    @property
    def ids(self) -> pa.Array:
        return _arrow.ids("P", len(self.people), width=3)

    def table(self) -> pa.Table:
        names = [p.name for p in self.people]
        emails = [f"{p.name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}" for p in self.people]
        active: Bools = ~np.isfinite(self.left)
        return _arrow.table(
            "people",
            {
                "person_id": self.ids,
                "name": pa.array(names, pa.string()),
                "email": pa.array(emails, pa.string()),
                "team": pa.array([p.team for p in self.people], pa.string()),
                "title": pa.array([p.title for p in self.people], pa.string()),
                "active": pa.array(active, pa.bool_()),
            },
        )
