"""Settings shared by every environment; production changes them only through the environment.

The workspace (``COPARENT_HOME``, else the default folder) holds the facts
(``warehouse.duckdb``) and, unless ``DATABASE_URL`` says otherwise, the app
database (``app.sqlite3``). docs/web.md lists every environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from coparent.web.settings.env import (
    env_bool,
    env_database,
    env_int,
    env_json_object,
    env_list,
    secret_key,
)
from coparent.workspace import resolve_workspace_path

WEB_DIR = Path(__file__).resolve().parents[1]

# The workspace the app reads facts from and keeps its database in.
COPARENT_WORKSPACE = str(resolve_workspace_path(None))
# ``--setting name=value`` pairs handed over by ``coparent serve`` (JSON in the environment).
COPARENT_SETTING_OVERRIDES: dict[str, str] = env_json_object("COPARENT_WEB_SETTING_OVERRIDES")
# Failed sign-ins allowed per username and address within the window, then wait.
COPARENT_LOGIN_MAX_FAILURES = env_int("COPARENT_LOGIN_MAX_FAILURES", 5)
COPARENT_LOGIN_WINDOW_SECONDS = env_int("COPARENT_LOGIN_WINDOW_SECONDS", 15 * 60)
# Computed reports are cached until the data changes; this bounds how long at most.
COPARENT_REPORT_CACHE_SECONDS = env_int("COPARENT_REPORT_CACHE_SECONDS", 24 * 3600)
# Largest upload accepted on the Data page (all its files together), in megabytes: a
# 1M-row CRM export fits (docs/web.md gives the measured sizes). A .zip may unpack to four times it.
COPARENT_MAX_UPLOAD_MB = env_int("COPARENT_MAX_UPLOAD_MB", 1024)
# Uploads above this size, and every upload of several files or a .zip, are imported by a
# background job the page polls, never inside the request.
COPARENT_INLINE_IMPORT_MB = env_int("COPARENT_INLINE_IMPORT_MB", 20)
# How import jobs run: "process" (a worker process each) or "inline" (inside the request).
COPARENT_IMPORT_JOBS = os.environ.get("COPARENT_IMPORT_JOBS", "process")

SECRET_KEY = secret_key(Path(COPARENT_WORKSPACE))
if not SECRET_KEY and os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    # No public fallback key: sessions and tokens signed with it could be forged by anyone.
    raise ImproperlyConfigured(
        "no secret key: set COPARENT_SECRET_KEY, or point COPARENT_HOME at a workspace "
        "(coparent init) where coparent keeps one"
    )
DEBUG = env_bool("COPARENT_DEBUG", False)
ALLOWED_HOSTS = env_list("COPARENT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("COPARENT_CSRF_TRUSTED_ORIGINS", [])

# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto and use secure cookies.
_SECURE = env_bool("COPARENT_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
if env_bool("COPARENT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_SSL_REDIRECT = env_bool("COPARENT_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("COPARENT_HSTS_SECONDS", 0)
# Decisions about the whole domain, so off unless its owner says so.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COPARENT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("COPARENT_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "coparent.web.common",
    "coparent.app.common",
    "coparent.app.teams",
    "coparent.app.goals",
    "coparent.app.feedback",
    "coparent.app.wins",
    "coparent.app.starters",
    "coparent.app.pairs",
    "coparent.web.dashboards",
    "coparent.app.imports",
    "coparent.app.digest",
    "coparent.app.notifications",
]
MIDDLEWARE = [
    "coparent.web.common.middleware.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "coparent.web.common.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coparent.web.common.middleware.CoparentErrorMiddleware",
    "coparent.api.errors.ApiErrorShapeMiddleware",
]
ROOT_URLCONF = "coparent.web.urls"
WSGI_APPLICATION = "coparent.web.wsgi.application"
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coparent.web.teams.context.team_context",
            ],
            "builtins": ["coparent.web.common.templatetags.coparent"],
        },
    }
]

DATABASES = {"default": env_database(Path(COPARENT_WORKSPACE))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The report cache: on disk in the workspace (COPARENT_CACHE_DIR), shared by every server
# worker, `coparent import`, `coparent refresh` and import jobs, so an import's hooks warm it
# for all and the first view after an import is as fast as later ones. COPARENT_CACHE_DIR=""
# keeps it in each process's memory instead.
_CACHE_DIR = os.environ.get("COPARENT_CACHE_DIR", str(Path(COPARENT_WORKSPACE) / "cache")).strip()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": _CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
    if _CACHE_DIR
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coparent",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
LANGUAGE_CODE = "en"

STATIC_URL = "/static/"
STATIC_ROOT = Path(COPARENT_WORKSPACE) / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js alone from the plotly wheel (not its 9.6 MB package_data folder).
    "coparent.web.common.finders.PlotlyFinder",
]
# Hashed names (app.3f2c1a.css): the server caches them for a year, and a new release is a new URL.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 is a role meeting a page it may not see: one line, not a traceback.
    "filters": {"one_line_403": {"()": "coparent.web.common.logs.OneLineForbidden"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_403"]},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "coparent": {"handlers": ["console"], "level": "INFO"},
    },
}
