"""CRM exports imported through presets: expected canonical rows, and all or nothing.

The fixtures in tests/data/crm are written from the documented headers of each
export (../shared/CRM-EXPORTS.md): every folder is one consistent export, so a
folder import also proves that references between its files resolve.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import ImportRejected
from coparent.ingest.issues import Issue, IssueCode
from coparent.ingest.presets import preset_text
from coparent.ingest.sfid import to_id18
from coparent.schema import TABLES
from coparent.services.export_imports import import_export, import_export_folder
from coparent.settings import Settings

CRM = Path(__file__).parents[1] / "data" / "crm"
T = dt.datetime


@pytest.fixture
def con() -> Iterator[BaseBackend]:
    backend = warehouse.connect("duckdb://")
    yield backend
    backend.disconnect()


def rows(con: BaseBackend, table: str) -> dict[str, dict[str, Any]]:
    """A table's rows by their first key column (stage changes: by id, stage)."""
    data = con.table(table).to_pyarrow().to_pylist()
    if table == "stage_changes":
        return {f"{r['opportunity_id']} {r['stage']}": r for r in data}
    key = next(iter(data[0])) if data else ""
    return {r[key]: r for r in data}


def codes(issues: list[Issue] | tuple[Issue, ...]) -> list[str]:
    return sorted({i.code.value for i in issues})


def snapshot(con: BaseBackend) -> dict[str, pa.Table]:
    return {t: con.table(t).to_pyarrow() for t in sorted(con.list_tables())}


def sf(id15: str) -> str:
    out = to_id18(id15)
    assert out is not None
    return out


# ---------------------------------------------------------------- HubSpot


def test_a_hubspot_export_folder_loads_accounts_leads_deals_and_their_stage_history(
    con: BaseBackend,
) -> None:
    result = import_export_folder(con, folder=CRM / "hubspot")
    assert [(Path(f.file).name, f.preset) for f in result.files] == [
        ("companies.csv", "hubspot-companies"),
        ("contacts.csv", "hubspot-contacts"),
        ("deals.csv", "hubspot-deals"),
    ]
    assert result.rows == {
        "people": 2,
        "accounts": 3,
        "leads": 3,
        "opportunities": 3,
        "stage_changes": 5,
    }
    accounts = rows(con, "accounts")
    assert accounts["101"] == {
        "account_id": "101",
        "name": "Acme GmbH",
        "industry": "COMPUTER_SOFTWARE",
        "employees": 120,
        "region": "Germany",
        "created_at": T(2023, 11, 2, 9, 15),
    }
    assert accounts["102"]["employees"] is None  # "(No value)"
    assert accounts["102"]["region"] == "California"  # no country: the state
    leads = rows(con, "leads")
    assert leads["201"] | {} == {
        "lead_id": "201",
        "account_id": "101",
        "created_at": T(2024, 1, 5, 10),
        "channel": "organic_search",
        "campaign_id": None,
        "product_id": None,
        "mql_at": T(2024, 1, 6, 9),
        "owner_id": "Jane Doe",
        "first_contacted_at": T(2024, 1, 6, 15),
        "accepted_at": T(2024, 1, 8, 11, 30),
        "rejected_at": None,
        "rejection_reason": None,
        "opportunity_id": "301",  # "302;301": the lowest id, the oldest deal
    }
    assert leads["202"]["account_id"] == "102"  # "102;103": the first listed
    assert (leads["202"]["rejected_at"], leads["202"]["rejection_reason"]) == (
        T(2024, 2, 15, 9, 45),
        "Unqualified",
    )
    assert leads["203"]["channel"] == "unknown"
    deals = rows(con, "opportunities")
    assert (deals["301"]["status"], deals["301"]["closed_at"], deals["301"]["amount"]) == (
        "won",
        T(2024, 2, 20, 17),
        12000.0,
    )
    assert deals["302"]["status"] == "lost"
    assert deals["302"]["amount"] == 3500.5  # "3,500.50"
    assert deals["302"]["loss_reason"] == "Missing integration with SAP"  # in the CRM's words
    assert deals["303"]["status"] == "open"
    assert deals["303"]["closed_at"] is None  # an expected close date is not a close
    assert (deals["303"]["account_id"], deals["303"]["lead_id"]) == ("103", "203")
    history = rows(con, "stage_changes")
    assert sorted(history) == [
        "301 Appointment Scheduled",
        "301 Closed Won",
        "302 Appointment Scheduled",
        "302 Closed Lost",
        "303 Appointment Scheduled",
    ]
    assert history["301 Closed Won"]["entered_at"] == T(2024, 2, 20, 17)
    people = rows(con, "people")
    assert {p: r["team"] for p, r in people.items()} == {"Jane Doe": "sales", "John Roe": "sales"}
    assert codes(result.issues) == ["ingest.W204", "ingest.W205"]


def test_day_first_dates_semicolons_decimal_commas_and_curly_quotes_in_one_export(
    con: BaseBackend,
) -> None:
    import_export(con, path=CRM / "quirks" / "hubspot-deals-dayfirst.csv")
    deals = rows(con, "opportunities")
    assert deals["401"]["created_at"] == T(2024, 2, 5, 9)  # 05/02 is 5 February: 25/02 decides
    assert deals["401"]["closed_at"] == T(2024, 2, 25)
    assert deals["401"]["amount"] == 1234.5
    history = rows(con, "stage_changes")
    assert history["401 Closed Won"]["entered_at"] == T(2024, 2, 25, 16, 30)
    assert history["401 Appointment Scheduled"]["entered_at"] == T(2024, 2, 5, 9)


def test_monthfirst_and_a_time_zone_given_on_the_command_line_win(con: BaseBackend) -> None:
    result = import_export(con, path=CRM / "quirks" / "hubspot-deals-dayfirst.csv", check=True)
    assert result.checked_only
    assert not con.list_tables()
    with pytest.raises(ImportRejected) as info:  # 25/02/2024 is no month-first date
        import_export(con, path=CRM / "quirks" / "hubspot-deals-dayfirst.csv", dayfirst=False)
    bad = [i for i in info.value.issues if i.code is IssueCode.E204]
    assert {(i.row, i.column, i.value) for i in bad} == {
        (3, "Close Date", "25/02/2024"),
        (3, "Date entered \u2018Closed Won (Sales Pipeline)\u2019", "25/02/2024 16:30"),
    }
    assert "--dayfirst" in bad[0].hint
    import_export(con, path=CRM / "quirks" / "hubspot-deals-dayfirst.csv", timezone="Europe/Berlin")
    assert rows(con, "opportunities")["401"]["created_at"] == T(2024, 2, 5, 8)  # 09:00 CET


def test_internal_name_exports_read_stage_ids_and_home_currency(con: BaseBackend) -> None:
    import_export(con, path=CRM / "quirks" / "hubspot-deals-internal.csv")
    deals = rows(con, "opportunities")
    assert (deals["501"]["stage"], deals["501"]["status"], deals["501"]["amount"]) == (
        "closedlost",
        "lost",
        700.0,
    )
    assert deals["501"]["owner_id"] == "81234"
    assert deals["502"]["status"] == "open"
    assert sorted(rows(con, "stage_changes")) == [
        "501 appointmentscheduled",
        "501 closedlost",
        "502 appointmentscheduled",
    ]


def test_a_custom_stage_is_reported_with_a_hint_and_never_guessed(
    con: BaseBackend, tmp_path: Path
) -> None:
    path = CRM / "quirks" / "hubspot-deals-custom-stage.csv"
    with pytest.raises(ImportRejected) as info:
        import_export(con, path=path)
    errors = [i for i in info.value.issues if i.level == "error"]
    assert [(i.code, i.row, i.column, i.value) for i in errors] == [
        (IssueCode.E206, 2, "Deal Stage", "Signed"),
        (IssueCode.E206, 4, "Deal Stage", "Signed"),
    ]
    assert "[vocab.status]" in errors[0].hint
    assert "--show-preset hubspot-deals" in errors[0].hint
    assert con.list_tables() == []
    # The user's edited copy says what "Signed" means; now it loads.
    mine = tmp_path / "my-hubspot-deals.toml"
    text = preset_text("hubspot-deals").replace(
        '"Closed Lost" = "lost"', '"Closed Lost" = "lost"\n"Signed" = "won"'
    )
    mine.write_text(text.replace('name = "hubspot-deals"', 'name = "my-hubspot-deals"'))
    result = import_export(con, path=path, preset=str(mine))
    assert result.files[0].preset == "my-hubspot-deals"
    assert result.files[0].why.startswith("chosen with --preset")
    assert {k: r["status"] for k, r in rows(con, "opportunities").items()} == {
        "601": "won",
        "602": "won",
        "603": "won",
    }


# ---------------------------------------------------------------- Salesforce

JANE, JOHN, MIA = sf("0055g00000XyZ1a"), sf("0055g00000XyZ2b"), sf("0055g00000MiA3c")
ACME, GLOBEX = sf("0015g00000AcMe1"), sf("0015g00000GlObx")
WEB, TRADE = sf("7015g00000WeB01"), sf("7015g00000TrD02")
LEAD_A, LEAD_B, LEAD_C = sf("00Q5g00000LdA01"), sf("00Q5g00000LdB02"), sf("00Q5g00000LdC03")
OPP_A, OPP_B, OPP_C = sf("0065g00000OpA01"), sf("0065g00000OpB02"), sf("0065g00000OpC03")


@pytest.mark.parametrize("style", ["salesforce-api", "salesforce-report"])
def test_a_salesforce_export_loads_every_object_with_ids_in_their_18_character_form(
    con: BaseBackend, style: str
) -> None:
    result = import_export_folder(con, folder=CRM / style)
    assert result.rows == {
        "people": 3,
        "campaigns": 2,
        "accounts": 2,
        "leads": 3,
        "opportunities": 3,
        "stage_changes": 7,
        "touches": 3,
        "activities": 2,
    }
    owner = {
        "salesforce-api": (JANE, JOHN, MIA),
        "salesforce-report": ("Jane Doe", "John Roe", "Mia Park"),
    }
    jane, john, mia = owner[style]
    accounts = rows(con, "accounts")
    assert accounts[ACME] == {
        "account_id": ACME,
        "name": "Acme Corp",
        "industry": "Technology",
        "employees": 250,
        "region": "Germany",
        "created_at": T(2023, 10, 1, 8),
    }
    assert accounts[GLOBEX]["region"] == "CA"
    campaigns = rows(con, "campaigns")
    assert (campaigns[WEB]["channel"], campaigns[WEB]["cost"], campaigns[WEB]["owner_id"]) == (
        "webinar",
        1200.0,
        mia,
    )
    assert campaigns[TRADE]["channel"] == "events"
    assert campaigns[TRADE]["started_on"] == dt.date(2024, 1, 20)  # no start date: created
    leads = rows(con, "leads")
    assert leads[LEAD_A] | {} == {
        "lead_id": LEAD_A,
        "account_id": ACME,
        "created_at": T(2024, 1, 5, 10),
        "channel": "web",
        "campaign_id": None,
        "product_id": None,
        "mql_at": None,
        "owner_id": jane,
        "first_contacted_at": None,
        "accepted_at": T(2024, 1, 8),
        "rejected_at": None,
        "rejection_reason": None,
        "opportunity_id": OPP_A,
    }
    assert (leads[LEAD_B]["channel"], leads[LEAD_B]["rejected_at"]) == (
        "events",
        T(2024, 2, 15, 9, 45),
    )
    assert leads[LEAD_C]["channel"] == "unknown"
    deals = rows(con, "opportunities")
    assert {k: (r["status"], r["closed_at"], r["amount"]) for k, r in deals.items()} == {
        OPP_A: ("won", T(2024, 2, 20), 24000.0),
        OPP_B: ("open", None, 15000.0),
        OPP_C: ("lost", T(2024, 3, 15), 5000.0),
    }
    assert (deals[OPP_A]["account_id"], deals[OPP_B]["owner_id"]) == (ACME, john)
    history = rows(con, "stage_changes")
    assert sorted(history) == sorted(
        [
            f"{OPP_A} Prospecting",
            f"{OPP_A} Negotiation/Review",
            f"{OPP_A} Closed Won",
            f"{OPP_B} Prospecting",
            f"{OPP_B} Negotiation/Review",
            f"{OPP_C} Qualification",
            f"{OPP_C} Closed Lost",
        ]
    )
    assert history[f"{OPP_A} Prospecting"]["entered_at"] == T(2024, 1, 8, 12)  # the first row
    touches = rows(con, "touches")
    members = {
        k[:15]: (r["lead_id"], r["channel"], r["kind"], r["occurred_at"])
        for k, r in touches.items()
    }
    assert members == {
        "00v5g00000CmA01": (LEAD_A, "webinar", "responded", T(2024, 1, 15)),
        "00v5g00000CmB02": (LEAD_B, "events", "sent", T(2024, 1, 21, 9)),
        "00v5g00000CmC03": (None, "webinar", "sent", T(2024, 1, 4, 10)),  # a contact
    }
    tasks = {k[:15]: r for k, r in rows(con, "activities").items()}
    assert set(tasks) == {"00T5g00000TkA01", "00T5g00000TkC03"}  # TkB02 is not started
    assert (tasks["00T5g00000TkA01"]["kind"], tasks["00T5g00000TkA01"]["lead_id"]) == (
        "call",
        LEAD_A,
    )
    assert tasks["00T5g00000TkA01"]["occurred_at"] == T(2024, 1, 6, 15)
    assert (tasks["00T5g00000TkC03"]["opportunity_id"], tasks["00T5g00000TkC03"]["lead_id"]) == (
        OPP_B,
        None,
    )
    assert {p: r["team"] for p, r in rows(con, "people").items()} == {
        jane: "sales",
        john: "sales",
        mia: "marketing",
    }
    skipped = [i for i in result.issues if i.code is IssueCode.W102]
    assert any("history row" in i.message for i in skipped)
    if style == "salesforce-report":
        assert sum("footer" in i.message for i in skipped) == 7
        (order,) = [i for i in result.issues if i.code is IssueCode.W103]
        assert Path(order.file).name == "tasks.csv"  # no task date above 12: month-first


def test_a_report_with_a_mangled_id_is_rejected_with_the_row(
    con: BaseBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    shutil.copytree(CRM / "salesforce-api", folder)
    path = folder / "Opportunity.csv"
    path.write_text(path.read_text().replace(ACME, ACME.upper(), 1))
    with pytest.raises(ImportRejected) as info:
        import_export_folder(con, folder=folder)
    errors = {
        (i.code, Path(i.file).name, i.row, i.column)
        for i in info.value.issues
        if i.level == "error"
    }
    assert errors == {
        (IssueCode.E211, "Opportunity.csv", 2, "AccountId"),
        (IssueCode.E301, "Opportunity.csv", 2, "AccountId"),  # so no account matches it either
    }


# ---------------------------------------------------------------- Pipedrive


def test_a_pipedrive_export_folder_loads_with_the_status_column_chosen_by_its_values(
    con: BaseBackend,
) -> None:
    result = import_export_folder(con, folder=CRM / "pipedrive")
    assert result.rows == {
        "people": 2,
        "accounts": 2,
        "leads": 4,
        "opportunities": 3,
        "stage_changes": 2,
        "activities": 2,
    }
    accounts = rows(con, "accounts")
    assert (accounts["11"]["name"], accounts["11"]["region"], accounts["11"]["created_at"]) == (
        "Hooli",
        "United States",
        T(2024, 1, 2, 9),
    )
    leads = rows(con, "leads")
    uuid = "5b1f6a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
    assert (leads[uuid]["channel"], leads[uuid]["account_id"], leads[uuid]["owner_id"]) == (
        "web_form",
        "11",
        "Lena Berg",
    )
    assert (leads["21"]["created_at"], leads["21"]["channel"]) == (T(2024, 1, 3, 10), "unknown")
    deals = rows(con, "opportunities")
    assert {k: (r["status"], r["closed_at"], r["stage"]) for k, r in deals.items()} == {
        "31": ("won", T(2024, 2, 28, 15), "Negotiations Started"),
        "32": ("lost", T(2024, 3, 10, 17), "Proposal Made"),
        "33": ("open", None, "Qualified"),
    }
    assert deals["32"]["loss_reason"] == "Too expensive"
    assert {k: r["entered_at"] for k, r in rows(con, "stage_changes").items()} == {
        "31 Negotiations Started": T(2024, 2, 20, 10),
        "32 Proposal Made": T(2024, 2, 15, 9, 30),
    }
    activities = rows(con, "activities")
    assert {
        k: (r["kind"], r["occurred_at"], r["opportunity_id"]) for k, r in activities.items()
    } == {
        "41": ("call", T(2024, 1, 6, 10, 25), "31"),
        "42": ("meeting", T(2024, 1, 25, 14), "32"),  # no done time: due date + due time
    }  # 43 is still "To do": skipped
    (dup,) = [i for i in result.issues if i.code is IssueCode.W104]
    assert dup.column == "Deal - Status"
    assert "column 13" in dup.message


# ---------------------------------------------------------------- all or nothing


def test_a_folder_with_one_bad_file_loads_nothing_and_locates_every_problem(
    con: BaseBackend, tmp_path: Path
) -> None:
    import_export_folder(con, folder=CRM / "hubspot")
    before = snapshot(con)
    folder = tmp_path / "export"
    shutil.copytree(CRM / "hubspot", folder)
    deals = folder / "deals.csv"
    deals.write_text(deals.read_text().replace('"2024-02-05 11:00"', '"the day after"', 1))
    (folder / "notes.csv").write_text("when,what\n2024-01-01,coffee\n")
    (folder / "README.txt.bak").write_text("not an export")
    with pytest.raises(ImportRejected) as info:
        import_export_folder(con, folder=folder)
    errors = [
        (Path(i.file).name, i.row, i.column, i.code.value)
        for i in info.value.issues
        if i.level == "error"
    ]
    assert errors == [
        ("deals.csv", 4, "Create Date", "ingest.E204"),
        ("notes.csv", 1, None, "ingest.E109"),
    ]
    after = snapshot(con)
    assert after.keys() == before.keys()
    assert all(after[t].equals(before[t]) for t in before)


class Boom(Exception):
    pass


@pytest.mark.parametrize("seeded", [True, False])
def test_a_failure_while_writing_the_third_table_leaves_the_warehouse_unchanged(
    con: BaseBackend, monkeypatch: pytest.MonkeyPatch, seeded: bool
) -> None:
    if seeded:
        import_export_folder(con, folder=CRM / "pipedrive")
    before = snapshot(con)
    written: list[str] = []

    def fail_third(name: str) -> None:
        written.append(name)
        if len(written) == 3:
            raise Boom(name)

    monkeypatch.setattr(warehouse, "_before_commit", fail_third)
    with pytest.raises(Boom):
        import_export_folder(con, folder=CRM / "hubspot")
    assert written == ["people", "accounts", "leads"]
    after = snapshot(con)
    assert after.keys() == before.keys()
    assert all(after[t].equals(before[t]) for t in before)


def test_ids_repeated_across_files_of_one_folder_are_reported_in_the_later_file(
    con: BaseBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CRM / "pipedrive" / "organizations-7771-1.csv", folder / "organizations-7771-1.csv")
    shutil.copy(CRM / "pipedrive" / "organizations-7771-1.csv", folder / "organizations-7771-2.csv")
    with pytest.raises(ImportRejected) as info:
        import_export_folder(con, folder=folder)
    errors = [i for i in info.value.issues if i.level == "error"]
    assert [(Path(i.file).name, i.row, i.code) for i in errors] == [
        ("organizations-7771-2.csv", 2, IssueCode.E208),
        ("organizations-7771-2.csv", 3, IssueCode.E208),
    ]
    assert "also in" in errors[0].message


def test_an_export_split_in_parts_loads_as_one_table(con: BaseBackend, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    lines = (CRM / "pipedrive" / "organizations-7771-1.csv").read_text().splitlines()
    (folder / "organizations-7771-1.csv").write_text("\n".join(lines[:2]) + "\n")
    (folder / "organizations-7771-2.csv").write_text("\n".join([lines[0], lines[2]]) + "\n")
    result = import_export_folder(con, folder=folder)
    assert result.rows == {"accounts": 2}
    assert [f.rows for f in result.files] == [{"accounts": 1}, {"accounts": 1}]


def test_one_table_of_a_preset_can_be_imported_alone(con: BaseBackend) -> None:
    result = import_export(con, path=CRM / "hubspot" / "deals.csv", tables=["opportunities"])
    assert set(result.rows) == {"people", "opportunities"}
    assert "stage_changes" not in con.list_tables()
    with pytest.raises(ImportRejected) as info:
        import_export(con, path=CRM / "hubspot" / "deals.csv", tables=["leads"])
    assert info.value.issues[0].code is IssueCode.E109


def test_the_stage_history_of_a_deals_export_can_be_imported_without_its_stage_column(
    con: BaseBackend, tmp_path: Path
) -> None:
    with (CRM / "hubspot" / "deals.csv").open(newline="") as fh:
        table = list(csv.reader(fh))
    keep = [0, 14, 15, 16]  # Record ID and the three Date entered columns
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([[row[i] for i in keep] for row in table])
    with pytest.raises(ImportRejected) as info:  # the deals themselves need a stage
        import_export(con, path=path, preset="hubspot-deals")
    assert {i.code for i in info.value.issues if i.level == "error"} == {IssueCode.E102}
    result = import_export(con, path=path, preset="hubspot-deals", tables=["stage_changes"])
    assert result.rows == {"stage_changes": 5}


def test_owners_already_in_people_keep_their_team(con: BaseBackend) -> None:
    people = {
        "person_id": ["Jane Doe"],
        "name": ["Jane Doe"],
        "email": ["jane@example.com"],
        "team": ["both"],
        "title": ["Head of Growth"],
        "active": [True],
    }
    warehouse.write_table(con, "people", pa.table(people, schema=TABLES["people"].arrow_schema()))
    result = import_export(con, path=CRM / "hubspot" / "deals.csv")
    assert result.rows["people"] == 1
    after = rows(con, "people")
    assert (after["Jane Doe"]["team"], after["Jane Doe"]["title"]) == ("both", "Head of Growth")
    assert after["John Roe"]["team"] == "sales"


def test_the_settings_time_zone_applies_when_none_is_given(con: BaseBackend) -> None:
    import_export(
        con, path=CRM / "hubspot" / "companies.csv", settings=Settings(timezone="America/New_York")
    )
    assert rows(con, "accounts")["101"]["created_at"] == T(2023, 11, 2, 13, 15)  # EST +5
