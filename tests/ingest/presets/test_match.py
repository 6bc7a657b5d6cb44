"""Detection: the right preset for every fixture export, and a refusal when it cannot tell."""

from __future__ import annotations

import pytest

from coparent.ingest.issues import IssueLog
from coparent.ingest.presets import builtin_presets, choose_presets, detect, read_export
from coparent.settings import Settings

from .conftest import CRM

FIXTURES = {
    "hubspot/companies.csv": "hubspot-companies",
    "hubspot/contacts.csv": "hubspot-contacts",
    "hubspot/deals.csv": "hubspot-deals",
    "quirks/hubspot-deals-dayfirst.csv": "hubspot-deals",
    "quirks/hubspot-deals-internal.csv": "hubspot-deals",
    "quirks/hubspot-deals-custom-stage.csv": "hubspot-deals",
    "salesforce-api/Account.csv": "salesforce-account",
    "salesforce-api/Campaign.csv": "salesforce-campaign",
    "salesforce-api/CampaignMember.csv": "salesforce-campaignmember",
    "salesforce-api/Lead.csv": "salesforce-lead",
    "salesforce-api/Opportunity.csv": "salesforce-opportunity",
    "salesforce-api/OpportunityHistory.csv": "salesforce-opportunityhistory",
    "salesforce-api/Task.csv": "salesforce-task",
    "salesforce-report/accounts.csv": "salesforce-account",
    "salesforce-report/campaigns.csv": "salesforce-campaign",
    "salesforce-report/campaign_members.csv": "salesforce-campaignmember",
    "salesforce-report/leads.csv": "salesforce-lead",
    "salesforce-report/opportunities.csv": "salesforce-opportunity",
    "salesforce-report/opportunity_history.csv": "salesforce-opportunityhistory",
    "salesforce-report/tasks.csv": "salesforce-task",
    "pipedrive/deals-7771-1.csv": "pipedrive-deals",
    "pipedrive/leads-7771-1.csv": "pipedrive-leads",
    "pipedrive/persons-7771-1.csv": "pipedrive-persons",
    "pipedrive/organizations-7771-1.csv": "pipedrive-organizations",
    "pipedrive/activities-7771-1.csv": "pipedrive-activities",
}
PRESETS = list(builtin_presets().values())


def _headers(rel: str) -> list[str]:
    log = IssueLog(file=rel, max_examples=5)
    export = read_export(CRM / rel, file=rel, presets=PRESETS, settings=Settings(), log=log)
    assert export is not None, [i.format() for i in log.issues()]
    return export.headers


def test_every_preset_has_a_fixture_export() -> None:
    assert set(FIXTURES.values()) == {p.name for p in PRESETS}


@pytest.mark.parametrize(("rel", "expected"), sorted(FIXTURES.items()))
def test_detection_picks_the_preset_of_every_fixture_and_says_why(rel: str, expected: str) -> None:
    detection = detect(PRESETS, _headers(rel))
    assert detection.chosen is not None, detection.failure()
    assert detection.chosen.preset.name == expected
    why = detection.explain()
    assert why.startswith(f"{detection.chosen.score} of ")
    assert "headers matched" in why


def test_an_export_two_presets_read_equally_well_is_refused_naming_both() -> None:
    detection = detect(PRESETS, _headers("quirks/ambiguous.csv"))
    assert detection.chosen is None
    assert {m.preset.name for m in detection.ambiguous} == {
        "salesforce-account",
        "salesforce-campaign",
    }
    message, hint = detection.failure()
    assert "equally" in message
    assert "--preset salesforce-account" in hint
    assert "--preset salesforce-campaign" in hint


def test_a_file_no_preset_knows_is_refused() -> None:
    detection = detect(PRESETS, ["when", "what", "how much"])
    assert detection.chosen is None
    assert not detection.matches
    assert "no preset recognises" in detection.failure()[0]


def test_a_report_without_its_id_column_names_the_column_to_add() -> None:
    # The real report header of S25: no Opportunity ID column, so no id to load.
    header = [
        "Opportunity Owner", "Account Name", "Forecast Category", "Opportunity Name",
        "Fiscal Period", "Probability (%)", "Age", "Close Date", "Created Date", "Next Step",
        "Stage",
    ]  # fmt: skip
    detection = detect(PRESETS, header)
    assert detection.chosen is None
    assert detection.matches[0].preset.name == "salesforce-opportunity"
    message, hint = detection.failure()
    assert "lack required columns" in message
    assert "'Opportunity ID'" in hint


def test_a_crm_name_restricts_detection_to_that_crm() -> None:
    headers = _headers("hubspot/deals.csv")
    assert detect(choose_presets("salesforce"), headers).chosen is None
    chosen = detect(choose_presets("hubspot"), headers).chosen
    assert chosen is not None
    assert chosen.preset.name == "hubspot-deals"
