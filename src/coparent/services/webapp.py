"""Run the web app from the CLI: prepare its database, create demo users, serve.

    ws = Workspace(path)
    webapp_prepare(ws)                       # migrate <workspace>/app.sqlite3 (or DATABASE_URL)
    users = demo_users_create(ws)            # only in a workspace built by coparent demo
    webapp_serve(ws, host="127.0.0.1", port=8000)
    if webapp_open(ws):                      # the CLI reading the app's decisions, if any
        ...
    webapp_refresh(ws)                       # the post-import hooks (wins, report cache)

Django is configured here, once per process, from `coparent.web.settings.base`
with ``COPARENT_HOME`` pointing at the workspace; this module refers to the
web package by name only, so the services layer never imports it.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coparent.errors import WorkspaceError
from coparent.services.server import ServeError
from coparent.workspace import APP_DATABASE_FILE, Workspace

__all__ = [
    "DEMO_PASSWORD",
    "NO_OWNER_HINT",
    "ServeError",
    "demo_users_create",
    "user_command",
    "webapp_manage",
    "webapp_open",
    "webapp_owner_exists",
    "webapp_prepare",
    "webapp_refresh",
    "webapp_serve",
    "webapp_url",
]

DEMO_PASSWORD = "coparent-demo"  # the demo users' password (demo workspaces only)
SETTINGS_MODULE = "coparent.web.settings.base"
SECRET_KEY_FILE = "secret_key"
_WILDCARDS = ("0.0.0.0", "::", "")


def _secret_key(ws: Workspace) -> None:
    """A random key kept in the workspace, unless COPARENT_SECRET_KEY is set."""
    if os.environ.get("COPARENT_SECRET_KEY"):
        return
    path = ws.path / SECRET_KEY_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        path.chmod(0o600)


def _configure(ws: Workspace, overrides: Mapping[str, str] | None, host: str | None) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    if not ws.exists():
        raise WorkspaceError(
            f"no workspace at {ws.path}",
            hint=f"create one: coparent init --workspace {ws.path} (or coparent demo)",
        )
    _secret_key(ws)
    os.environ["COPARENT_HOME"] = str(ws.path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    os.environ["COPARENT_WEB_SETTING_OVERRIDES"] = json.dumps(dict(overrides or {}))
    if host and host not in _WILDCARDS and "COPARENT_ALLOWED_HOSTS" not in os.environ:
        os.environ["COPARENT_ALLOWED_HOSTS"] = ",".join(
            dict.fromkeys(["127.0.0.1", "localhost", "[::1]", host])
        )
    django.setup()


def webapp_open(ws: Workspace, *, overrides: Mapping[str, str] | None = None) -> bool:
    """Configure Django to read ``ws``'s app database if it has one; never create or migrate it.

    False, without importing Django, when there is none: no ``app.sqlite3``
    in the workspace and no ``DATABASE_URL``. A process whose Django is set
    up already (the digest, the test suite) reads the database it was set up
    with, provided that is for the same workspace.
    """
    conf = sys.modules.get("django.conf")
    if conf is not None and conf.settings.configured:
        configured = Path(conf.settings.COPARENT_WORKSPACE).resolve()
        return bool(configured == ws.path.resolve())
    if not ws.exists():
        return False
    elsewhere = bool(os.environ.get("DATABASE_URL", "").strip())
    if not elsewhere and not (ws.path / APP_DATABASE_FILE).exists():
        return False
    _configure(ws, overrides, None)
    return True


def webapp_prepare(
    ws: Workspace, *, overrides: Mapping[str, str] | None = None, host: str | None = None
) -> None:
    """Configure Django for ``ws`` and bring its app database up to date (migrate).

    Django is configured once per process: the first call's workspace,
    ``overrides`` (``--setting`` pairs) and ``host`` (added to the allowed
    hosts) stay in force; later calls only migrate.
    """
    from django.core.management import call_command

    _configure(ws, overrides, host)
    call_command("migrate", interactive=False, verbosity=0)


def demo_users_create(
    ws: Workspace, *, overrides: Mapping[str, str] | None = None, host: str | None = None
) -> list[dict[str, Any]]:
    """The six demo users (``ceo``, ``sales-lead``, ``marketing-lead``, ``rep``, ``marketer``,
    ``guest``; password ``coparent-demo``). Raises `WorkspaceError` outside a demo workspace.

    Prepares the app first (Django is configured once per process, so pass the
    ``overrides`` and ``host`` the server will use), and runs the wins engine
    once so the demo opens with its wins. Each item: ``username``, ``role``,
    ``team``, ``name``, ``password``.
    """
    from django.core.management import call_command
    from django.core.management.base import CommandError

    webapp_prepare(ws, overrides=overrides, host=host)
    out = io.StringIO()
    try:
        call_command("coparent_demo_users", stdout=out)
    except CommandError as exc:
        raise WorkspaceError(
            str(exc), hint="build a demo first: coparent demo --workspace DIR"
        ) from None
    users: list[dict[str, Any]] = json.loads(out.getvalue())
    return users


def user_command(ws: Workspace, action: str, username: str = "", **options: str) -> Any:
    """Run ``coparent_user ACTION`` against the workspace's app database; its JSON answer.

    A refusal (a weak password, a second champion, an unknown user) is a
    `WorkspaceError` carrying the validators' words.
    """
    from django.core.management import call_command
    from django.core.management.base import CommandError

    webapp_prepare(ws)
    out = io.StringIO()
    args = [action, username] if username else [action]
    try:
        call_command("coparent_user", *args, stdout=out, **options)
    except CommandError as exc:
        raise WorkspaceError(
            str(exc), hint="coparent user --help lists the roles and teams"
        ) from None
    return json.loads(out.getvalue())


def webapp_refresh(
    ws: Workspace, *, overrides: Mapping[str, str] | None = None, force: bool = False
) -> list[dict[str, Any]] | None:
    """Run the app's post-import hooks (wins, report cache) for ``ws``; one dict per hook.

    None when the workspace has no app database (nothing to derive; none is
    created). Each dict: ``name``, ``ok``, ``detail``, ``seconds``; a failed
    hook is ``ok`` False and never undoes what came before it.
    """
    from django.core.management import call_command

    if not webapp_open(ws, overrides=overrides):
        return None
    out = io.StringIO()
    call_command("coparent_refresh", *(["--force"] if force else []), stdout=out)
    results: list[dict[str, Any]] = json.loads(out.getvalue())
    return results


def webapp_owner_exists(ws: Workspace) -> bool:
    """The app database has an owner who can sign in (after preparing it)."""
    return bool(user_command(ws, "owner-exists"))


NO_OWNER_HINT = "no owner can sign in yet: create one with coparent user create NAME --role owner"


def webapp_manage(ws: Workspace, argv: list[str]) -> None:
    """Django's ``manage.py`` for the workspace's app (migrate, createsuperuser, shell...)."""
    from django.core.management import execute_from_command_line

    inherited = os.environ.get("COPARENT_WEB_SETTING_OVERRIDES") or "{}"
    _configure(ws, json.loads(inherited), None)  # a job started by `serve --setting` keeps them
    execute_from_command_line(["coparent manage", *argv])


def webapp_url(host: str, port: int) -> str:
    """The address to print: loopback for a wildcard bind.

    >>> webapp_url("0.0.0.0", 8000), webapp_url("::1", 8080)
    ('http://127.0.0.1:8000/', 'http://[::1]:8080/')
    """
    shown = "127.0.0.1" if host in _WILDCARDS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def webapp_serve(
    ws: Workspace,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 0,
    overrides: Mapping[str, str] | None = None,
) -> None:
    """Serve the app with the production server until interrupted (`coparent.services.server`).

    ``workers`` processes (0: one more than the CPUs, at most 4), each with
    a few threads and its own report cache. The app database is migrated and
    the static files collected (hashed names) into ``<workspace>/static`` first.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from coparent.services.server import default_workers, run_server

    webapp_prepare(ws, overrides=overrides, host=host)
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()  # each worker opens its own database connections
    run_server(
        host=host,
        port=port,
        workers=workers or default_workers(),
        static_root=Path(settings.STATIC_ROOT),
    )
