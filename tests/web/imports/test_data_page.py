"""The Data page: every located problem of a bad file, a good file loads, numbers change."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coparent.app.imports.models import ImportRecord

BAD_OPPORTUNITIES = (
    "opportunity_id,account_id,created_at,stage,status,amount\n"
    "OPPX1,ACC000001,2026-07-01,proposal,won,1000\n"
    "OPPX2,ACC000001,not a date,proposal,won,1000\n"
    "OPPX3,ACC000001,2026-07-03,proposal,maybe,-5\n"
)


def _upload(client: Client, name: str, text: str, **extra: str) -> Any:
    data = {
        "file": SimpleUploadedFile(name, text.encode()),
        "table": "opportunities",
        "mode": "append",
        "action": "import",
        **extra,
    }
    return client.post(reverse("imports:data"), data)


def test_a_bad_csv_lists_every_problem_with_its_row_and_column_and_loads_nothing(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = _upload(login("champion_sales"), "deals.csv", BAD_OPPORTUNITIES)
    html = unescape(response.content.decode())
    assert response.status_code == 422
    assert "nothing was loaded" in html
    assert "deals.csv" in html
    rows = {(cells[1], cells[2]) for cells in _issue_rows(html)}
    assert ("3", "created_at") in rows
    assert ("4", "status") in rows
    assert ("4", "amount") in rows
    assert ImportRecord.objects.get().outcome == "rejected"


def _issue_rows(html: str) -> list[list[str]]:
    import re

    body = html.split('class="issues"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="issue[^"]*">(.*?)</tr>', body, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def test_a_good_csv_loads_and_the_scorecard_changes(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    before = client.get(reverse("dashboards:scorecard"), {"period": "2026-Q3"}).content.decode()
    good = (
        "opportunity_id,account_id,created_at,closed_at,stage,status,amount,product_id\n"
        "OPPNEW1,ACC000001,2026-08-01,2026-09-15,closed won,won,5000000,insight-pro\n"
    )
    response = _upload(client, "big-deal.csv", good)
    assert response.status_code == 200
    assert "Loaded 1 rows into opportunities (append)" in unescape(response.content.decode())
    after = client.get(reverse("dashboards:scorecard"), {"period": "2026-Q3"}).content.decode()
    assert before != after
    assert "$5,912,973" in after


def test_check_only_writes_nothing(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    good = (
        "opportunity_id,account_id,created_at,stage,status,amount\n"
        "OPPN,ACC000001,2026-07-01,x,open,1\n"
    )
    response = _upload(login("owner"), "ok.csv", good, action="check")
    assert "would load into opportunities (nothing written)" in unescape(response.content.decode())
    assert ImportRecord.objects.get().outcome == "checked"


def test_a_file_of_an_unsupported_type_is_refused_before_reading(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = _upload(login("owner"), "deals.pdf", "x")
    assert response.status_code == 400
    assert "upload a .csv" in response.content.decode()


def test_freshness_lists_every_table_with_rows_and_newest_date(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    html = login("viewer").get(reverse("imports:data")).content.decode()
    assert 'id="table-opportunities"' in html
    assert "30 Sep 2026" in html
    assert 'id="upload"' not in html  # viewers see the data, not the upload form


def test_a_bad_mapping_file_is_one_error_with_its_hint(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    data = {
        "file": SimpleUploadedFile("d.csv", BAD_OPPORTUNITIES.encode()),
        "mapping_file": SimpleUploadedFile("m.toml", b"this is = not [toml"),
        "table": "opportunities",
        "mode": "append",
        "action": "check",
    }
    response = client.post(reverse("imports:data"), data)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()


CRM = Path(__file__).resolve().parents[2] / "data" / "crm"


def test_a_crm_export_is_recognised_and_every_table_it_fills_is_loaded(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    text = (CRM / "hubspot" / "companies.csv").read_text(encoding="utf-8")
    response = _upload(login("owner"), "hubspot-companies.csv", text, table="crm-export")
    html = unescape(response.content.decode())
    assert response.status_code == 200, html
    detection = html.split('id="export-detection"', 1)[1].split("</ul>", 1)[0]
    assert "hubspot-companies" in detection
    assert "headers matched" in detection
    assert "accounts: 3 rows" in detection
    record = ImportRecord.objects.get()
    assert (record.outcome, record.file_name) == ("loaded", "hubspot-companies.csv")
    assert "accounts" in record.table


def test_a_file_no_preset_reads_is_refused_as_a_crm_export(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    sheet = "Quarter,Region,Budget\nQ1,EMEA,1000\n"
    response = _upload(login("owner"), "budget.csv", sheet, table="crm-export")
    html = unescape(response.content.decode())
    assert response.status_code == 422
    outcome = html.split('id="import-outcome"', 1)[1].split("</section>", 1)[0]
    assert "ingest.E109" in outcome
    assert "budget.csv" in outcome
    assert ImportRecord.objects.get().outcome == "rejected"
