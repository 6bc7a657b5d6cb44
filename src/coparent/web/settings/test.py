"""Settings for the test suite: in-memory SQLite unless DATABASE_URL says otherwise.

``DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME`` runs the same tests on
PostgreSQL (pytest-django creates and drops ``test_NAME``); the ``postgres``
marked test in tests/web does exactly that.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coparent.web.settings.base import *  # noqa: F403
from coparent.web.settings.env import env_database

# A workspace that does not exist: tests point COPARENT_WORKSPACE at their own.
COPARENT_WORKSPACE = str(Path(tempfile.gettempdir()) / "coparent-test-no-workspace")
COPARENT_SETTING_OVERRIDES = {}
COPARENT_IMPORT_JOBS = "inline"
CACHES = {  # each test process its own memory cache (tests that share one set their own)
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coparent-tests",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}  # the in-memory database is this process's own
SECRET_KEY = "coparent-tests-only"  # fixed key, tests only

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": env_database(Path(COPARENT_WORKSPACE))}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
STATIC_ROOT = Path(tempfile.gettempdir()) / "coparent-test-static"
STORAGES = {  # no collectstatic in tests: plain names, found by the finders
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
