"""Journeys in the engine: paths cut at conversion, both teams' steps, ties, unattributed deals.

One small company, worked by hand (days after 2026-01-01):

- lead L1 (account X): ads d1 (campaign C1), email d3, webinar d10 (C2); a call d4; a
  meeting d15 on its deal O1, which was created d5 and won d20 for 100;
- lead L2 (account X, its touches name no account): search d2 and d4.5; no deal;
- lead L3 (account Y): email and ads at the same instant d1; deal O2 created d2, lost;
- lead L4 (account Y): no touch; deal O3 created d3, won d6 for 50;
- deal O4 names no lead (account X): created d7, won d9 for 70.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pyarrow as pa
import pytest
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import MissingColumnsError
from coparent.models.attribution import (
    PathVocabulary,
    UniquePaths,
    conversion_events,
    journey_events,
    journey_steps,
    path_vocabulary,
    unattributed,
    unique_paths,
)
from tests.models.attribution._tables import activity, deal, table, touch

LEADS = table(
    "leads",
    [
        {"lead_id": f"L{i}", "account_id": acc, "created_at": None, "channel": "x"}
        for i, acc in ((1, "X"), (2, "X"), (3, "Y"), (4, "Y"))
    ],
)
TOUCHES = table(
    "touches",
    [
        touch("L1", 1, "ads", campaign_id="C1", account_id="X"),
        touch("L1", 3, "email", account_id="X"),
        touch("L1", 10, "webinar", campaign_id="C2", account_id="X"),
        touch("L2", 2, "search"),
        touch("L2", 4.5, "search"),
        touch("L3", 1, "email", account_id="Y"),
        touch("L3", 1, "ads", account_id="Y"),
    ],
)
OPPORTUNITIES = table(
    "opportunities",
    [
        deal("O1", "L1", 5, "won", 100.0, closed=20, account="X"),
        deal("O2", "L3", 2, "lost", 40.0, closed=8, account="Y"),
        deal("O3", "L4", 3, "won", 50.0, closed=6, account="Y"),
        deal("O4", None, 7, "won", 70.0, closed=9, account="X"),
    ],
)
ACTIVITIES = table(
    "activities", [activity(4, "call", lead="L1"), activity(15, "meeting", opp="O1")]
)


def _steps(**options: Any) -> ir.Table:
    return journey_steps(
        TOUCHES, opportunities=OPPORTUNITIES, activities=ACTIVITIES, leads=LEADS, **options
    )


def _journeys(**options: Any) -> tuple[ir.Table, ir.Table]:
    """(events, outcomes) of the small company, for `unique_paths`."""
    conversion = options.pop("conversion", "opportunity")
    events = journey_events(
        TOUCHES, opportunities=OPPORTUNITIES, activities=ACTIVITIES, leads=LEADS, **options
    )
    outcomes = conversion_events(
        OPPORTUNITIES, leads=LEADS, conversion=conversion, journey=options.get("journey", "lead")
    )
    return events, outcomes


def _paths(
    journeys: tuple[ir.Table, ir.Table],
    vocabulary: PathVocabulary | None = None,
    *,
    con: BaseBackend | None = None,
) -> dict[tuple[str, ...], tuple[float, float, float]]:
    """Unique paths as {labels: (conversions, value, nulls)}, run on DuckDB or on ``con``."""

    def run(expr: ir.Table) -> pa.Table:
        return expr.to_pyarrow() if con is None else con.to_pyarrow(expr)

    events, outcomes = journeys
    vocabulary = vocabulary or PathVocabulary.from_arrow(run(path_vocabulary(events)))
    table = run(unique_paths(events, outcomes=outcomes, vocabulary=vocabulary))
    paths = UniquePaths.from_arrow(table, labels=vocabulary.labels)
    return {
        p: (c, v, n)
        for p, c, v, n in zip(
            paths.paths(), paths.conversions, paths.value, paths.nulls, strict=True
        )
    }


def test_lead_paths_stop_at_the_first_opportunity_and_include_sales_activities() -> None:
    assert _paths(_journeys()) == {
        ("ads", "email", "sales_call"): (1.0, 100.0, 0.0),  # webinar and meeting came later
        ("search", "search"): (0.0, 0.0, 1.0),  # never converted: runs to the end of the data
        ("ads", "email"): (1.0, 0.0, 0.0),  # the deal was lost: a conversion worth 0
    }


def test_won_conversion_runs_journeys_to_the_win_and_lost_deals_do_not_convert() -> None:
    assert _paths(_journeys(conversion="won")) == {
        ("ads", "email", "sales_call", "webinar", "sales_meeting"): (1.0, 100.0, 0.0),
        ("search", "search"): (0.0, 0.0, 1.0),
        ("ads", "email"): (0.0, 0.0, 1.0),
    }


def test_steps_at_the_same_instant_are_ordered_by_label_whatever_the_row_order() -> None:
    # L3's email was inserted before its ads touch, both at d1: the path reads ads > email.
    assert ("ads", "email") in _paths(_journeys())
    assert ("email", "ads") not in _paths(_journeys())


def test_campaign_labels_name_touches_without_a_campaign_by_their_channel() -> None:
    journeys = _journeys(by="campaign")
    vocabulary = PathVocabulary.from_arrow(path_vocabulary(journeys[0]).to_pyarrow())
    assert dict(zip(vocabulary.labels, vocabulary.channels, strict=True))["C1"] == "ads"
    assert ("C1", "email (no campaign)", "sales_call") in _paths(journeys)
    assert ("ads (no campaign)", "email (no campaign)") in _paths(journeys)


def test_account_journeys_merge_the_leads_of_an_account_and_its_first_deal_converts() -> None:
    # X: L1 and L2 (whose touches find X through the lead), the call of L1; O1 (d5) is X's
    # first deal. Y: L3's touches; O2 (d2, lost, worth 0) comes before O3.
    assert _paths(_journeys(journey="account")) == {
        ("ads", "search", "email", "sales_call", "search"): (1.0, 100.0, 0.0),
        ("ads", "email"): (1.0, 0.0, 0.0),
    }


def test_packed_and_pair_sorting_give_the_same_paths() -> None:
    for options in ({"conversion": "won"}, {}):
        journeys = _journeys(**options)
        vocabulary = PathVocabulary.from_arrow(path_vocabulary(journeys[0]).to_pyarrow())
        assert vocabulary.packable
        pairs = dataclasses.replace(vocabulary, first_at=None)  # forces the (time, code) sort
        assert _paths(journeys, pairs) == _paths(journeys, vocabulary)


def test_conversions_without_steps_or_without_a_lead_are_counted_not_credited() -> None:
    row = unattributed(_steps(), opportunities=OPPORTUNITIES, leads=LEADS).to_pyarrow()
    assert row.to_pylist() == [
        {"conversions": 1, "value": 50.0, "unlinked_conversions": 1, "unlinked_value": 70.0}
    ]


def test_a_lead_named_only_by_the_leads_table_still_links_its_deal() -> None:
    leads = table("leads", [{"lead_id": "L9", "opportunity_id": "O9", "channel": "x"}])
    touches = table("touches", [touch("L9", 1, "ads")])
    opportunities = table("opportunities", [deal("O9", None, 2, "won", 10.0, closed=3)])
    journeys = (
        journey_events(touches, opportunities=opportunities, leads=leads),
        conversion_events(opportunities, leads=leads),
    )
    assert _paths(journeys) == {("ads",): (1.0, 10.0, 0.0)}


def test_touches_without_a_channel_column_name_what_is_missing() -> None:
    with pytest.raises(MissingColumnsError, match="channel"):
        journey_steps(TOUCHES.drop("channel"), opportunities=OPPORTUNITIES)


def test_many_labels_take_their_codes_from_a_joined_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from coparent.models.attribution import journeys

    company = _journeys(conversion="won")
    inline = _paths(company)
    monkeypatch.setattr(journeys, "_INLINE_LABELS", 0)
    assert _paths(company) == inline


@pytest.mark.parametrize(
    "options", [{}, {"conversion": "won"}, {"journey": "account"}, {"by": "campaign"}]
)
def test_unique_paths_agree_with_the_cut_steps_counted_in_python(options: dict[str, Any]) -> None:
    """`journey_steps` (cut row by row, what time decay reads) and `unique_paths` (cut per
    journey on packed integers) must describe the same journeys."""
    expected: dict[tuple[str, ...], list[float]] = {}
    per: dict[str, list[dict[str, Any]]] = {}
    for row in _steps(**options).to_pyarrow().to_pylist():
        per.setdefault(row["journey_id"], []).append(row)
    for rows in per.values():
        rows.sort(key=lambda r: (r["at"], r["label"]))
        path = tuple(r["label"] for r in rows)
        won = rows[0]["converted"]
        counts = expected.setdefault(path, [0.0, 0.0, 0.0])
        counts[0] += won
        counts[1] += rows[0]["value"] if won else 0.0
        counts[2] += not won
    assert _paths(_journeys(**options)) == {p: tuple(c) for p, c in expected.items()}


@pytest.mark.parametrize(
    "options", [{}, {"conversion": "won"}, {"journey": "account"}, {"by": "campaign"}]
)
def test_a_vocabulary_of_channels_skips_the_channel_minimum_and_finds_the_same(
    options: dict[str, Any],
) -> None:
    events = _journeys(**options)[0]
    by = options.get("by", "channel")
    assert (
        path_vocabulary(events, by=by)
        .to_pyarrow()
        .sort_by("label")
        .equals(path_vocabulary(events).to_pyarrow().sort_by("label"))
    )


@pytest.mark.spark
@pytest.mark.parametrize(
    "options", [{}, {"conversion": "won"}, {"journey": "account"}, {"by": "campaign"}]
)
def test_paths_are_the_same_on_spark(spark_con: BaseBackend, options: dict[str, Any]) -> None:
    """The same expressions on PySpark: packed integers and (time, code) pairs alike."""
    journeys = _journeys(**options)
    vocabulary = PathVocabulary.from_arrow(spark_con.to_pyarrow(path_vocabulary(journeys[0])))
    pairs = dataclasses.replace(vocabulary, first_at=None)
    expected = _paths(journeys)
    assert _paths(journeys, con=spark_con) == expected
    assert _paths(journeys, pairs, con=spark_con) == expected
