"""Who sits on which side of the pairing: the two teams, or the two roles of one team.

Two teams: people of team ``marketing`` and ``sales`` (active ones). People
of team ``both`` in a two-team company go, one at a time in id order, to the
side with fewer people (Marketing on a tie), so they even the sides out.

Single-team mode (one team does both jobs): people are split by the work they
do, read from the warehouse (`work_measures`):

- marketing work: campaigns they own, and leads those campaigns brought;
- sales work: leads they own, opportunities they own, activities they logged.

Each measure is turned into the person's share of the team's total, and a
person's *lean* is their average share of the marketing measures minus their
average share of the sales measures (shares make a campaign comparable with
a call). A positive lean puts them on the marketing-work side, a negative one
on the sales-work side; people with no recorded work (lean 0) even out the
sides like ``both`` people above. When nobody leans one of the two ways
(everyone does the same kind of work, or none is recorded) there is nothing to
pair across, so the team is split in two halves instead: sorted by lean (most
marketing work first, then by id), the first half meets the second, and a note
says so. One person: no pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import ibis
from ibis.expr import types as ir

__all__ = [
    "MARKETING_MEASURES",
    "SALES_MEASURES",
    "Sides",
    "role_sides",
    "team_sides",
    "work_measures",
]

MARKETING_MEASURES = ("campaigns_owned", "campaign_leads")
SALES_MEASURES = ("leads_owned", "opportunities_owned", "activities_logged")


@dataclass(frozen=True)
class Sides:
    """Ids on each side, whether the split is by role (single team), and notes for people."""

    marketing: tuple[str, ...]
    sales: tuple[str, ...]
    single_team: bool = False
    notes: tuple[str, ...] = field(default=())
    lean: Mapping[str, float] = field(default_factory=dict)


def _even_out(marketing: list[str], sales: list[str], undecided: Iterable[str]) -> None:
    for person in sorted(undecided):
        (marketing if len(marketing) <= len(sales) else sales).append(person)


def team_sides(people: Iterable[tuple[str, str]]) -> Sides:
    """Sides from (person_id, team) pairs of a two-team company.

    >>> s = team_sides([("p1", "marketing"), ("p2", "sales"), ("p3", "sales"), ("p4", "both")])
    >>> s.marketing, s.sales
    (('p1', 'p4'), ('p2', 'p3'))
    """
    marketing: list[str] = []
    sales: list[str] = []
    both: list[str] = []
    for person, team in sorted(people):
        {"marketing": marketing, "sales": sales}.get(team, both).append(person)
    _even_out(marketing, sales, both)
    notes = []
    if both:
        notes.append(
            f"{len(both)} person(s) of team 'both' joined the smaller side to even the sides out"
        )
    return Sides(tuple(sorted(marketing)), tuple(sorted(sales)), False, tuple(notes))


def _leans(people: Sequence[str], work: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    def mean_share(measures: Sequence[str], person: str) -> float:
        shares = []
        for measure in measures:
            total = sum(work.get(p, {}).get(measure, 0) for p in people)
            if total > 0:
                shares.append(work.get(person, {}).get(measure, 0) / total)
        return sum(shares) / len(shares) if shares else 0.0

    return {p: mean_share(MARKETING_MEASURES, p) - mean_share(SALES_MEASURES, p) for p in people}


def role_sides(people: Iterable[str], work: Mapping[str, Mapping[str, int]]) -> Sides:
    """Sides of a single team from each person's work counts (``{person: {measure: n}}``).

    >>> work = {"a": {"campaigns_owned": 2}, "b": {"leads_owned": 40}, "c": {"leads_owned": 9}}
    >>> s = role_sides(["a", "b", "c"], work)
    >>> s.marketing, s.sales
    (('a',), ('b', 'c'))
    >>> role_sides(["a", "b"], {}).notes[0][:40]
    'everyone does the same kind of work (or '
    """
    ids = sorted(set(people))
    lean = _leans(ids, work)
    if len(ids) < 2:
        note = "only one person: nobody to pair with" if ids else "nobody to pair: no people"
        return Sides(tuple(ids), (), True, (note,), lean)
    marketing = [p for p in ids if lean[p] > 0]
    sales = [p for p in ids if lean[p] < 0]
    notes = [
        "single team: people who mostly do marketing work (campaigns and the leads they bring) "
        "meet people who mostly do sales work (leads, deals and activities they own)"
    ]
    if marketing and sales:
        _even_out(marketing, sales, [p for p in ids if lean[p] == 0])
    else:
        ranked = sorted(ids, key=lambda p: (-lean[p], p))
        half = len(ranked) // 2
        marketing, sales = ranked[:half], ranked[half:]
        notes = [
            "everyone does the same kind of work (or none is recorded), so the team is split "
            "into two halves by how much marketing work each does, and the halves meet"
        ]
    return Sides(tuple(sorted(marketing)), tuple(sorted(sales)), True, tuple(notes), lean)


def _counts(table: ir.Table, key: str, measure: str) -> ir.Table:
    kept = table.filter(table[key].notnull())
    return (
        kept.group_by(person_id=kept[key].cast("string"))
        .aggregate(n=kept.count().cast("int64"))
        .mutate(measure=ibis.literal(measure))
        .select("person_id", "measure", "n")
    )


def work_measures(
    *,
    campaigns: ir.Table | None = None,
    leads: ir.Table | None = None,
    opportunities: ir.Table | None = None,
    activities: ir.Table | None = None,
) -> ir.Table | None:
    """Work counts per person in long form: ``person_id``, ``measure``, ``n`` (lazy).

    Tables not imported are passed as None and their measures are left out;
    None when there is nothing to measure. Input: the canonical tables
    (``campaigns.owner_id``, ``leads.campaign_id`` / ``owner_id``,
    ``opportunities.owner_id``, ``activities.person_id``).

    >>> import ibis
    >>> camps = ibis.memtable({"campaign_id": ["c1"], "owner_id": ["m"]})
    >>> leads = ibis.memtable({"lead_id": ["l1", "l2"], "campaign_id": ["c1", None],
    ...                        "owner_id": ["s", "s"]})
    >>> t = work_measures(campaigns=camps, leads=leads).order_by("measure").execute()
    >>> list(zip(t.person_id, t.measure, t.n))
    [('m', 'campaign_leads', 1), ('m', 'campaigns_owned', 1), ('s', 'leads_owned', 2)]
    """
    parts: list[ir.Table] = []
    if campaigns is not None:
        parts.append(_counts(campaigns, "owner_id", "campaigns_owned"))
        if leads is not None:
            joined = leads.select("campaign_id").join(
                campaigns.select("campaign_id", campaign_owner="owner_id"), "campaign_id"
            )
            parts.append(_counts(joined, "campaign_owner", "campaign_leads"))
    if leads is not None:
        parts.append(_counts(leads, "owner_id", "leads_owned"))
    if opportunities is not None:
        parts.append(_counts(opportunities, "owner_id", "opportunities_owned"))
    if activities is not None:
        parts.append(_counts(activities, "person_id", "activities_logged"))
    if not parts:
        return None
    return ibis.union(*parts) if len(parts) > 1 else parts[0]
