"""Schemathesis walks every operation of /api/openapi.json, in process, as the owner.

Each case is sent through Django's WSGI handler with a personal API token
(``Authorization: Bearer …``) against the demo workspace. No response may be a
500, and every response whose status the document describes must fit its
schema (for the reports: `coparent.metrics.contracts`,
`coparent.diagnosis.contracts`). Other statuses (400, 409, 422 for a period
the data do not reach) are checked for the error shape by tests/api/test_error_shape.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from coparent.api.api import api
from coparent.api.errors import ERROR_KEYS

MAX_EXAMPLES = 15
"""Per operation; the whole run stays well under a minute."""


@pytest.fixture
def owner_token(workspace: Path, people: dict[str, Any]) -> str:
    from coparent.app.teams.services import api_token_create

    _, raw = api_token_create(username="owner", name="schemathesis")
    return raw


@pytest.fixture
def api_schema(owner_token: str) -> Iterator[Any]:
    """The document, sent through Django's WSGI handler.

    Like Django's test client, the handler must not close the database
    connection at the end of each request: the test's transaction lives on it
    (on PostgreSQL the connection would really close).
    """
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
    loaded.app = WSGIHandler()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_500_or_outside_its_schema(case: Any, owner_token: str) -> None:
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    if response.status_code >= 400:
        assert tuple(response.json()) == ERROR_KEYS
