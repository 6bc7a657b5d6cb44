"""The pairing rotation: everyone paired, no repeat before every cross pair met, trios rotate.

The guarantee tested (docs/pairing.md): with m people on the smaller side and
n on the larger, rounds k·m+1 .. k·m+m (any block k) use each of the m·n cross
pairs exactly once, so no pair repeats before all m·n have met; and for
m ≥ 3 (or m = 2 with n even) no pair meets in two consecutive rounds.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.pairing.schedule import Round, meetings, next_round, rotation_round

sizes = st.integers(min_value=1, max_value=30)


def _people(m: int, n: int) -> tuple[list[str], list[str]]:
    return [f"m{i:02d}" for i in range(m)], [f"s{i:02d}" for i in range(n)]


def _cross(r: Round) -> list[tuple[str, str]]:
    return [(a, b) for g in r.groups for a in g.marketing for b in g.sales]


@given(m=sizes, n=sizes, number=st.integers(min_value=1, max_value=120))
def test_everyone_is_in_exactly_one_group_and_every_group_has_both_sides(
    m: int, n: int, number: int
) -> None:
    marketing, sales = _people(m, n)
    r = rotation_round(marketing, sales, number=number)
    members = [p for g in r.groups for p in g.members]
    assert sorted(members) == sorted(marketing + sales)
    small, large = min(m, n), max(m, n)
    assert len(r.groups) == small
    for g in r.groups:
        assert g.marketing
        assert g.sales
        assert min(len(g.marketing), len(g.sales)) == 1  # one person of the smaller side
        guests = max(len(g.marketing), len(g.sales)) if m != n else 1
        assert guests in (large // small, -(-large // small))
    if large <= 2 * small:
        assert {len(g.members) for g in r.groups} <= {2, 3}
    if m == n:
        assert {len(g.members) for g in r.groups} == {2}


@given(m=sizes, n=sizes, block=st.integers(min_value=0, max_value=2))
def test_each_block_of_m_rounds_uses_every_cross_pair_exactly_once(
    m: int, n: int, block: int
) -> None:
    marketing, sales = _people(m, n)
    k = min(m, n)
    pairs = [
        p
        for number in range(block * k + 1, block * k + k + 1)
        for p in _cross(rotation_round(marketing, sales, number=number))
    ]
    assert len(pairs) == m * n
    assert set(pairs) == set(itertools.product(marketing, sales))


@given(m=sizes, n=sizes)
def test_no_cross_pair_repeats_before_all_have_met(m: int, n: int) -> None:
    marketing, sales = _people(m, n)
    seen: set[tuple[str, str]] = set()
    for number in itertools.count(1):
        pairs = _cross(rotation_round(marketing, sales, number=number))
        if len(seen) < m * n:
            assert not seen & set(pairs), f"a repeat in round {number} before all met"
            seen |= set(pairs)
        else:
            assert number == min(m, n) + 1  # all met after exactly min(m, n) rounds
            break


@given(
    m=st.integers(min_value=2, max_value=30),
    n=st.integers(min_value=2, max_value=30),
    number=st.integers(min_value=1, max_value=90),
)
def test_no_pair_meets_in_two_consecutive_rounds(m: int, n: int, number: int) -> None:
    if min(m, n) == 2 and max(m, n) % 2 == 1:
        return  # two hosts, odd guests: trios rotate instead (the next test)
    marketing, sales = _people(m, n)
    this = set(_cross(rotation_round(marketing, sales, number=number)))
    following = set(_cross(rotation_round(marketing, sales, number=number + 1)))
    assert not this & following


def test_two_by_three_makes_trios_that_rotate_hand_checked() -> None:
    rounds = [rotation_round(["m1", "m2"], ["s1", "s2", "s3"], number=n) for n in range(1, 7)]
    shape = [[g.members for g in r.groups] for r in rounds]
    assert shape[:2] == [
        [("m1", "s1", "s3"), ("m2", "s2")],
        [("m1", "s2"), ("m2", "s1", "s3")],
    ]
    # rounds 1-2 and 3-4: every one of the 6 cross pairs once per block
    for block in (rounds[:2], rounds[2:4], rounds[4:6]):
        assert sorted(p for r in block for p in _cross(r)) == sorted(
            itertools.product(["m1", "m2"], ["s1", "s2", "s3"])
        )
    trio_pairs = {tuple(sorted(g.sales)) for r in rounds for g in r.groups if len(g.sales) == 2}
    assert trio_pairs == {("s1", "s3"), ("s2", "s3"), ("s1", "s2")}
    note = "Sales has 1 more person than Marketing: 1 group is a trio, and the trios rotate"
    assert all(r.notes == (note,) for r in rounds)


def test_trios_are_shared_fairly_in_a_demo_sized_company() -> None:
    """6 marketers, 11 sellers: 5 trios a round; over 60 rounds each seller is in a trio
    about 10/11 of the time, and the trio partner changes (no fixed buddy)."""
    marketing, sales = _people(6, 11)
    in_trio: Counter[str] = Counter()
    buddies: Counter[tuple[str, ...]] = Counter()
    for number in range(1, 61):
        for g in rotation_round(marketing, sales, number=number).groups:
            if len(g.sales) == 2:
                in_trio.update(g.sales)
                buddies[g.sales] += 1
    assert set(in_trio) == set(sales)
    assert max(in_trio.values()) - min(in_trio.values()) <= 6
    assert len(buddies) >= 30  # of 55 possible seller pairs
    assert max(buddies.values()) <= 15


def test_larger_groups_only_when_one_side_is_more_than_twice_the_other() -> None:
    r = rotation_round(["m1"], ["s1", "s2", "s3"], number=1)
    assert [g.members for g in r.groups] == [("m1", "s1", "s2", "s3")]
    assert "more than twice as many" in r.notes[0]
    assert "4 people" in r.notes[0]


@pytest.mark.parametrize(
    ("marketing", "sales", "text"),
    [
        ([], ["s1"], "Marketing has nobody"),
        (["m1", "m2"], [], "Sales has nobody"),
        ([], [], "no people on either side"),
    ],
)
def test_an_empty_side_gives_no_pairs_and_says_why(
    marketing: list[str], sales: list[str], text: str
) -> None:
    for r in (
        rotation_round(marketing, sales, number=3),
        next_round(marketing, sales, number=3, history=[]),
    ):
        assert r.groups == ()
        assert text in r.notes[0]


def test_one_person_per_side_meet_every_round() -> None:
    for number in (1, 2, 50):
        assert [g.members for g in rotation_round(["m"], ["s"], number=number).groups] == [
            ("m", "s")
        ]


@given(
    m=sizes,
    n=sizes,
    number=st.integers(min_value=1, max_value=60),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_the_same_people_in_any_order_give_the_same_round(
    m: int, n: int, number: int, seed: int
) -> None:
    marketing, sales = _people(m, n)
    shuffled_m, shuffled_s = marketing[:], sales[:]
    random.Random(seed).shuffle(shuffled_m)
    random.Random(seed + 1).shuffle(shuffled_s)
    assert rotation_round(shuffled_m, shuffled_s, number=number) == rotation_round(
        marketing, sales, number=number
    )


def test_round_numbers_start_at_one_and_a_person_on_both_sides_is_refused() -> None:
    with pytest.raises(ValueError, match="numbered from 1"):
        rotation_round(["m"], ["s"], number=0)
    with pytest.raises(ValueError, match="both sides"):
        rotation_round(["x"], ["x", "s"], number=1)


@given(m=st.integers(min_value=1, max_value=12), n=st.integers(min_value=1, max_value=12))
def test_with_unchanged_people_the_next_round_is_the_rotation_round(m: int, n: int) -> None:
    marketing, sales = _people(m, n)
    history: list[list[tuple[str, ...]]] = []
    for number in range(1, 2 * min(m, n) + 2):
        expected = rotation_round(marketing, sales, number=number)
        assert next_round(marketing, sales, number=number, history=history) == expected
        history.append([g.members for g in expected.groups])


def _total_meetings(r: Round, history: list[list[list[str]]]) -> int:
    met = meetings(history)
    return sum(met.times(a, b) for a, b in _cross(r))


def _best_possible(r: Round, history: list[list[list[str]]], *, hosts_marketing: bool) -> int:
    """Brute force: the fewest past meetings any re-seating of the guests can have."""
    slots, guests = [], []
    for g in r.groups:
        host, others = (g.marketing[0], g.sales) if hosts_marketing else (g.sales[0], g.marketing)
        slots += [host] * len(others)
        guests += list(others)
    met = meetings(history)
    return min(
        sum(met.times(h, guest) for h, guest in zip(slots, seating, strict=True))
        for seating in itertools.permutations(guests)
    )


@given(
    m=st.integers(min_value=1, max_value=4),
    n=st.integers(min_value=1, max_value=5),
    past=st.lists(
        st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=6), max_size=5
    ),
)
def test_the_next_round_has_the_fewest_repeats_possible_whatever_happened_before(
    m: int, n: int, past: list[list[tuple[int, int]]]
) -> None:
    """History from people who came and went (ids beyond today's people included)."""
    marketing, sales = _people(m, n)
    history = [[[f"m{a:02d}", f"s{b:02d}"] for a, b in meetings_] for meetings_ in past]
    r = next_round(marketing, sales, number=len(history) + 1, history=history)
    assert sorted(p for g in r.groups for p in g.members) == sorted(marketing + sales)
    assert _total_meetings(r, history) == _best_possible(r, history, hosts_marketing=m <= n)


def test_a_newcomer_meets_new_people_and_the_rest_avoid_last_rounds_partners() -> None:
    marketing, sales = ["m1", "m2", "m3"], ["s1", "s2", "s3"]
    history: list[list[list[str]]] = []
    for number in (1, 2):
        r = next_round(marketing, sales, number=number, history=history)
        history.append([list(g.members) for g in r.groups])
    # s2 leaves, s9 joins: round 3 must pair everyone with the one host not met yet
    r3 = next_round(marketing, ["s1", "s3", "s9"], number=3, history=history)
    met = meetings(history)
    assert all(met.times(a, b) == 0 for a, b in _cross(r3))
