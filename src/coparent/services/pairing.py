"""Cross-team pairing as a use case: who meets whom in a round, and what they could talk about.

    plan = pairing_round(con, number=3)                     # the rotation's round 3
    plan = pairing_round(con, number=4, history=stored)     # the next round, repeats avoided

Reads the active people (``people``), splits them into two sides
(`coparent.pairing.sides`: the two teams, or in single-team mode the two
kinds of work), computes the round (`coparent.pairing.schedule`) and an
agenda for each group from the facts that connect its people
(`coparent.pairing.agenda`, one query). Returns plain JSON-ready values; the
web app stores them, the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent import warehouse
from coparent.metrics._guard import require_columns
from coparent.metrics.freshness import data_last_at_in
from coparent.pairing.agenda import DEFAULT_DAYS, agenda_facts, agenda_lines
from coparent.pairing.schedule import LABELS, Group, next_round, rotation_round
from coparent.pairing.sides import Sides, role_sides, team_sides, work_measures

__all__ = ["PairingPeople", "pairing_agendas", "pairing_people", "pairing_round"]

Row = dict[str, Any]


@dataclass(frozen=True)
class PairingPeople:
    """The two sides, and each active person's name and team."""

    sides: Sides
    names: dict[str, str]
    teams: dict[str, str]


def _present(con: BaseBackend) -> set[str]:
    return set(con.list_tables())


def _optional(con: BaseBackend, name: str, present: set[str]) -> ir.Table | None:
    return con.table(name) if name in present else None


def pairing_people(con: BaseBackend, *, single_team: bool | None = None) -> PairingPeople:
    """Active people on two sides.

    ``single_team`` True splits one team by the work people do; False pairs
    the ``marketing`` and ``sales`` teams; None (auto) uses single-team mode
    when nobody is in either team but people are in team ``both``.
    """
    people = warehouse.read_table(con, "people")
    require_columns(
        people, {"person_id", "name", "team", "active"}, feature="pairing", table_name="people"
    )
    rows: list[Row] = (
        people.filter(people.active.fill_null(False))
        .select("person_id", "name", "team")
        .order_by("person_id")
        .to_pyarrow()
        .to_pylist()
    )
    names = {r["person_id"]: r["name"] or r["person_id"] for r in rows}
    teams = {r["person_id"]: r["team"] or "" for r in rows}
    if single_team is None:
        single_team = bool(rows) and not ({"marketing", "sales"} & set(teams.values()))
    if not single_team:
        return PairingPeople(team_sides(teams.items()), names, teams)
    present = _present(con)
    measures = work_measures(
        campaigns=_optional(con, "campaigns", present),
        leads=_optional(con, "leads", present),
        opportunities=_optional(con, "opportunities", present),
        activities=_optional(con, "activities", present),
    )
    work: dict[str, dict[str, int]] = {}
    if measures is not None and names:
        ids = list(names)
        for r in measures.filter(measures.person_id.isin(ids)).to_pyarrow().to_pylist():
            work.setdefault(r["person_id"], {})[r["measure"]] = int(r["n"])
    return PairingPeople(role_sides(names, work), names, teams)


def _data_as_of(con: BaseBackend) -> datetime | None:
    """Midnight after the data's last date (the scorecard's rule): where agendas end."""
    last = data_last_at_in(con)
    return None if last is None else datetime.combine(last.date() + timedelta(days=1), time())


def pairing_agendas(
    con: BaseBackend,
    groups: Sequence[Group],
    *,
    names: dict[str, str],
    as_of: date | None = None,
    days: int = DEFAULT_DAYS,
) -> tuple[list[list[str]], date | None, list[str]]:
    """An agenda per group, the day the window ends (inclusive) and notes.

    The window is the ``days`` up to and including ``as_of`` (default: the
    day of the latest lead or deal event, so a demo's agenda is not empty).
    Without ``leads`` and ``campaigns`` there is no agenda, and a note says
    what to import.
    """
    present = _present(con)
    if not groups:
        return [], None, []
    if not {"leads", "campaigns"} <= present:
        note = "no agenda: import leads and campaigns to get one from the data"
        return [[] for _ in groups], None, [note]
    end = (
        datetime.combine(as_of + timedelta(days=1), time())
        if as_of is not None
        else _data_as_of(con)
    )
    if end is None:
        return [[] for _ in groups], None, ["no agenda: the leads have no dates yet"]
    ids = sorted({p for g in groups for p in g.members})
    facts = agenda_facts(
        con.table("leads"),
        campaigns=con.table("campaigns"),
        opportunities=_optional(con, "opportunities", present),
        accounts=_optional(con, "accounts", present),
        people_ids=ids,
        as_of=end,
        days=days,
    )
    rows: list[Row] = facts.to_pyarrow().to_pylist()
    agendas = [agenda_lines(g, rows, names=names, days=days) for g in groups]
    return agendas, end.date() - timedelta(days=1), []


def _member(person: str, side: str, people: PairingPeople) -> Row:
    return {
        "person_id": person,
        "name": people.names.get(person, person),
        "team": people.teams.get(person, ""),
        "side": side,
    }


def pairing_round(
    con: BaseBackend,
    *,
    number: int,
    single_team: bool | None = None,
    history: Iterable[Iterable[Iterable[str]]] | None = None,
    as_of: date | None = None,
    days: int = DEFAULT_DAYS,
) -> Row:
    """Round ``number`` with an agenda per group, as JSON-ready values.

    Without ``history`` it is the rotation's round ``number`` over today's
    people (`rotation_round`); with it (the stored rounds before this one,
    oldest first, each a list of groups of person ids) the round avoids
    repeats with them (`next_round`).

    Output: ``round``, ``single_team``, ``as_of`` (last day of the agenda
    window, or None), ``notes``, and ``pairs``: a list of
    ``{"members": [{"person_id", "name", "team", "side"}], "agenda": [str]}``.
    """
    people = pairing_people(con, single_team=single_team)
    sides = people.sides
    labels = ("Marketing work", "Sales work") if sides.single_team else LABELS
    if history is None:
        plan = rotation_round(sides.marketing, sides.sales, number=number, labels=labels)
    else:
        plan = next_round(
            sides.marketing, sides.sales, number=number, history=history, labels=labels
        )
    agendas, window_end, agenda_notes = pairing_agendas(
        con, plan.groups, names=people.names, as_of=as_of, days=days
    )
    pairs = [
        {
            "members": [_member(p, "marketing", people) for p in g.marketing]
            + [_member(p, "sales", people) for p in g.sales],
            "agenda": agenda,
        }
        for g, agenda in zip(plan.groups, agendas, strict=True)
    ]
    return {
        "round": number,
        "single_team": sides.single_team,
        "as_of": window_end.isoformat() if window_end else None,
        "notes": [*sides.notes, *plan.notes, *agenda_notes],
        "pairs": pairs,
    }
