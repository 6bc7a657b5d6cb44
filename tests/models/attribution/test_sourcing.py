"""Sourced and influenced revenue: one deal per rule, worked by hand."""

from __future__ import annotations

from coparent.models.attribution import GROUPS, revenue_sourcing
from tests.models.attribution._tables import activity, deal, table, touch

# L1: ads d1, call d2 -> won 100: marketing-sourced, influenced by both.
# L2: outbound touch d1, ads d3 -> won 200: sales-sourced (outbound is Sales' channel), both.
# L3: call d1, then ads d2 -> won 400: sales-sourced, both.
# L4: ads and call at the same instant d1 -> won 800: a tie counts for Sales; both.
# L5: webinar d5, after its win on d4 -> won 1600: no step recorded before the win.
# L6: ads d1 -> lost: not revenue. L7: call d1 -> won 3200: sales-sourced, Sales only.
TOUCHES = table(
    "touches",
    [
        touch("L1", 1, "ads"),
        touch("L2", 1, "outbound"),
        touch("L2", 3, "ads"),
        touch("L3", 2, "ads"),
        touch("L4", 1, "ads"),
        touch("L5", 5, "webinar"),
        touch("L6", 1, "ads"),
    ],
)
ACTIVITIES = table(
    "activities",
    [
        activity(2, "call", lead="L1"),
        activity(1, "call", lead="L3"),
        activity(1, "call", lead="L4"),
        activity(1, "call", lead="L7"),
    ],
)
OPPORTUNITIES = table(
    "opportunities",
    [
        deal("O1", "L1", 1, "won", 100.0, closed=4),
        deal("O2", "L2", 1, "won", 200.0, closed=4),
        deal("O3", "L3", 1, "won", 400.0, closed=4),
        deal("O4", "L4", 1, "won", 800.0, closed=4),
        deal("O5", "L5", 1, "won", 1600.0, closed=4),
        deal("O6", "L6", 1, "lost", 6400.0, closed=4),
        deal("O7", "L7", 1, "won", 3200.0, closed=4),
    ],
)


def test_each_won_deal_is_sourced_once_and_influenced_by_every_team_that_touched_it() -> None:
    (row,) = (
        revenue_sourcing(TOUCHES, opportunities=OPPORTUNITIES, activities=ACTIVITIES)
        .to_pyarrow()
        .to_pylist()
    )
    assert row == {
        "deals": 6,
        "revenue": 6300.0,
        "marketing_sourced_deals": 1,
        "marketing_sourced_revenue": 100.0,
        "sales_sourced_deals": 4,
        "sales_sourced_revenue": 200.0 + 400.0 + 800.0 + 3200.0,
        "no_touch_recorded_deals": 1,
        "no_touch_recorded_revenue": 1600.0,
        "marketing_influenced_deals": 4,
        "marketing_influenced_revenue": 100.0 + 200.0 + 400.0 + 800.0,
        "sales_influenced_deals": 5,
        "sales_influenced_revenue": 100.0 + 200.0 + 400.0 + 800.0 + 3200.0,
        "both_teams_deals": 4,
        "both_teams_revenue": 1500.0,
    }
    sourced = sum(row[f"{g}_revenue"] for g in GROUPS[:3])
    assert sourced == row["revenue"]


def test_sales_channels_are_configurable() -> None:
    (row,) = (
        revenue_sourcing(TOUCHES, opportunities=OPPORTUNITIES, sales_channels=())
        .to_pyarrow()
        .to_pylist()
    )
    # Without activities and with no sales channel, every touched deal is marketing-sourced.
    assert row["marketing_sourced_revenue"] == 100.0 + 200.0 + 400.0 + 800.0
    assert row["sales_sourced_deals"] == 0
