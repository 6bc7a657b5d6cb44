"""The pairing rotation: who meets whom in round N, and the next round given the past ones.

Two sides meet: Marketing and Sales (or, in single-team mode, the people who
mostly do marketing work and those who mostly do sales work; see `sides`).
Call the side with fewer people the *hosts* (m of them; Marketing when the
sides are equal) and the other side the *guests* (n ≥ m). Every group has
exactly one host, and the guests are spread evenly over the hosts: each host
gets ⌊n/m⌋ or ⌈n/m⌉ guests. So groups are pairs when the sides are equal,
pairs and trios when n < 2m, all trios when n = 2m, and larger groups only
when one side is more than twice the other (there is no way to give everyone
a partner from the other side in groups of at most three then).

The rotation (`rotation_round`) is an equitable edge colouring of the
complete bipartite graph hosts x guests, taken in *blocks* of m rounds.
Round N (r = N - 1) is phase p = r mod m of block c = r div m. In block c the
guests stand in positions 0..n-1 (position i = s·m + t: layer s, column t);
the guest at position i meets host (t + u_s·p + d_c) mod m, where u_s is a
unit of Z_m chosen per layer (1, m-1, 2, ...) and d_c a shift per block.

What this guarantees (tests/pairing/test_schedule.py checks each):

- Within every block of m rounds each guest meets each host exactly once:
  rounds 1..m use all m·n cross pairs with no repeat, and no cross pair
  repeats before all are used. Two meetings of the same pair are at most
  2m - 1 rounds apart. m rounds is the fewest possible, since a guest meets
  one host per round.
- For m ≥ 2 no cross pair meets in two consecutive rounds: inside a block the
  host changes by u_s ≠ 0 each round, and at a block boundary the order of
  the guests and the shift d_c are chosen (by a minimum-cost assignment) so
  that nobody starts the block with the host they ended the last one with.
- Trios rotate: the extra guests (the last, partial layer) join a different
  pair each round when m ≥ 3 (they use another unit than layer 0), and who
  the extras are changes every block, preferring guests who were extras
  least often.
- Deterministic: the same people (in any order) and the same N give the same
  round; N is computed from the people alone, never from stored rounds.

`next_round` continues the rotation over the people there are *now* and uses
the stored rounds: it keeps the rotation's group sizes and hosts, and
re-seats the guests by a minimum-cost assignment that prefers, in this order,
(1) pairs that met least often, (2) the rotation's own choice, (3) pairs that
met longest ago. When nobody joined or left, that is exactly the rotation
round; when people changed, it avoids repeats the new rotation would make.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import gcd

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = [
    "LABELS",
    "Group",
    "Labels",
    "Meetings",
    "Round",
    "meetings",
    "next_round",
    "rotation_round",
]

MARKETING = "marketing"
SALES = "sales"
Labels = tuple[str, str]
LABELS: Labels = ("Marketing", "Sales")


@dataclass(frozen=True)
class Group:
    """People who meet this round: one host and its guests, with the side of each."""

    marketing: tuple[str, ...]
    sales: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return self.marketing + self.sales


@dataclass(frozen=True)
class Round:
    """Round ``number``'s groups (sorted by their first member) and notes for people."""

    number: int
    groups: tuple[Group, ...]
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Plan:
    hosts: tuple[str, ...]
    guests: tuple[str, ...]
    hosts_side: str
    m: int
    n: int


def _plan(marketing: Iterable[str], sales: Iterable[str]) -> _Plan | None:
    mk, sa = sorted(set(marketing)), sorted(set(sales))
    both = set(mk) & set(sa)
    if both:
        raise ValueError(f"people on both sides: {sorted(both)}")
    if not mk or not sa:
        return None
    if len(mk) <= len(sa):
        return _Plan(tuple(mk), tuple(sa), MARKETING, len(mk), len(sa))
    return _Plan(tuple(sa), tuple(mk), SALES, len(sa), len(mk))


def _empty_note(marketing: Sequence[str], sales: Sequence[str], labels: Labels) -> str:
    if not marketing and not sales:
        return "nobody to pair: there are no people on either side"
    empty, other = labels if not marketing else labels[::-1]
    return f"no pairs: {empty} has nobody, so {other} has nobody from the other side to meet"


def _units(m: int) -> list[int]:
    """Units of Z_m in the order layers use them: 1, m-1, 2, m-2, ... (just 0 for m = 1)."""
    if m == 1:
        return [0]
    order: list[int] = []
    for k in range(1, m):
        for u in (k, m - k):
            if gcd(u, m) == 1 and u not in order:
                order.append(u)
    return order


def _host_of(position: int, phase: int, shift: int, m: int, units: Sequence[int]) -> int:
    layer, column = divmod(position, m)
    return (column + units[layer % len(units)] * phase + shift) % m


def _noise(plan: _Plan, block: int) -> np.ndarray:
    """Seeded small costs that vary seating between blocks (string seeds are stable)."""
    seed = f"{block}|{','.join(plan.hosts)}|{','.join(plan.guests)}"
    rng = random.Random(seed)
    return np.array([[rng.randrange(1000) for _ in range(plan.n)] for _ in range(plan.n)])


def _layer_units(m: int, n: int, units: Sequence[int]) -> np.ndarray:
    """The unit u_s of each position's layer."""
    return np.array([units[(i // m) % len(units)] for i in range(n)], dtype=np.int64)


def _big_rounds(m: int, n: int, units: Sequence[int]) -> np.ndarray:
    """Per position: rounds of a block it spends in a bigger group (a trio, when n < 2m).

    A host has ⌈n/m⌉ guests in some rounds and ⌊n/m⌋ in others; the count does
    not depend on the block's shift, which moves every position alike.
    """
    positions = np.arange(n)
    layer_units = _layer_units(m, n, units)
    hosts = (positions[None, :] % m + layer_units[None, :] * np.arange(m)[:, None]) % m
    sizes = np.stack([np.bincount(row, minlength=m)[row] for row in hosts])
    big: np.ndarray = (sizes > n // m).sum(axis=0)
    return big


def _blocks(plan: _Plan, upto: int) -> tuple[list[str], int]:
    """Guest order and shift of block ``upto``, built block by block from block 0.

    Cost: m small assignment problems per block, so round N takes about N of them
    (milliseconds for years of weekly rounds). With one host there is nothing to seat.

    At each block boundary the guests are re-seated by a minimum-cost
    assignment, for every shift: avoid starting the block with the host met
    in the last round of the previous one, and give the positions with the
    most rounds in a trio to those who were in trios least. With three or more
    hosts avoiding the repeat comes first; with two hosts each guest meets
    each host every other round anyway, so rotating the trios comes first
    (otherwise the same people would share a trio forever). Seeded noise
    breaks ties, so who sits with whom varies from block to block.
    """
    m, n = plan.m, plan.n
    units = _units(m)
    column = np.arange(n) % m
    layer_units = _layer_units(m, n, units)
    big = _big_rounds(m, n, units)
    order, shift = list(plan.guests), 0
    in_trios = dict.fromkeys(plan.guests, 0)
    for block in range(1, upto + 1 if m > 1 else 1):
        for i, guest in enumerate(order):
            in_trios[guest] += int(big[i])
        last = (column + layer_units * (m - 1) + shift) % m  # host of each position, last round
        balance = np.outer([in_trios[g] for g in order], big)
        noise = _noise(plan, block)
        w_minor = 1000 * n  # above any sum of noise
        w_major = w_minor * (n * (int(balance.max()) + 1) + 1)  # above any sum of the rest
        w_repeat, w_balance = (w_major, w_minor) if m > 2 else (w_minor, w_major)
        best: tuple[int, int, list[str]] | None = None
        for d in range(m):
            first = (column + d) % m  # host of each position in the block's first round
            repeat = (last[:, None] == first[None, :]) if m > 1 else np.zeros((n, n), bool)
            cost = noise + balance * w_balance + repeat.astype(np.int64) * w_repeat
            rows, cols = linear_sum_assignment(cost)
            total = int(cost[rows, cols].sum())
            if best is None or total < best[0]:
                seated = [""] * n
                for k, i in zip(rows, cols, strict=True):
                    seated[i] = order[k]
                best = (total, d, seated)
        assert best is not None
        _, shift, order = best
    return order, shift


def _groups(plan: _Plan, seating: Mapping[str, int]) -> tuple[Group, ...]:
    """Groups from guest → host index; sorted so the output does not depend on input order."""
    guests_of: list[list[str]] = [[] for _ in range(plan.m)]
    for guest, index in seating.items():
        guests_of[index].append(guest)
    groups = []
    for host, guests in zip(plan.hosts, guests_of, strict=True):
        ordered = tuple(sorted(guests))
        if plan.hosts_side == MARKETING:
            groups.append(Group(marketing=(host,), sales=ordered))
        else:
            groups.append(Group(marketing=ordered, sales=(host,)))
    return tuple(sorted(groups, key=lambda g: g.members))


def _size_note(plan: _Plan, labels: Labels) -> tuple[str, ...]:
    hosts, guests = labels if plan.hosts_side == MARKETING else labels[::-1]
    if plan.n == plan.m:
        return ()
    if plan.n < 2 * plan.m:
        extra = plan.n - plan.m
        more = "1 more person" if extra == 1 else f"{extra} more people"
        trios = "1 group is a trio" if extra == 1 else f"{extra} groups are trios"
        return (f"{guests} has {more} than {hosts}: {trios}, and the trios rotate",)
    low, high = plan.n // plan.m + 1, -(-plan.n // plan.m) + 1
    sizes = f"{low}" if low == high else f"{low} or {high}"
    return (
        f"{guests} has more than twice as many people as {hosts}: each group has one "
        f"{hosts} person and is {sizes} people, so nobody is left out",
    )


def _rotation(plan: _Plan, number: int) -> dict[str, int]:
    r = number - 1
    block, phase = divmod(r, plan.m)
    order, shift = _blocks(plan, block)
    units = _units(plan.m)
    return {g: _host_of(i, phase, shift, plan.m, units) for i, g in enumerate(order)}


def _check_number(number: int) -> None:
    if number < 1:
        raise ValueError(f"rounds are numbered from 1, not {number}")


def rotation_round(
    marketing: Iterable[str], sales: Iterable[str], *, number: int, labels: Labels = LABELS
) -> Round:
    """Round ``number`` of the rotation over these people (ids; order does not matter).

    ``labels`` name the two sides in the notes (e.g. "Marketing work" in single-team mode).

    Examples
    --------
    >>> r = rotation_round(["m1", "m2"], ["s1", "s2", "s3"], number=1)
    >>> [(g.marketing, g.sales) for g in r.groups]
    [(('m1',), ('s1', 's3')), (('m2',), ('s2',))]
    >>> [(g.marketing, g.sales) for g in rotation_round(["m1", "m2"], ["s1", "s2", "s3"],
    ...                                                  number=2).groups]
    [(('m1',), ('s2',)), (('m2',), ('s1', 's3'))]
    """
    _check_number(number)
    mk, sa = list(marketing), list(sales)
    plan = _plan(mk, sa)
    if plan is None:
        return Round(number, (), (_empty_note(mk, sa, labels),))
    return Round(number, _groups(plan, _rotation(plan, number)), _size_note(plan, labels))


@dataclass(frozen=True)
class Meetings:
    """How often and when (last round index, 1-based over the history) people met."""

    count: Mapping[frozenset[str], int]
    last: Mapping[frozenset[str], int]

    def times(self, a: str, b: str) -> int:
        return self.count.get(frozenset((a, b)), 0)


def meetings(history: Iterable[Iterable[Iterable[str]]]) -> Meetings:
    """Count the meetings in stored rounds (oldest first; each a list of groups of ids)."""
    count: dict[frozenset[str], int] = {}
    last: dict[frozenset[str], int] = {}
    for index, groups in enumerate(history, start=1):
        for group in groups:
            members = sorted(set(group))
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    key = frozenset((a, b))
                    count[key] = count.get(key, 0) + 1
                    last[key] = index
    return Meetings(count, last)


def next_round(
    marketing: Iterable[str],
    sales: Iterable[str],
    *,
    number: int,
    history: Iterable[Iterable[Iterable[str]]],
    labels: Labels = LABELS,
) -> Round:
    """Round ``number`` for the people there are now, avoiding repeats with ``history``.

    ``history`` holds the stored rounds before this one, oldest first. The
    rotation round ``number`` fixes the hosts and the group sizes; the guests
    are then re-seated to prefer pairs that met least often, then the
    rotation's choice, then pairs that met longest ago (module docstring).

    Examples
    --------
    >>> first = rotation_round(["m1", "m2"], ["s1", "s2"], number=1)
    >>> [g.members for g in first.groups]
    [('m1', 's1'), ('m2', 's2')]
    >>> # s2 left and s3 joined: the rotation over (s1, s3) would repeat m1-s1.
    >>> nxt = next_round(["m1", "m2"], ["s1", "s3"], number=2,
    ...                  history=[[g.members for g in first.groups]])
    >>> [g.members for g in nxt.groups]
    [('m1', 's3'), ('m2', 's1')]
    """
    _check_number(number)
    mk, sa = list(marketing), list(sales)
    plan = _plan(mk, sa)
    if plan is None:
        return Round(number, (), (_empty_note(mk, sa, labels),))
    rotation = _rotation(plan, number)
    past = list(history)
    met = meetings(past)
    slots = sorted(rotation.values())  # one slot per guest, grouped by host index
    n, h = plan.n, len(past)
    w_rotation = n * h + 1
    w_count = n * (w_rotation + h) + 1
    cost = np.zeros((n, n), dtype=np.int64)
    for k, guest in enumerate(plan.guests):
        for s, host_index in enumerate(slots):
            host = plan.hosts[host_index]
            key = frozenset((guest, host))
            cost[k, s] = (
                met.count.get(key, 0) * w_count
                + (0 if rotation[guest] == host_index else w_rotation)
                + met.last.get(key, 0)
            )
    rows, cols = linear_sum_assignment(cost)
    seating = {plan.guests[k]: slots[s] for k, s in zip(rows, cols, strict=True)}
    return Round(number, _groups(plan, seating), _size_note(plan, labels))
