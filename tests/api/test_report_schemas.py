"""The report contracts are the API's schemas: the demo's real reports fit them exactly.

`coparent.metrics.contracts.ScorecardReport` and
`coparent.diagnosis.contracts.DiagnosisReport` are the one source of truth;
pydantic validates the API's responses against them and writes the OpenAPI
document from them. Validation alone ignores unknown keys, so each check also
dumps the validated value and compares it with the report: an extra key, a
missing one or a value of another type fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pydantic import TypeAdapter

from coparent.diagnosis.contracts import DiagnosisReport
from coparent.metrics.contracts import GoalProgress, ScorecardReport
from coparent.services.diagnosis import diagnosis_report
from coparent.services.scorecard import scorecard_report
from coparent.settings import Settings
from coparent.workspace import Workspace

SCORECARD = TypeAdapter(ScorecardReport)
DIAGNOSIS = TypeAdapter(DiagnosisReport)


def _keys(contract: Any) -> set[str]:
    return set(contract.__required_keys__) | set(contract.__optional_keys__)


def _fits(adapter: TypeAdapter[Any], report: Any) -> None:
    assert adapter.dump_python(adapter.validate_python(report)) == report


@pytest.fixture(scope="module")
def demo_con(demo_workspace: Path) -> Iterator[tuple[Any, Settings]]:
    ws = Workspace(demo_workspace)
    settings = ws.settings()
    con = ws.connect(settings)
    try:
        yield con, settings
    finally:
        con.disconnect()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"period": "2026-Q2"},
        {"period": "2026-08"},
        {"goal_won_revenue": 250000.0, "marketing_mql_commitment": 200},
    ],
)
def test_the_demo_scorecard_fits_its_contract(
    demo_con: tuple[Any, Settings], options: dict[str, Any]
) -> None:
    con, settings = demo_con
    options = dict(options)
    period = options.pop("period", None)
    report = scorecard_report(con, period=period, settings=dataclasses.replace(settings, **options))
    assert set(report) == _keys(ScorecardReport)  # with leads, unlinked_leads is there too
    _fits(SCORECARD, report)
    assert report["goal"] is None or set(report["goal"]) == _keys(GoalProgress)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"by": "channel"},
        {"against": "last-year", "period": "2026-Q3"},
        {"against": "goal", "goal_won_revenue": 250000.0},
    ],
)
def test_the_demo_diagnosis_fits_its_contract(
    demo_con: tuple[Any, Settings], options: dict[str, Any]
) -> None:
    con, settings = demo_con
    options = dict(options)
    choices = {k: options.pop(k) for k in ("by", "against", "period") if k in options}
    report = diagnosis_report(con, settings=dataclasses.replace(settings, **options), **choices)
    assert set(report) == _keys(DiagnosisReport)
    _fits(DIAGNOSIS, report)
    assert all({"loss_mix", "rejection_mix"} <= set(s) for s in report["segments"])


@pytest.mark.parametrize(
    ("path", "contract"), [("/api/scorecard", ScorecardReport), ("/api/diagnosis", DiagnosisReport)]
)
def test_the_api_serves_every_field_of_the_contract(
    workspace: Path, login: Callable[[str], Client], path: str, contract: Any
) -> None:
    body = login("viewer").get(path).json()
    assert set(body) == _keys(contract)
    _fits(TypeAdapter(contract), body)


def test_the_openapi_document_describes_both_reports(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    doc = login("viewer").get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for path, contract in (
        ("/api/scorecard", ScorecardReport),
        ("/api/diagnosis", DiagnosisReport),
    ):
        ok = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": f"#/components/schemas/{contract.__name__}"}
        described = schemas[contract.__name__]
        assert set(described["properties"]) == _keys(contract)
        assert set(described["required"]) == set(contract.__required_keys__)
    # nested parts are described too, field by field
    assert set(schemas["SalesSla"]["properties"]) >= {"met", "missed", "share_within_sla"}
    assert set(schemas["ChannelSpeedOut"]["properties"]) >= {"acceptance", "extra_revenue"}
