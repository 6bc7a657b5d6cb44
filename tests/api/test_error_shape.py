"""Every API error has one JSON shape: {"ok": false, "error", "errors", "code", "status"}."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coparent.api.errors import ERROR_KEYS


def _assert_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status
    assert tuple(body) == ERROR_KEYS
    assert body["ok"] is False
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]
    assert isinstance(body["errors"], list)
    return body


@pytest.mark.django_db
def test_not_signed_in_is_401(client: Client) -> None:
    _assert_shape(client.get("/api/scorecard"), 401, "api.unauthenticated")


def test_a_bad_query_value_is_422_with_each_problem(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    body = _assert_shape(
        login("viewer").get("/api/diagnosis", {"against": "yesterday"}), 422, "api.invalid"
    )
    assert body["errors"][0]["loc"][-1] == "against"


def test_a_coparent_error_keeps_its_code_status_and_hint(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    body = _assert_shape(
        login("viewer").get("/api/scorecard", {"period": "soon"}), 400, "web.bad_parameter"
    )
    assert "2026-Q3" in body["errors"][0]["hint"]


def test_missing_data_is_409_and_says_what_to_import(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    body = _assert_shape(login("viewer").get("/api/scorecard"), 409, "data.missing")
    assert "import" in body["errors"][0]["hint"]


def test_a_diagnosis_against_a_missing_goal_is_a_409(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    _assert_shape(login("viewer").get("/api/diagnosis", {"against": "goal"}), 409, "data.missing")


@pytest.mark.parametrize(
    ("path", "query", "names"),
    [
        ("/api/scorecard", {"period": "2030-Q1"}, "2030-Q1 starts after the data end"),
        ("/api/scorecard", {"period": "0001-Q1"}, "0001-Q1 ends before the data start"),
        ("/api/scorecard", {"period": "0000-Q1"}, "0000-Q1 is outside the calendar"),
        ("/api/diagnosis", {"period": "2030-Q1"}, "2030-Q1 starts after the data end"),
        ("/api/diagnosis", {"period": "2024-Q4"}, "the baseline 2024-Q3"),
        ("/api/diagnosis", {"period": "2025-Q1", "against": "last-year"}, "the baseline 2024-Q1"),
    ],
)
def test_a_period_the_data_do_not_reach_is_422_period_out_of_range(
    workspace: Path, login: Callable[[str], Client], path: str, query: dict[str, str], names: str
) -> None:
    body = _assert_shape(login("viewer").get(path, query), 422, "period.out_of_range")
    assert names in body["error"]
    assert body["errors"][0]["hint"]


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/scorecard/extra", "/api/", "/api/wins/x/y"])
def test_an_unknown_api_path_is_404_in_the_error_shape(
    workspace: Path, login: Callable[[str], Client], role: str, path: str
) -> None:
    response = login(role).get(path)
    assert response["Content-Type"].startswith("application/json")
    _assert_shape(response, 404, "api.not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_method_an_endpoint_does_not_take_is_405_in_the_error_shape(
    workspace: Path, login: Callable[[str], Client], method: str
) -> None:
    response = getattr(login("viewer"), method)("/api/scorecard")
    body = _assert_shape(response, 405, "api.method_not_allowed")
    assert method.upper() in body["error"]
    assert response["Allow"] == "GET"


def test_pages_keep_their_html_404(workspace: Path, login: Callable[[str], Client]) -> None:
    response = login("viewer").get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def _declared(path: str) -> dict[str, Any]:
    from coparent.api.api import api

    return dict(api.get_openapi_schema()["paths"][path]["get"]["responses"])


def test_every_operation_declares_its_errors_in_the_one_shape() -> None:
    from coparent.api.api import api

    schema = api.get_openapi_schema()
    error_fields = set(schema["components"]["schemas"]["ErrorOut"]["properties"])
    assert error_fields == set(ERROR_KEYS)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "401" in responses or 401 in responses, (path, method)
            for status, body in responses.items():
                if int(status) >= 400:
                    ref = body["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (path, method, status)


@pytest.mark.parametrize(
    ("role", "path", "query", "status"),
    [
        ("anonymous", "/api/wins", {}, 401),
        ("viewer", "/api/wins/balance", {}, 403),
        ("viewer", "/api/diagnosis", {"against": "yesterday"}, 422),
        ("viewer", "/api/scorecard", {"period": "2031-Q1"}, 422),
        ("viewer", "/api/scorecard", {"period": "not-a-period"}, 400),
    ],
)
def test_each_error_an_operation_answers_is_declared(
    workspace: Path,
    login: Callable[[str], Client],
    role: str,
    path: str,
    query: dict[str, str],
    status: int,
) -> None:
    response = login(role).get(path, query)
    assert response.status_code == status, response.content
    assert str(status) in {str(s) for s in _declared(path)}
