"""The rows selector: checked queries, pages and totals, the links' counts from the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coparent.app.lists.links import bridge_link, moved_links, scorecard_link, segment_link
from coparent.app.lists.selectors import metric_rows_export, metric_rows_get, row_query_parse
from coparent.errors import BadParameter
from coparent.metrics.rows import DEAL_COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"metric_name": "goal_progress"}, "metric"),
        ({"metric_name": "won_deals", "part": "denominator"}, "part"),
        ({"metric_name": "win_rate", "part": "both"}, "part"),
        ({"metric_name": "mqls", "by": "owner", "segment": "x"}, "by"),
        ({"metric_name": "mqls", "by": "channel"}, "segment"),
        ({"metric_name": "mqls", "segment": "web"}, "by"),
        ({"metric_name": "mqls", "by": "channel", "segment": "web\x00"}, "segment"),
        ({"metric_name": "mqls", "sort": "amount"}, "sort"),
        ({"metric_name": "lost_deals", "category": "pricing"}, "category"),
        ({"metric_name": "won_deals", "category": "product"}, "category"),
        ({"metric_name": "mqls", "as_of": "30/09/2026"}, "as_of"),
    ],
)
def test_a_query_that_cannot_be_used_names_its_parameter(
    kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(BadParameter) as caught:
        row_query_parse(**kwargs)
    assert caught.value.parameter == parameter


def test_a_query_defaults_to_the_numerator_newest_first() -> None:
    deals = row_query_parse(metric_name="win_rate")
    leads = row_query_parse(metric_name="mqls", by="product", segment="")
    assert (deals.part, deals.sort, deals.entity) == ("numerator", "-closed_at", "deals")
    assert (leads.sort, leads.entity, leads.segment) == ("-mql_at", "leads", "")


def test_a_page_and_the_export_hold_the_same_rows(workspace: Path, db: None) -> None:
    query = row_query_parse(metric_name="lost_deals", period="2026-Q3", sort="opportunity_id")
    page = metric_rows_get(query=query, offset=10, limit=5)
    head, table = metric_rows_export(query=query)
    assert table is not None
    assert page.total == head.total == table.num_rows
    assert tuple(table.column_names) == DEAL_COLUMNS
    ids = table.column("opportunity_id").to_pylist()
    assert [r["opportunity_id"] for r in page.rows] == ids[10:15]
    assert page.label == "Lost deals"
    assert page.other_part is None


def test_without_a_workspace_the_rows_are_missing_not_empty(
    empty_workspace: Path, db: None
) -> None:
    found = metric_rows_get(query=row_query_parse(metric_name="mqls"))
    assert not found.ok
    assert found.missing
    assert found.total == 0
    assert found.rows == []


REPORT: dict[str, Any] = {
    "period": {"label": "2026-Q3"},
    "won": 54,
    "lost": 130,
    "closed": 184,
    "revenue": 912973.0,
    "sla": {"marketing": {"accepted": 268, "rejected": 251}, "sales": {"met": 3, "missed": 4}},
    "funnel": [{"stage": "mql", "count": 574}, {"stage": "won", "count": 22}],
    "no_data": {"sales_sla_share": "import leads with first_contacted_at, or activities"},
}


def test_scorecard_links_carry_the_reports_counts_and_no_data_opens_nothing() -> None:
    den = scorecard_link(REPORT, "acceptance_rate", part="denominator")
    assert den is not None
    assert den.rows == 268 + 251
    assert den.params() == {"period": "2026-Q3", "part": "denominator"}
    won = scorecard_link(REPORT, "mql_to_won")
    assert won is not None
    assert won.rows == 22
    assert scorecard_link(REPORT, "sales_sla_share") is None  # no data: not 0 rows
    assert scorecard_link(REPORT, "attempts_per_mql") is None  # no rows of its own
    assert scorecard_link(None, "won_deals") is None


DIAGNOSIS: dict[str, Any] = {
    "period": "2026-Q3",
    "baseline": "2026-Q2",
    "against": "previous",
    "segment_by": "channel",
    "bridge_starts_at": "mqls",
    "segments": [
        {
            "segment": "web",
            "counts": {"baseline": {"mqls": 5.0, "won": 1.0}, "current": {"mqls": 7.0, "won": 2}},
            "factors": [
                {"factor": "volume", "significant": True},
                {"factor": "win_rate", "significant": False},
            ],
        },
        {
            "segment": "event",
            "counts": {"baseline": {"mqls": 3.0, "won": 0.0}, "current": {"mqls": 1.0, "won": 1}},
            "factors": [],
        },
    ],
}


def test_bridge_links_sum_the_segments_and_name_the_baseline_period() -> None:
    now = bridge_link(DIAGNOSIS, "volume", "current")
    before = bridge_link(DIAGNOSIS, "win_rate", "baseline")
    assert now is not None
    assert before is not None
    assert (now.metric, now.part, now.period, now.rows) == (
        "flow_acceptance",
        "denominator",
        "2026-Q3",
        8,
    )
    assert (before.metric, before.period, before.rows) == ("win_rate", "2026-Q2", 1)
    web = bridge_link(DIAGNOSIS, "volume", "current", segment="web")
    assert web is not None
    assert web.params() == {"period": "2026-Q3", "part": "denominator", "by": "channel",
                            "segment": "web"}  # fmt: skip
    assert bridge_link({**DIAGNOSIS, "against": "goal"}, "volume", "baseline") is None
    moved = moved_links(DIAGNOSIS, "web")
    assert [m["factor"] for m in moved] == ["volume"]
    assert moved[0]["current"].rows == 7


def test_segment_links_need_a_count_and_a_known_segment_kind() -> None:
    month = segment_link("mqls", "2026-Q3", by="month", segment="2026-07-01", rows=3)
    assert month is not None
    assert month.params() == {"period": "2026-07"}  # a month of the funnel: that month
    assert segment_link("mqls", "2026-Q3", by="week", segment="2026-07-06", rows=3) is None
    assert segment_link("won_deals", "2026-Q3", rows=3, category="product") is None
    assert segment_link("mqls", "2026-Q3", rows=None) is None
    assert segment_link("mqls", None, rows=3) is None
    link = segment_link("won_revenue", "2026-Q3", by="product", segment="a/b", rows=2, amount=5)
    assert link is not None
    assert (link.segment, link.amount) == ("a/b", 5.0)


@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_both_ways(workspace: Path, db: None, descending: bool) -> None:
    from coparent.metrics.rows import LEAD_COLUMNS

    for name, columns in (("win_rate", DEAL_COLUMNS), ("mqls", LEAD_COLUMNS)):
        for column in columns:
            sort = ("-" if descending else "") + column
            query = row_query_parse(metric_name=name, period="2026-Q3", sort=sort)
            page = metric_rows_get(query=query, limit=20)
            values = [r[column] for r in page.rows if r[column] is not None]
            assert values == sorted(values, reverse=descending), (name, sort)
