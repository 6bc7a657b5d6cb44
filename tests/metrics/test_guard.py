"""Every public metric checks its input columns once, up front, with one clear error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import ibis
import pytest

from coparent.errors import MissingColumnsError, MissingDataError
from coparent.metrics import deals, funnel, goals, scorecard, sla, speed
from coparent.metrics._guard import require_columns
from coparent.metrics.periods import parse_period

from ._tables import table

Q3 = parse_period("2026-Q3")


def test_missing_columns_error_names_what_is_missing_what_is_there_and_what_to_import() -> None:
    t = ibis.memtable({"lead_id": ["L1"], "channel": ["web"]})
    with pytest.raises(MissingColumnsError) as info:
        require_columns(
            t, {"mql_at", "lead_id", "accepted_at"}, feature="the funnel", table_name="leads"
        )
    err = info.value
    assert err.missing == ["accepted_at", "mql_at"]
    assert err.available == ["channel", "lead_id"]
    assert str(err) == (
        "the funnel needs column(s) accepted_at, mql_at in 'leads'; available: channel, lead_id"
    )
    assert "import leads" in err.hint
    assert isinstance(err, MissingDataError)
    assert isinstance(err, ValueError)


def test_require_columns_passes_silently_when_everything_is_there() -> None:
    t = ibis.memtable({"lead_id": ["L1"], "mql_at": [datetime(2026, 1, 1)]})
    require_columns(t, {"lead_id", "mql_at"}, feature="x", table_name="leads")


LEADS_WITHOUT_MQL = table("leads", [{}]).drop("mql_at")
OPPS_WITHOUT_AMOUNT = table("opportunities", [{}]).drop("amount")

LEAD_METRICS: dict[str, Callable[[], Any]] = {
    "mql_funnel": lambda: funnel.mql_funnel(LEADS_WITHOUT_MQL),
    "cohort_conversion": lambda: funnel.cohort_conversion(LEADS_WITHOUT_MQL),
    "lead_response": lambda: speed.lead_response(LEADS_WITHOUT_MQL),
    "speed_to_lead": lambda: speed.speed_to_lead(LEADS_WITHOUT_MQL),
    "speed_histogram": lambda: speed.speed_histogram(LEADS_WITHOUT_MQL),
    "sales_sla": lambda: sla.sales_sla(LEADS_WITHOUT_MQL),
    "marketing_sla": lambda: sla.marketing_sla(LEADS_WITHOUT_MQL, period=Q3),
    "sla_compliance": lambda: sla.sla_compliance(LEADS_WITHOUT_MQL, period=Q3),
    "lead_scorecard": lambda: scorecard.lead_scorecard(LEADS_WITHOUT_MQL, periods={"q3": Q3}),
}
DEAL_METRICS: dict[str, Callable[[], Any]] = {
    "deal_summary": lambda: deals.deal_summary(OPPS_WITHOUT_AMOUNT),
    "open_pipeline": lambda: deals.open_pipeline(OPPS_WITHOUT_AMOUNT),
    "goal_progress": lambda: goals.goal_progress(OPPS_WITHOUT_AMOUNT, period=Q3, target=1.0),
}


@pytest.mark.parametrize("name", sorted(LEAD_METRICS))
def test_every_lead_metric_refuses_leads_without_mql_at(name: str) -> None:
    with pytest.raises(MissingColumnsError) as info:
        LEAD_METRICS[name]()
    assert info.value.missing == ["mql_at"]


@pytest.mark.parametrize("name", sorted(DEAL_METRICS))
def test_every_deal_metric_refuses_opportunities_without_amount(name: str) -> None:
    with pytest.raises(MissingColumnsError) as info:
        DEAL_METRICS[name]()
    assert info.value.missing == ["amount"]


def test_a_segment_column_the_table_lacks_is_reported_with_the_others() -> None:
    leads = table("leads", [{}]).drop("mql_at", "channel")
    with pytest.raises(MissingColumnsError) as info:
        funnel.mql_funnel(leads, by=["channel", "month"])
    assert info.value.missing == ["channel", "mql_at"]


def test_a_renamed_column_is_accepted_through_its_col_argument() -> None:
    leads = table("leads", [{"mql_at": datetime(2026, 7, 1)}]).rename(qualified_at="mql_at")
    with pytest.raises(MissingColumnsError):
        funnel.mql_funnel(leads, period=Q3)
    out = funnel.mql_funnel(leads, period=Q3, mql_col="qualified_at").to_pyarrow()
    assert out["mqls"].to_pylist() == [1]


def test_activities_without_occurred_at_are_refused_by_name() -> None:
    acts = table("activities", [{}]).drop("occurred_at")
    with pytest.raises(MissingColumnsError) as info:
        speed.speed_to_lead(table("leads", [{}]), activities=acts)
    assert (info.value.missing, "activities" in str(info.value)) == (["occurred_at"], True)
