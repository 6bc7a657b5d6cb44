"""The production server of ``coparent serve``: Granian (Rust HTTP) on Django's WSGI app.

Why Granian: its I/O runs in Rust (tokio), so a connection costs no Python
thread until a whole request has arrived. A client that sends its headers a
byte at a time (slowloris), or a thousand idle keep-alive connections, hold
nothing but a socket, and a header that has not arrived within
``HEADER_TIMEOUT_SECONDS`` closes the connection. Python runs only complete
requests, on a small pool of threads per worker process. Workers are
processes (the analytics are Python and hold the GIL), respawned if one dies,
replaced one by one on SIGHUP (a graceful restart), and given
``GRACE_SECONDS`` to finish their requests on SIGTERM. Static files are
served by Granian from ``<workspace>/static`` (collected with hashed names
by `webapp_serve`, so they are cached for a year); the response carries
``server: granian``, never a version.

The alternatives considered: gunicorn's threaded workers read a request on
a Python thread (a slow client holds it, which is why gunicorn asks for a
buffering proxy in front); uvicorn would run Django's sync views through one
thread per process under ASGI; waitress is one process. Behind a reverse
proxy, any WSGI server can run ``coparent.web.wsgi:application`` instead.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from coparent.errors import ServeError

__all__ = [
    "GRACE_SECONDS",
    "HEADER_TIMEOUT_SECONDS",
    "THREADS_PER_WORKER",
    "ServeError",
    "default_workers",
    "run_server",
]

HEADER_TIMEOUT_SECONDS = float(os.environ.get("COPARENT_HEADER_TIMEOUT_SECONDS", "10"))
"""A request's headers must arrive within this time, or the connection is closed."""
GRACE_SECONDS = 30
"""On SIGTERM or SIGHUP a worker finishes its requests within this time."""
THREADS_PER_WORKER = min(8, 2 * (os.cpu_count() or 1) + 1)
"""Python threads per worker: requests one process answers at once (DuckDB releases the GIL);
more wait in the server's queue, costing no thread."""
BACKPRESSURE = 4096
"""Connections a worker takes in at once. Granian counts a connection from its first byte, so
this must be far above the threads: a client still sending headers must not keep others out.
Python's concurrency is bounded by the threads, not by this."""
STATIC_CACHE_SECONDS = 365 * 24 * 3600  # hashed file names: a change is a new name


def default_workers() -> int:
    """One process per CPU, at most 4 (threads give each its concurrency): a team's server."""
    return min(os.cpu_count() or 1, 4)


def _check_free(host: str, port: int) -> None:
    """A clear error for a taken port, before any worker starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"cannot listen on {host}:{port}: the address is in use",
                    hint="stop the other server or pick another port with --port",
                ) from None
            raise


def run_server(*, host: str, port: int, workers: int, static_root: Path) -> None:
    """Serve ``coparent.web.wsgi:application`` until SIGINT or SIGTERM.

    Django's settings reach the worker processes through the environment
    (``COPARENT_HOME``, ``DJANGO_SETTINGS_MODULE``...), which the caller sets.
    """
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    _check_free(host, port)
    server = Server(
        "coparent.web.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=max(1, workers),
        blocking_threads=THREADS_PER_WORKER,
        backpressure=BACKPRESSURE,
        backlog=1024,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(HEADER_TIMEOUT_SECONDS * 1000), keep_alive=True
        ),
        respawn_failed_workers=True,
        workers_kill_timeout=GRACE_SECONDS,
        static_path_route=["/static"],
        static_path_mount=[static_root],
        static_path_expires=STATIC_CACHE_SECONDS,
        websockets=False,
        log_access=False,
    )
    server.serve()
