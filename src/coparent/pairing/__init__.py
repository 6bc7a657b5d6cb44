"""Cross-team pairing: rounds that pair every sales person with a marketing person, repeats avoided.

- `schedule`: the rotation (round N from the people alone) and the next round
  given the stored ones; the guarantees are in its docstring.
- `sides`: who is on which side (two teams, or the two kinds of work of one team).
- `agenda`: a few lines per pair from the facts that connect its people.

docs/pairing.md explains the rules for people.
"""

from __future__ import annotations

from coparent.pairing.agenda import agenda_facts, agenda_lines
from coparent.pairing.schedule import Group, Round, meetings, next_round, rotation_round
from coparent.pairing.sides import Sides, role_sides, team_sides, work_measures

__all__ = [
    "Group",
    "Round",
    "Sides",
    "agenda_facts",
    "agenda_lines",
    "meetings",
    "next_round",
    "role_sides",
    "rotation_round",
    "team_sides",
    "work_measures",
]
