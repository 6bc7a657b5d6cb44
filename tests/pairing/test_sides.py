"""Who sits on which side: the two teams, or in single-team mode the two kinds of work."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coparent.pairing.schedule import rotation_round
from coparent.pairing.sides import role_sides, team_sides, work_measures
from tests.metrics._tables import rows, table


def test_team_both_people_even_out_the_smaller_side() -> None:
    sides = team_sides(
        [("s1", "sales"), ("s2", "sales"), ("s3", "sales"), ("m1", "marketing"),
         ("b1", "both"), ("b2", "both"), ("b3", "both")]
    )  # fmt: skip
    # b1 → marketing (1 vs 3), b2 → marketing (2 vs 3), b3 → marketing (3 vs 3, tie)
    assert sides.marketing == ("b1", "b2", "b3", "m1")
    assert sides.sales == ("s1", "s2", "s3")
    assert not sides.single_team
    assert "team 'both'" in sides.notes[0]


def test_single_team_split_follows_each_persons_share_of_each_kind_of_work() -> None:
    work = {
        # Grace owns 2 of 3 campaigns and 60 of 100 campaign leads: shares 2/3, 0.6 → 0.633
        # and 10 of 100 owned leads → sales share 0.1 (one measure with data): lean +0.53
        "grace": {"campaigns_owned": 2, "campaign_leads": 60, "leads_owned": 10},
        # Ben: 1/3 and 40/100 → 0.367 marketing; 50/100 owned leads → lean -0.13
        "ben": {"campaigns_owned": 1, "campaign_leads": 40, "leads_owned": 50},
        "carlos": {"leads_owned": 40},  # lean -0.4
        "omar": {},  # no work: evens out the smaller side
    }
    sides = role_sides(work, work)
    assert sides.marketing == ("grace", "omar")
    assert sides.sales == ("ben", "carlos")
    assert sides.single_team
    assert round(sides.lean["grace"], 3) == 0.533
    assert "mostly do marketing work" in sides.notes[0]


def test_when_everyone_does_the_same_work_the_team_is_split_into_halves_and_told_so() -> None:
    work = {p: {"leads_owned": n} for p, n in (("a", 5), ("b", 50), ("c", 20), ("d", 1))}
    sides = role_sides(work, work)
    # all lean to sales; ranked by lean (least sales share first): d, a | c, b
    assert sides.marketing == ("a", "d")
    assert sides.sales == ("b", "c")
    assert "split into two halves" in sides.notes[0]
    nothing = role_sides(["x", "y", "z"], {})
    assert (nothing.marketing, nothing.sales) == (("x",), ("y", "z"))


def test_one_person_or_nobody_has_no_one_to_pair_with() -> None:
    alone = role_sides(["solo"], {"solo": {"leads_owned": 3}})
    assert alone.notes == ("only one person: nobody to pair with",)
    assert rotation_round(alone.marketing, alone.sales, number=1).groups == ()
    assert role_sides([], {}).notes == ("nobody to pair: no people",)


@given(
    work=st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3),
        st.dictionaries(
            st.sampled_from(["campaigns_owned", "campaign_leads", "leads_owned",
                             "opportunities_owned", "activities_logged"]),
            st.integers(0, 50),
        ),
        min_size=2,
        max_size=30,
    ),
    number=st.integers(1, 40),
)  # fmt: skip
def test_single_team_mode_pairs_everyone_across_the_two_sides(
    work: dict[str, dict[str, int]], number: int
) -> None:
    sides = role_sides(work, work)
    assert sorted(sides.marketing + sides.sales) == sorted(work)
    assert sides.marketing
    assert sides.sales
    r = rotation_round(sides.marketing, sides.sales, number=number)
    assert sorted(p for g in r.groups for p in g.members) == sorted(work)
    for g in r.groups:
        assert set(g.marketing) <= set(sides.marketing)
        assert set(g.sales) <= set(sides.sales)
        assert g.marketing
        assert g.sales


def test_work_measures_count_each_persons_campaigns_leads_deals_and_activities() -> None:
    campaigns = table("campaigns", [{"campaign_id": "C1", "owner_id": "grace"},
                                    {"campaign_id": "C2", "owner_id": "grace"}])  # fmt: skip
    leads = table(
        "leads",
        [{"campaign_id": "C1", "owner_id": "ben"}, {"campaign_id": "C2", "owner_id": "ben"},
         {"campaign_id": None, "owner_id": "grace"}, {"campaign_id": "C1", "owner_id": None}],
    )  # fmt: skip
    opps = table("opportunities", [{"owner_id": "ben"}, {"owner_id": None}])
    acts = table("activities", [{"person_id": "ben"}, {"person_id": "ben"}])
    expr = work_measures(campaigns=campaigns, leads=leads, opportunities=opps, activities=acts)
    assert expr is not None
    got = {(r["person_id"], r["measure"]): r["n"] for r in rows(expr)}
    assert got == {
        ("grace", "campaigns_owned"): 2,
        ("grace", "campaign_leads"): 3,  # the leads of C1 (2) and C2 (1)
        ("grace", "leads_owned"): 1,
        ("ben", "leads_owned"): 2,
        ("ben", "opportunities_owned"): 1,
        ("ben", "activities_logged"): 2,
    }
    assert work_measures() is None
