"""Run the web app from the CLI: prepare its database, create demo users, serve.

    ws = Workspace(path)
    webapp_prepare(ws)                       # migrate <workspace>/app.sqlite3 (or DATABASE_URL)
    users = demo_users_create(ws)            # only in a workspace built by coparent demo
    webapp_serve(ws, host="127.0.0.1", port=8000)

Django is configured here, once per process, from `coparent.web.settings.base`
with ``COPARENT_HOME`` pointing at the workspace; this module refers to the
web package by name only, so the services layer never imports it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import secrets
import signal
import socketserver
from collections.abc import Callable, Mapping
from typing import Any

from coparent.errors import CoparentError, WorkspaceError
from coparent.workspace import Workspace

__all__ = [
    "DEMO_PASSWORD",
    "NO_OWNER_HINT",
    "ServeError",
    "demo_users_create",
    "user_command",
    "webapp_manage",
    "webapp_owner_exists",
    "webapp_prepare",
    "webapp_serve",
    "webapp_url",
]

DEMO_PASSWORD = "coparent-demo"  # the demo users' password (demo workspaces only)
SETTINGS_MODULE = "coparent.web.settings.base"
SECRET_KEY_FILE = "secret_key"
_WILDCARDS = ("0.0.0.0", "::", "")


class ServeError(CoparentError):
    """The server cannot start (the port is taken...)."""

    code = "web.serve"


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


def webapp_owner_exists(ws: Workspace) -> bool:
    """The app database has an owner who can sign in (after preparing it)."""
    return bool(user_command(ws, "owner-exists"))


NO_OWNER_HINT = "no owner can sign in yet: create one with coparent user create NAME --role owner"


def webapp_manage(ws: Workspace, argv: list[str]) -> None:
    """Django's ``manage.py`` for the workspace's app (migrate, createsuperuser, shell...)."""
    from django.core.management import execute_from_command_line

    _configure(ws, None, None)
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
    on_bind: Callable[[Any], None] | None = None,
) -> None:
    """Serve the app (threaded, static files included) until interrupted.

    ``workers`` processes share the listening socket (0: one more than the
    CPUs, at most 4); each answers requests with threads and keeps its own
    report cache.
    Fine for a team on a laptop or on one machine behind a reverse proxy;
    docs/web.md shows other set-ups (any WSGI server on
    ``coparent.web.wsgi:application``). ``on_bind(port)`` is called once
    listening (port 0 picks a free port).
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import (
        WSGIRequestHandler,
        WSGIServer,
        get_internal_wsgi_application,
    )
    from django.db import connections

    webapp_prepare(ws, overrides=overrides, host=host)
    count = workers or min((os.cpu_count() or 1) + 1, 4)

    class _Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True
        request_queue_size = 128  # many browsers (or a load test) connecting at once

    try:
        httpd = _Server((host, port), WSGIRequestHandler, ipv6=":" in host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"cannot listen on {host}:{port}: the address is in use",
                hint="stop the other server or pick another port with --port",
            ) from None
        raise
    httpd.set_app(StaticFilesHandler(get_internal_wsgi_application()))
    if on_bind is not None:
        on_bind(httpd.server_port)
    connections.close_all()  # each process opens its own database connections
    children = [] if count <= 1 or not hasattr(os, "fork") else _fork(count - 1, httpd)
    signal.signal(signal.SIGTERM, _interrupt)  # stop the workers too on a plain kill
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        httpd.server_close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _fork(count: int, httpd: Any) -> list[int]:
    """Start ``count`` more processes serving the same socket; the parent keeps their ids."""
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # a worker: serve until the parent stops it
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                httpd.serve_forever()
            finally:
                os._exit(0)
        children.append(pid)
    return children
