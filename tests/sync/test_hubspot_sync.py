"""coparent sync hubspot against a fake HubSpot: sync equals export, incremental, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coparent.errors import ImportRejected, SyncAuthError, SyncUnavailable
from coparent.services.export_imports import import_export_folder
from coparent.services.sync import connection_store, sync_run
from coparent.sync import state_load, sync_folder
from coparent.workspace import Workspace
from tests.sync.conftest import TOKEN, quick, tables
from tests.sync.fake_hubspot import DATA, FakeHubSpot, fixture

ENV = {"COPARENT_HUBSPOT_TOKEN": TOKEN}
CANONICAL = ("people", "accounts", "leads", "opportunities", "stage_changes")


def _sync(ws: Workspace, base_url: str, **kw: object):  # type: ignore[no-untyped-def]
    settings = kw.pop("settings", None) or quick()
    return sync_run(ws, settings, base_url=base_url, environ=ENV, **kw)  # type: ignore[arg-type]


def test_a_full_sync_equals_an_import_of_the_same_company_s_export(
    fake: FakeHubSpot, base_url: str, ws: Workspace, tmp_path: Path
) -> None:
    result = _sync(ws, base_url)
    assert result.rows["accounts"] == 3
    assert result.rows["leads"] == 4
    assert result.rows["opportunities"] == 4
    assert result.rows["stage_changes"] == 7
    synced = tables(ws, CANONICAL)

    exported = Workspace(tmp_path / "export-ws")
    exported.init()
    with exported.open(exported.settings(), write=True) as con:
        import_export_folder(con, folder=DATA / "export", preset="hubspot")
    expected = tables(exported, CANONICAL)

    assert set(synced) == set(expected) == set(CANONICAL)
    for name in CANONICAL:
        assert synced[name].equals(expected[name]), (
            name,
            synced[name].to_pylist(),
            expected[name].to_pylist(),
        )
    # The custom pipeline's stage is won through its metadata (isClosed, probability 1.0).
    won = {r["opportunity_id"]: r for r in synced["opportunities"].to_pylist()}
    assert won["304"]["status"] == "won"
    assert won["304"]["stage"] == "Renewed"
    assert won["302"]["status"] == "lost"
    assert won["303"]["status"] == "open"


def test_the_summary_counts_rows_read_changed_deleted_and_skipped_per_table(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    first = _sync(ws, base_url).summary()
    assert first["full"] is True
    assert first["tables"]["opportunities"] == {
        "object": "deals",
        "read": 4,
        "changed": 4,
        "deleted": 0,
        "skipped": 0,
        "rows": 4,
    }
    assert first["tables"]["stage_changes"] == {"rows": 7}
    again = _sync(ws, base_url).summary()
    assert again["full"] is False
    # The overlap re-reads recent records; none of them changed.
    assert all(again["tables"][t]["changed"] == 0 for t in ("accounts", "leads", "opportunities"))
    json.dumps(again)


def test_incremental_syncs_of_changed_added_and_archived_records_equal_a_full_sync(
    fake: FakeHubSpot, base_url: str, ws: Workspace, tmp_path: Path
) -> None:
    _sync(ws, base_url)
    cursors = state_load(ws.path, "hubspot").cursors
    assert cursors["deals"].startswith("2024-03-15T10:00:00")

    # A deal moves on, a new company, contact and deal appear, a deal is archived.
    fake.put(
        "deals", "303", {"dealstage": "closedwon", "amount": "9000"}, at="2024-04-02T10:00:00Z"
    )
    fake.put(
        "companies",
        "105",
        {"name": "Umbrella", "createdate": "2024-04-01T08:00:00Z", "country": "France"},
        at="2024-04-01T08:00:00Z",
    )
    fake.put(
        "contacts",
        "205",
        {
            "firstname": "Eve",
            "createdate": "2024-04-01T09:00:00Z",
            "hs_lead_status": "NEW",
            "hubspot_owner_id": "1001",
        },
        at="2024-04-01T09:00:00Z",
    )
    fake.put(
        "deals",
        "305",
        {
            "dealname": "Umbrella pilot",
            "pipeline": "default",
            "dealstage": "contractsent",
            "amount": "700",
            "createdate": "2024-04-01T10:00:00Z",
            "hubspot_owner_id": "1002",
        },
        at="2024-04-01T10:00:00Z",
    )
    fake.link("contacts", "205", "companies", "105", primary=True)
    fake.link("deals", "305", "companies", "105", primary=True)
    fake.link("deals", "305", "contacts", "205")
    fake.archive("deals", "302", at="2024-04-03T10:00:00Z")

    result = _sync(ws, base_url)
    assert not result.full
    summary = result.summary()["tables"]
    assert summary["opportunities"]["deleted"] == 1
    assert summary["opportunities"]["changed"] == 2
    assert summary["accounts"]["changed"] == 1
    searched = [c for c in fake.calls if c[1].endswith("/search")]
    assert searched, "an incremental sync searches by modification date"
    incremental = tables(ws, CANONICAL)
    assert state_load(ws.path, "hubspot").cursors["deals"].startswith("2024-04-02T10:00:00")

    full_ws = Workspace(tmp_path / "full")
    full_ws.init()
    _sync(full_ws, base_url, full=True)
    expected = tables(full_ws, CANONICAL)
    for name in CANONICAL:
        assert incremental[name].equals(expected[name]), (name, incremental[name].to_pylist())
    opps = {r["opportunity_id"]: r for r in incremental["opportunities"].to_pylist()}
    assert "302" not in opps
    assert opps["303"]["status"] == "won"
    assert opps["305"]["amount"] == 700
    leads = {r["lead_id"]: r for r in incremental["leads"].to_pylist()}
    assert leads["201"]["opportunity_id"] == "301"  # its archived deal is gone from it


def test_the_search_pages_past_10000_results_by_moving_the_lower_bound(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    from coparent.sync import CallPolicy
    from coparent.sync.hubspot import HubSpotConnector

    for n in range(10_150):
        at = f"2024-05-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        fake.records["companies"][str(10_000 + n)] = {
            "id": str(10_000 + n),
            "properties": {"name": f"c{n}", "hs_lastmodifieddate": at, "hs_object_id": str(n)},
            "createdAt": at,
            "updatedAt": at,
            "archived": False,
            "history": [],
        }
    connector = HubSpotConnector(
        token=TOKEN, base_url=base_url, policy=CallPolicy("hubspot", "x", sleep=lambda s: None)
    )
    from datetime import UTC, datetime

    seen: set[str] = set()
    for page in connector.changed("companies", since=datetime(2024, 4, 30, tzinfo=UTC)):
        seen.update(r.id for r in page)
    assert len(seen) == 10_150
    bodies = [b for b in fake.bodies if "filterGroups" in b]
    bounds = {b["filterGroups"][0]["filters"][0]["value"] for b in bodies}
    assert len(bounds) == 2, "a second query started from the last modification time seen"
    assert max(int(b.get("after") or 0) for b in bodies) < 10_000
    # The request has the documented shape.
    doc = fixture("search-request.json")
    assert set(bodies[0]) <= set(doc)
    assert bodies[0]["limit"] <= doc["limit"]
    assert bodies[0]["filterGroups"][0]["filters"][0]["operator"] == "GTE"


def test_429_with_retry_after_and_a_500_are_retried_under_the_shared_policy(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    waits: list[float] = []
    fake.fail(
        "GET",
        r"/crm/v3/objects/deals$",
        429,
        body=fixture("error-429-ten-secondly.json"),
        headers={"Retry-After": "3"},
    )
    fake.fail("GET", r"/crm/v3/pipelines/deals$", 500, body=fixture("error-500.json"))
    fake.fail(
        "POST",
        r"/crm/v4/associations/contacts/companies",
        429,
        body=fixture("error-429-ten-secondly.json"),
    )
    import coparent.services.sync as svc

    real = svc.CallPolicy

    def policy(*a: object, **kw: object) -> object:
        p = real(*a, **kw)  # type: ignore[arg-type]
        p.sleep = waits.append
        return p

    svc.CallPolicy = policy  # type: ignore[assignment,misc]
    try:
        result = _sync(ws, base_url)
    finally:
        svc.CallPolicy = real  # type: ignore[misc]
    assert result.rows["opportunities"] == 4
    assert sorted(waits) == [0.5, 3.0, 10.0]  # backoff, Retry-After, the 10-second window
    assert result.retries == {"rate": 2, "server": 1}


def test_a_daily_limit_and_a_deadline_stop_the_sync_and_change_nothing(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    _sync(ws, base_url)
    before = tables(ws, CANONICAL)
    state = state_load(ws.path, "hubspot")
    fake.fail("POST", r"/search$", 429, body=fixture("error-429-daily.json"))
    with pytest.raises(SyncUnavailable, match="daily API limit"):
        _sync(ws, base_url)
    fake.fail("GET", r"/crm/v3/owners$", 503, times=50)
    with pytest.raises(SyncUnavailable, match="did not answer"):
        _sync(ws, base_url, settings=quick(sync_deadline_seconds=1.0))
    assert tables(ws, CANONICAL).keys() == before.keys()
    assert all(tables(ws, CANONICAL)[k].equals(v) for k, v in before.items())
    assert state_load(ws.path, "hubspot").cursors == state.cursors
    assert [p.name for p in sync_folder(ws.path, "hubspot").glob("gen-*")] == [
        f"gen-{state.generation}"
    ]


def test_an_expired_token_names_the_credential_to_fix(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    fake.token = "another"
    with pytest.raises(SyncAuthError) as caught:
        _sync(ws, base_url)
    assert "COPARENT_HUBSPOT_TOKEN" in caught.value.hint
    assert "coparent connect hubspot" in caught.value.hint
    assert TOKEN not in str(caught.value) + caught.value.hint


def test_a_403_without_scope_is_a_credential_problem_not_a_retry(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    fake.fail("GET", r"/crm/v3/owners$", 403, body=fixture("error-403-missing-scopes.json"))
    with pytest.raises(SyncAuthError, match="denied access"):
        _sync(ws, base_url)
    assert sum(1 for c in fake.calls if c[1] == "/crm/v3/owners") == 1


def test_no_token_anywhere_says_how_to_give_one(base_url: str, ws: Workspace) -> None:
    with pytest.raises(SyncAuthError, match="no hubspot token"):
        sync_run(ws, quick(), base_url=base_url, environ={})


def test_the_stored_token_is_used_and_the_environment_wins(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    path = connection_store(ws, source="hubspot", secret=TOKEN, base_url=base_url)
    assert path.stat().st_mode & 0o777 == 0o600
    assert sync_run(ws, quick(), environ={}).rows["accounts"] == 3
    with pytest.raises(SyncAuthError):
        sync_run(ws, quick(), environ={"COPARENT_HUBSPOT_TOKEN": "wrong"})


def test_a_bad_value_rejects_the_sync_located_by_object_record_and_field(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    _sync(ws, base_url)
    before = tables(ws, CANONICAL)
    fake.put("deals", "303", {"amount": "-5"}, at="2024-04-02T10:00:00Z")
    with pytest.raises(ImportRejected) as caught:
        _sync(ws, base_url)
    lines = [i.format() for i in caught.value.issues]
    assert any(line.startswith("hubspot/deals/303:amount: error ingest.E2") for line in lines), (
        lines
    )
    assert not any("(rows" in line for line in lines), "rows are named by record id"
    after = tables(ws, CANONICAL)
    assert all(after[k].equals(v) for k, v in before.items())


def test_check_reads_and_validates_but_writes_nothing(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    result = _sync(ws, base_url, check=True)
    assert result.checked_only
    assert result.rows["opportunities"] == 4
    assert tables(ws, CANONICAL) == {}
    assert state_load(ws.path, "hubspot").generation == 0


def test_progress_reports_records_read_of_the_total_the_search_counts(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    seen: list[tuple[str, int, int | None]] = []
    _sync(ws, base_url, progress=lambda obj, done, total: seen.append((obj, done, total)))
    assert seen[0] == ("companies", 0, 3)
    assert ("deals", 4, 4) in seen
    fake.put("deals", "303", {"amount": "9"}, at="2024-05-01T00:00:00Z")
    seen.clear()
    _sync(ws, base_url, progress=lambda obj, done, total: seen.append((obj, done, total)))
    assert ("deals", 0, 2) in seen  # 303, and 304 inside the overlap window
    assert ("deals", 2, 2) in seen


def test_a_second_sync_of_the_same_source_waits_for_none_and_says_so(
    fake: FakeHubSpot, base_url: str, ws: Workspace
) -> None:
    import fcntl

    from coparent.errors import SyncError

    root = sync_folder(ws.path, "hubspot")
    root.mkdir(parents=True)
    with open(root / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(SyncError, match="another hubspot sync is running"):
            _sync(ws, base_url)
    assert _sync(ws, base_url).rows["accounts"] == 3
