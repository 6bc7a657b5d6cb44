"""WSGI entry point: ``coparent.web.wsgi:application`` (``coparent serve`` runs it with Granian).

A request body larger than the Data page accepts (``COPARENT_MAX_UPLOAD_MB``
plus room for the form) is answered 413 before a byte of it is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.web.settings.base")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def limit_body(app: WSGIApp, *, max_bytes: int) -> WSGIApp:
    """``app``, answering 413 to a declared body over ``max_bytes``."""

    def limited(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes:
            body = f"the request is larger than {max_bytes // (1 << 20)} MB\n".encode()
            start_response(
                "413 Content Too Large",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Connection", "close"),
                ],
            )
            return [body]
        return app(environ, start_response)

    return limited


application = limit_body(
    get_wsgi_application(), max_bytes=(settings.COPARENT_MAX_UPLOAD_MB + 1) * (1 << 20)
)
