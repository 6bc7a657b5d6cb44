"""The web and API tests again, on PostgreSQL (the production app database).

The suite runs in a subprocess with ``DATABASE_URL`` pointing at a database
this test creates on the server at 127.0.0.1:5432 (``.ci/run`` starts it);
pytest-django creates and drops ``test_<name>`` inside, and this test drops
both at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SERVER = "postgres://postgres@127.0.0.1:5432"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as con:
        con.execute(sql)


@pytest.fixture
def database() -> Iterator[str]:
    name = f"coparent_web_{uuid.uuid4().hex[:10]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # psycopg.OperationalError when the server is down
        pytest.fail(f"PostgreSQL is not reachable at {SERVER}: {exc} (.ci/run starts it)")
    try:
        yield name
    finally:
        for db in (f"test_{name}", name):
            _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def test_the_web_and_api_tests_pass_on_postgresql(database: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{database}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/app",
            "tests/web",
            "tests/api",
            "-m",
            "not postgres and not browser",
            "-p",
            "no:cacheprovider",
            "-q",
            "-x",
            "--no-header",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout
