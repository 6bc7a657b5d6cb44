"""The post-import hooks: after an import commits, the app recomputes what it derives.

Reads never write (tests/web/test_reads_never_write.py), so the wins engine and the
report cache are brought up to date here: by the Data page (inline imports and import
jobs), ``coparent import`` and ``coparent refresh`` (tests/commands/test_refresh.py).
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coparent.app.common import hooks
from coparent.app.common.hooks import POST_IMPORT_HOOKS, HookContext, post_import_run
from coparent.app.imports.models import ImportJob, ImportRecord
from coparent.app.wins.models import Win, WinsRun
from coparent.workspace import Workspace

pytestmark = pytest.mark.django_db

WON_DEAL = (
    "opportunity_id,account_id,created_at,closed_at,stage,status,amount,product_id\n"
    "OPPNEW1,ACC000001,2026-08-01,2026-09-15,closed won,won,5000000,insight-pro\n"
)
HUBSPOT = Path(__file__).resolve().parents[2] / "data" / "crm" / "hubspot"


def _boom(ctx: HookContext) -> str:
    raise RuntimeError("the engine fell over")


def _failing_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "POST_IMPORT_HOOKS", (("boom", _boom), *POST_IMPORT_HOOKS))


def test_the_hooks_find_the_wins_and_warm_the_report_cache(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = post_import_run(in_web_process=True)
    assert [(r.name, r.ok) for r in results] == [
        ("wins", True),
        ("notifications", True),
        ("report cache", True),
    ]
    assert Win.objects.exists()
    assert WinsRun.objects.count() == 1
    assert "computed" in results[-1].detail
    # warmed: the default period's scorecard and diagnosis come from the cache, not computed
    from coparent.app.dashboards import selectors
    from coparent.app.dashboards.selectors import diagnosis_for, scorecard_get

    def not_again(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the report was not in the cache")

    monkeypatch.setattr(selectors, "scorecard_report", not_again)
    monkeypatch.setattr(selectors, "diagnosis_report", not_again)
    r, report = scorecard_get(period=None)
    assert report.ok
    assert diagnosis_for(r)[0].ok
    # nothing changed: a second run skips the engine
    assert post_import_run()[0].detail == "nothing changed since the last run"


def test_outside_a_web_process_a_per_process_cache_is_not_warmed(workspace: Path) -> None:
    (*_, cache) = post_import_run()
    assert cache.ok
    assert cache.detail.startswith("skipped: the report cache is per process")


def test_a_failing_hook_is_reported_and_the_others_still_run(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_first(monkeypatch)
    boom, wins, *_ = post_import_run()
    assert (boom.ok, boom.detail) == (False, "RuntimeError: the engine fell over")
    assert "FAILED" in boom.line()
    assert wins.ok
    assert Win.objects.exists()


def _upload(client: Client, text: str) -> Any:
    data = {
        "file": SimpleUploadedFile("won.csv", text.encode()),
        "table": "opportunities",
        "mode": "append",
        "action": "import",
    }
    return client.post(reverse("imports:data"), data)


def test_a_data_page_import_runs_the_hooks_after_it_loaded(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = _upload(login("owner"), WON_DEAL)
    assert response.status_code == 200
    assert WinsRun.objects.count() == 1
    assert Win.objects.filter(kind="deal_won", key__contains="OPPNEW1").exists()


def test_a_check_only_import_runs_no_hook(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    data = {
        "file": SimpleUploadedFile("won.csv", WON_DEAL.encode()),
        "table": "opportunities",
        "mode": "append",
        "action": "check",
    }
    assert login("owner").post(reverse("imports:data"), data).status_code == 200
    assert not WinsRun.objects.exists()


def test_a_failing_hook_never_undoes_a_data_page_import(
    writable_workspace: Path, login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_first(monkeypatch)
    html = unescape(_upload(login("owner"), WON_DEAL).content.decode())
    assert "Loaded 1 rows into opportunities (append)" in html
    assert "Loaded, but the boom could not be updated (RuntimeError: the engine fell over)" in html
    assert ImportRecord.objects.get().outcome == "loaded"
    ws = Workspace(writable_workspace)
    con = ws.connect(ws.settings())
    try:
        won = con.table("opportunities").filter(lambda t: t.opportunity_id == "OPPNEW1")
        assert int(won.count().execute()) == 1
    finally:
        con.disconnect()
    assert WinsRun.objects.count() == 1  # the next hook ran


def test_an_import_job_runs_the_hooks_and_keeps_their_results(
    empty_workspace: Path, login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_first(monkeypatch)
    files = ("companies.csv", "contacts.csv", "deals.csv")
    client = login("owner")
    response = client.post(
        reverse("imports:data"),
        {
            "file": [SimpleUploadedFile(n, (HUBSPOT / n).read_bytes()) for n in files],
            "table": "crm-export",
            "mode": "replace",
            "action": "import",
        },
    )
    job = ImportJob.objects.get()
    assert job.status == "loaded"
    after = job.result["after"]
    assert [(h["name"], h["ok"]) for h in after] == [
        ("boom", False),
        ("wins", True),
        ("notifications", True),
        ("report cache", True),
    ]
    assert WinsRun.objects.count() == 1
    html = unescape(client.get(response["Location"]).content.decode())
    assert "Loaded (replace)" in html
    assert "Loaded, but the boom could not be updated" in html
