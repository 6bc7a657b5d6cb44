"""Settings for the test suite: in-memory SQLite unless DATABASE_URL says otherwise."""

from __future__ import annotations

from coparent.web.settings.base import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
