"""No data is not zero: figures whose inputs were never imported are null, and say what to import.

The demo company with its contact times, acceptance decisions or activities
taken out, as a CRM export without those columns would load.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
import pytest
from ibis.backends import BaseBackend

from coparent.metrics import display
from coparent.notify.sections import scorecard_section
from coparent.services.scorecard import scorecard_report
from coparent.services.web_funnel import funnel_report
from coparent.settings import Settings
from tests.metrics._tables import demo

HINT_CONTACT = "import leads with first_contacted_at, or activities"
HINT_DECIDED = "import leads with accepted_at and rejected_at"


def _without(*columns: str, activities: bool = False) -> BaseBackend:
    """The demo warehouse with ``columns`` of leads emptied (and activities unless kept)."""
    con = ibis.duckdb.connect()
    for name, data in demo().tables.items():
        if name == "activities" and not activities:
            continue
        table = data
        if name == "leads":
            for col in columns:
                i = table.schema.get_field_index(col)
                table = table.set_column(i, col, pa.nulls(len(table), table.schema.field(col).type))
        con.create_table(name, table)
    return con


@pytest.fixture(scope="module")
def no_contact() -> dict[str, Any]:
    return scorecard_report(_without("first_contacted_at"), settings=Settings())


@pytest.fixture(scope="module")
def no_rejections() -> dict[str, Any]:
    con = _without("rejected_at", activities=True)
    return scorecard_report(con, settings=Settings())


def test_without_contact_times_the_sales_sla_is_null_not_zero(no_contact: dict[str, Any]) -> None:
    sales, speed = no_contact["sla"]["sales"], no_contact["speed_to_lead"]
    assert sales["mqls"] > 0
    assert sales["share_within_sla"] is None
    assert [sales["met"], sales["missed"], sales["never_contacted"]] == [None, None, None]
    assert speed["share_within_sla"] is None
    assert speed["histogram"] == []
    assert no_contact["no_data"]["sales_sla_share"] == HINT_CONTACT
    assert all(c["share_within_sla"] is None for c in no_contact["channels"])
    assert any(HINT_CONTACT in note for note in no_contact["notes"])
    # the Marketing side still has its data
    assert no_contact["sla"]["marketing"]["acceptance_rate"] is not None


def test_without_rejections_acceptance_is_null_not_100_percent(
    no_rejections: dict[str, Any],
) -> None:
    marketing = no_rejections["sla"]["marketing"]
    assert marketing["acceptance_rate"] is None
    assert [marketing["rejected"], marketing["undecided"]] == [None, None]
    assert marketing["accepted"] > 0  # accepted_at is there: the count stands
    assert no_rejections["no_data"] == {
        "mqls_rejected": HINT_DECIDED,
        "acceptance_rate": HINT_DECIDED,
    }
    assert no_rejections["sla"]["sales"]["share_within_sla"] is not None


def test_without_acceptance_dates_the_funnel_drops_the_stage_it_cannot_count() -> None:
    report = scorecard_report(_without("accepted_at", "rejected_at"), settings=Settings())
    stages = {row["stage"]: row for row in report["funnel"]}
    assert "accepted" not in stages
    assert stages["opportunity"]["conversion"] is None  # of an unknown number accepted
    assert report["sla"]["marketing"]["accepted"] is None
    assert report["no_data"]["mql_to_accepted"] == "import leads with accepted_at"


def test_the_funnel_page_nulls_the_same_figures() -> None:
    con = _without("first_contacted_at", "rejected_at")
    report = funnel_report(con, period="2026-Q3", settings=Settings())
    assert set(report["no_data"]) == {"acceptance_rate", "sales_sla_share"}
    assert all(r["share_within_sla"] is None for r in report["compliance"])
    assert all(r["acceptance_rate"] is None for r in report["compliance"])
    assert report["overall"]["accepted"] is not None


def test_the_digest_says_what_to_import_instead_of_a_zero(no_contact: dict[str, Any]) -> None:
    section = scorecard_section(no_contact)
    texts = [item.text for group in section.groups for item in group.items]
    assert f"Contacted within 24 hours: no data ({HINT_CONTACT})" in texts
    assert "Contacted within 24 hours: 0%" not in texts


def test_the_formatter_never_prints_a_missing_value_as_a_number() -> None:
    for unit in ("money", "percent", "count", "hours", "days", "decimal"):
        assert display.unit_format(unit, None) == "no data"  # type: ignore[arg-type]
        assert display.unit_format(unit, float("nan")) == "no data"  # type: ignore[arg-type]
