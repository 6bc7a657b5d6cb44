"""The shell's middleware: one error path for pages (any `CoparentError` becomes its HTTP
status and one template), the request memo, the Content-Security-Policy header.

The API has its own handler with the same fields as JSON (`coparent.api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coparent.app.common.memo import memo_scope
from coparent.errors import CoparentError

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "ContentSecurityPolicyMiddleware",
    "CoparentErrorMiddleware",
    "RequestMemoMiddleware",
    "error_response",
]


def error_response(request: HttpRequest, exc: CoparentError) -> HttpResponse:
    """The error page (or, for an HTMX request, the error card alone)."""
    template = "common/_error_card.html" if getattr(request, "htmx", False) else "common/error.html"
    return render(
        request,
        template,
        {"error": exc.message, "hint": exc.hint, "code": exc.code, "status": exc.status},
        status=exc.status,
    )


class RequestMemoMiddleware:
    """Each request remembers its small facts once (`coparent.app.common.memo`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with memo_scope():
            return self.get_response(request)


class CoparentErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, CoparentError) and not request.path.startswith("/api/"):
            return error_response(request, exc)
        return None


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # every script is a static file: no inline code, no eval
        "style-src 'self' 'unsafe-inline'",  # Plotly and htmx set styles at run time
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Every response says which sources a page may load: an injected script does not run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
