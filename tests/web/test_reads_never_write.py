"""Reads never write: no GET of any URL, for any role, changes the app database.

Derived data (wins, the report cache) is computed after an import and by
``coparent refresh`` (`coparent.app.common.hooks`), so that page views from
many processes never contend for the database ("database is locked").
Walks every GET of the permission matrix (tests/web/test_permissions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.test_permissions import MATRIX, ROLE_ORDER, objects  # noqa: F401

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
GETS = sorted(name for name, method in MATRIX if method == "GET")


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.parametrize("name", GETS)
def test_no_get_writes_to_the_app_database(
    name: str,
    objects: dict[str, Any],  # noqa: F811
    login: Callable[[str], Client],
) -> None:
    url = reverse(name, kwargs=objects["kwargs"].get(name))
    wrote = {}
    for role in ROLE_ORDER:
        with transaction.atomic():
            client = login(role)  # force_login: the session is written before we look
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
            if found := _writes(ctx):
                wrote[role] = found
            transaction.set_rollback(True)
    assert not wrote, f"GET {url} wrote: {wrote}"
