"""The app database is SQLite for the tests, or PostgreSQL when DATABASE_URL names it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from coparent.web.settings.env import env_database


@pytest.mark.django_db
def test_the_tests_run_on_the_database_that_database_url_names() -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_without_database_url_the_app_database_lives_in_the_workspace() -> None:
    assert env_database(Path("/ws"), environ={}) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/ws/app.sqlite3",
    }


def test_a_bad_database_url_names_the_variable() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database(Path("/ws"), environ={"DATABASE_URL": "nosuchscheme://x"})
