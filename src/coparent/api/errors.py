"""One JSON error shape for the whole API, pinned by tests/api/test_error_shape.py.

    {"ok": false, "error": "<message>", "errors": [{"message": ..., ...}],
     "code": "<stable code>", "status": <HTTP status>}

A `CoparentError` keeps its own ``code`` and ``status`` (its ``hint`` goes
into ``errors``); validation, authentication, permission and not-found
errors get the codes below. What Django answers before the API runs (an
unknown ``/api/…`` path, a method an endpoint does not take) gets the same
shape from `ApiErrorShapeMiddleware`: ``api.not_found`` and ``api.method_not_allowed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from coparent.errors import CoparentError, ImportRejected

__all__ = [
    "API_PREFIX",
    "ERROR_KEYS",
    "ApiErrorShapeMiddleware",
    "error_body",
    "install_error_handlers",
]

ERROR_KEYS = ("ok", "error", "errors", "code", "status")
API_PREFIX = "/api/"
"""Where coparent.web.urls mounts the API."""
_OUTSIDE_THE_API = {
    404: ("api.not_found", "no such API endpoint; the endpoints are listed at /api/docs"),
    405: ("api.method_not_allowed", "this endpoint does not take {method}"),
}
log = logging.getLogger("coparent.api")


def error_body(
    *, error: str, code: str, status: int, errors: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The one error shape.

    >>> error_body(error="no", code="api.forbidden", status=403)
    {'ok': False, 'error': 'no', 'errors': [], 'code': 'api.forbidden', 'status': 403}
    """
    return {"ok": False, "error": error, "errors": list(errors), "code": code, "status": status}


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=body["status"])

    @api.exception_handler(CoparentError)
    def coparent_error(request: HttpRequest, exc: CoparentError) -> HttpResponse:
        errors: list[dict[str, Any]] = [{"message": exc.message, "hint": exc.hint}]
        if isinstance(exc, ImportRejected):
            errors = [
                {
                    "message": i.message,
                    "hint": i.hint,
                    "row": i.row,
                    "column": i.column,
                    "code": i.code.value,
                    "level": i.level,
                }
                for i in exc.issues
            ]
        return respond(
            request, error_body(error=exc.message, code=exc.code, status=exc.status, errors=errors)
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"message": str(e.get("msg", "")), "loc": list(e.get("loc", []))} for e in exc.errors
        ]
        return respond(
            request,
            error_body(
                error="the request is not valid", code="api.invalid", status=422, errors=errors
            ),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            error_body(
                error="sign in first (session cookie from /accounts/login/)",
                code="api.unauthenticated",
                status=401,
            ),
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(
            request,
            error_body(error=str(exc) or "not for your role", code="api.forbidden", status=403),
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(
            request, error_body(error=str(exc) or "not found", code="api.not_found", status=404)
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(
            request, error_body(error=str(exc), code="api.error", status=exc.status_code)
        )

    @api.exception_handler(Exception)
    def internal(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s", request.path)
        return respond(
            request,
            error_body(error="internal error; it was logged", code="api.internal", status=500),
        )


class ApiErrorShapeMiddleware:
    """A 404 or 405 under ``/api/`` that Django or ninja answered in HTML or text, as JSON.

    The API's own handlers already answer in the shape; this covers the paths no
    endpoint matched (Django's 404 page) and the methods an endpoint does not
    take (ninja's plain-text 405, whose ``Allow`` header is kept).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        known = _OUTSIDE_THE_API.get(response.status_code)
        if (
            known is None
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = known
        body = error_body(
            error=message.format(method=request.method),
            code=code,
            status=response.status_code,
        )
        shaped = JsonResponse(body, status=response.status_code)
        if "Allow" in response:
            shaped["Allow"] = response["Allow"]
        return shaped
