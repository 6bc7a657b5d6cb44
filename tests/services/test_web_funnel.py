"""The Funnel & SLA page's report."""

from __future__ import annotations

import ibis
import pytest

from coparent.errors import MissingDataError
from coparent.services.web_funnel import funnel_report
from coparent.settings import Settings
from tests.metrics._tables import demo_con


def test_the_funnel_by_channel_adds_up_to_the_overall_funnel() -> None:
    report = funnel_report(demo_con(), period="2026-Q3", by="channel", settings=Settings())
    assert report["overall"]["mqls"] == sum(s["mqls"] for s in report["segments"])
    assert report["every"] == "week"
    assert 13 <= len(report["compliance"]) <= 14
    assert len(report["cohorts"]) == 12


def test_a_year_is_followed_month_by_month() -> None:
    report = funnel_report(demo_con(), period="2026", by="month", settings=Settings())
    assert report["every"] == "month"
    assert [s["segment"] for s in report["segments"]] == sorted(
        s["segment"] for s in report["segments"]
    )


def test_without_leads_it_says_what_to_import() -> None:
    with pytest.raises(MissingDataError, match="leads"):
        funnel_report(ibis.duckdb.connect(), period="2026-Q3", settings=Settings())
