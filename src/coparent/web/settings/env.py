"""Read the web app's environment variables; a bad value names its variable.

Every production change goes through one of these helpers, so docs/web.md can
list them all and an error always says which variable to fix.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from coparent.workspace import APP_DATABASE_FILE

__all__ = [
    "env_bool",
    "env_database",
    "env_int",
    "env_json_object",
    "env_list",
    "secret_key",
]


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off``.

    >>> env_bool("X", False, environ={"X": "yes"})
    True
    """
    raw = _environ(environ).get(name)
    if raw is None or raw.strip() == "":
        return default
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true or false (1/0, yes/no, on/off)")


def env_int(name: str, default: int, *, environ: Mapping[str, str] | None = None) -> int:
    """A whole number.

    >>> env_int("X", 3, environ={})
    3
    """
    raw = _environ(environ).get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated values, blanks dropped.

    >>> env_list("X", [], environ={"X": "a.example, b.example"})
    ['a.example', 'b.example']
    """
    raw = _environ(environ).get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_json_object(name: str, *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A JSON object of text to text (used to hand ``--setting`` overrides to the server).

    >>> env_json_object("X", environ={"X": '{"sales_sla_hours": "12"}'})
    {'sales_sla_hours': '12'}
    """
    raw = _environ(environ).get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise ImproperlyConfigured(f"{name}: not valid JSON") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ImproperlyConfigured(f"{name}: expected a JSON object of text to text")
    return dict(value)


def env_database(workspace: Path, *, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``DATABASE_URL`` (PostgreSQL in production), else SQLite in the workspace.

    >>> env_database(Path("/ws"), environ={})["NAME"]
    '/ws/app.sqlite3'
    >>> env_database(Path("/ws"), environ={"DATABASE_URL": "postgres://u@db:5432/cp"})["ENGINE"]
    'django.db.backends.postgresql'
    """
    import dj_database_url

    url = _environ(environ).get("DATABASE_URL", "").strip()
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(workspace / APP_DATABASE_FILE)}
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises ValueError and friends
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a usable database URL ({exc}); "
            "use postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////abs/path.sqlite3"
        ) from None
    return dict(config)


SECRET_KEY_FILE = "secret_key"


def secret_key(workspace: Path, *, environ: Mapping[str, str] | None = None) -> str:
    """``COPARENT_SECRET_KEY``, else the workspace's ``secret_key`` file, made if missing.

    A workspace (a folder with ``settings.toml``) without a key file gets a
    random one (mode 600), as ``coparent serve`` makes it. Without a workspace
    the key is empty, and the app refuses to start (`coparent.web.common.apps`):
    there is no public fallback key.
    """
    key = _environ(environ).get("COPARENT_SECRET_KEY", "").strip()
    if key:
        return key
    path = workspace / SECRET_KEY_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if text or not (workspace / "settings.toml").is_file():
        return text
    made = secrets.token_urlsafe(50)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(made + "\n")
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return made
