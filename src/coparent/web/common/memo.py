"""Remember a value for the rest of one request (settings, data version, SLA terms...).

A page asks for the same small facts several times (each selector resolves
its own settings); the middleware gives every request a fresh store, so a
value is computed once per request and never outlives it. Outside a request
(services, tests) `memo` simply computes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse

__all__ = ["RequestMemoMiddleware", "memo", "memo_fresh"]

T = TypeVar("T")
_STORE: ContextVar[dict[str, Any] | None] = ContextVar("coparent_request_memo", default=None)


def memo(key: str, compute: Callable[[], T]) -> T:
    store = _STORE.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return cast(T, store[key])


@contextmanager
def memo_fresh() -> Iterator[None]:
    """Within the block, remember nothing from before it (after a write that moved the facts)."""
    token = _STORE.set({} if _STORE.get() is not None else None)
    try:
        yield
    finally:
        _STORE.reset(token)


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _STORE.set({})
        try:
            return self.get_response(request)
        finally:
            _STORE.reset(token)
