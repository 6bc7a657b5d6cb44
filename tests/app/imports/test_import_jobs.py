"""Import jobs: a whole CRM export (several files or a .zip) checked and loaded outside the request.

The suite runs jobs inline (``COPARENT_IMPORT_JOBS = "inline"``: the in-memory
database is this process's own); tests/services/test_webapp.py runs one in a
worker process behind a real server.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coparent.app.imports.jobs import import_job_create, import_job_run
from coparent.app.imports.models import ImportJob, ImportRecord
from coparent.app.teams.access import actor_for
from coparent.workspace import Workspace

HUBSPOT = Path(__file__).resolve().parents[2] / "data" / "crm" / "hubspot"
FILES = ("companies.csv", "contacts.csv", "deals.csv")
LOADED = {"people": 2, "accounts": 3, "leads": 3, "opportunities": 3, "stage_changes": 5}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _post(client: Client, uploads: list[tuple[str, bytes]], **extra: str) -> Any:
    data = {
        "file": [SimpleUploadedFile(name, body) for name, body in uploads],
        "table": "crm-export",
        "mode": "replace",
        "action": "import",
        **extra,
    }
    return client.post(reverse("imports:data"), data)


def _counts(ws: Path) -> dict[str, int]:
    w = Workspace(ws)
    con = w.connect(w.settings())
    try:
        return {t: int(con.table(t).count().execute()) for t in LOADED}
    finally:
        con.disconnect()


def _job_page(client: Client, response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return unescape(client.get(response["Location"]).content.decode())


def test_several_files_of_an_export_load_together_through_a_job(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    uploads = [(name, (HUBSPOT / name).read_bytes()) for name in FILES]
    response = _post(client, uploads)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", kwargs={"job_id": job.pk})
    assert (job.status, job.files) == ("loaded", list(FILES))
    html = _job_page(client, response)
    detection = html.split('id="export-detection"', 1)[1].split("</ul>", 1)[0]
    for name, preset in zip(
        FILES, ("hubspot-companies", "hubspot-contacts", "hubspot-deals"), strict=True
    ):
        assert f"{name} read as" in detection
        assert f"({preset})" in detection
    assert "opportunities: 3 rows" in html
    assert _counts(empty_workspace) == LOADED
    record = ImportRecord.objects.get()
    assert (record.outcome, record.rows) == ("loaded", sum(LOADED.values()))
    assert not (empty_workspace / "uploads" / f"job-{job.pk}").exists()


def test_one_zip_of_the_export_loads_the_same(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    members = {f"hubspot-export/{name}": (HUBSPOT / name).read_bytes() for name in FILES}
    members["__MACOSX/hubspot-export/._deals.csv"] = b"\x00\x05junk"
    members["hubspot-export/README.pdf"] = b"%PDF"
    client = login("champion_sales")
    html = _job_page(client, _post(client, [("export.zip", _zip(members))]))
    assert ImportJob.objects.get().status == "loaded", html
    assert _counts(empty_workspace) == LOADED


def test_a_bad_row_in_one_file_rejects_the_whole_export_and_names_file_row_and_column(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    before = _counts(writable_workspace)
    rows = list(csv.reader(io.StringIO((HUBSPOT / "deals.csv").read_text(encoding="utf-8"))))
    rows[2][rows[0].index("Amount")] = "lots"  # spreadsheet row 3
    edited = io.StringIO()
    csv.writer(edited, quoting=csv.QUOTE_ALL).writerows(rows)
    members = {name: (HUBSPOT / name).read_bytes() for name in FILES[:2]}
    members["deals.csv"] = edited.getvalue().encode()
    client = login("owner")
    html = _job_page(client, _post(client, [("export.zip", _zip(members))]))
    assert ImportJob.objects.get().status == "rejected"
    assert "nothing was loaded" in html
    issues = html.split('class="issues"', 1)[1].split("</table>", 1)[0]
    assert "deals.csv" in issues
    assert ">3<" in issues
    assert "Amount" in issues
    assert _counts(writable_workspace) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"this is no zip", "is not a readable .zip file"),
        (_zip({"notes/readme.md": b"hello"}), "holds no export files"),
        (_zip({"a/deals.csv": b"x", "b/deals.csv": b"y"}), "holds two files named deals.csv"),
    ],
)
def test_a_zip_that_is_no_export_fails_with_a_reason_and_loads_nothing(
    writable_workspace: Path, login: Callable[[str], Client], body: bytes, message: str
) -> None:
    before = _counts(writable_workspace)
    client = login("owner")
    html = _job_page(client, _post(client, [("export.zip", body)]))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert message in html
    assert 'role="alert"' in html
    assert _counts(writable_workspace) == before
    assert ImportRecord.objects.get().outcome == "rejected"


def test_member_paths_never_leave_the_job_folder(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    members = {f"../../../{name}": (HUBSPOT / name).read_bytes() for name in FILES}
    client = login("owner")
    _job_page(client, _post(client, [("export.zip", _zip(members))]))
    assert ImportJob.objects.get().status == "loaded"
    assert not any((empty_workspace.parent / name).exists() for name in FILES)
    assert not any(empty_workspace.parent.parent.glob("*.csv"))


def test_a_zip_that_unpacks_beyond_the_bound_is_refused(
    empty_workspace: Path, login: Callable[[str], Client], settings: Any
) -> None:
    settings.COPARENT_MAX_UPLOAD_MB = 1  # unpacked: at most 4 MB
    bomb = _zip({"deals.csv": b"0" * (5 << 20)})
    assert len(bomb) < 100_000
    client = login("owner")
    html = _job_page(client, _post(client, [("export.zip", bomb)]))
    assert "unpacks to more than 4 MB" in html
    assert not (empty_workspace / "uploads" / f"job-{ImportJob.objects.get().pk}").exists()


def test_a_large_single_table_file_is_a_job_too(
    writable_workspace: Path, login: Callable[[str], Client], settings: Any
) -> None:
    settings.COPARENT_INLINE_IMPORT_MB = 0
    body = (
        b"opportunity_id,account_id,created_at,stage,status,amount\n"
        b"OPPJ1,ACC000001,2026-07-01,proposal,open,100\n"
    )
    client = login("owner")
    data = {"file": SimpleUploadedFile("deal.csv", body), "table": "opportunities",
            "mode": "append", "action": "check"}  # fmt: skip
    html = _job_page(client, client.post(reverse("imports:data"), data))
    job = ImportJob.objects.get()
    assert (job.status, job.table, job.result["rows"]) == ("checked", "opportunities",
                                                          {"opportunities": 1})  # fmt: skip
    assert "nothing written" in html


def test_a_job_runs_once(empty_workspace: Path, login: Callable[[str], Client]) -> None:
    client = login("owner")
    _post(client, [(name, (HUBSPOT / name).read_bytes()) for name in FILES])
    job = ImportJob.objects.get()
    again = import_job_run(job.pk)
    assert again.status == "loaded"
    assert ImportRecord.objects.count() == 1


def test_the_page_polls_while_the_job_runs_and_stops_when_it_ends(
    empty_workspace: Path, login: Callable[[str], Client], rf: Any, people: dict[str, Any]
) -> None:
    client = login("owner")
    request = rf.get("/")
    request.user = people["owner"]
    uploads = [SimpleUploadedFile(n, (HUBSPOT / n).read_bytes()) for n in FILES]
    job = import_job_create(actor=actor_for(request), uploads=uploads, table="")
    url = reverse("imports:job", kwargs={"job_id": job.pk})
    waiting = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert 'data-status="queued"' in waiting
    assert "<html" not in waiting  # only the card is swapped
    data_page = client.get(reverse("imports:data")).content.decode()
    assert url in data_page  # listed under "Imports running"
    import_job_run(job.pk)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="loaded"' in done
    assert "hx-trigger" not in done


def test_viewing_a_job_writes_nothing(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    response = _post(client, [(name, (HUBSPOT / name).read_bytes()) for name in FILES])
    before = (ImportJob.objects.get().result, ImportRecord.objects.count())
    for _ in range(3):
        client.get(response["Location"])
    assert (ImportJob.objects.get().result, ImportRecord.objects.count()) == before


def test_several_files_for_one_table_are_refused(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = _post(
        login("owner"),
        [("a.csv", b"x"), ("b.csv", b"y")],
        table="opportunities",
    )
    assert response.status_code == 400
    assert "one file per table" in unescape(response.content.decode())
