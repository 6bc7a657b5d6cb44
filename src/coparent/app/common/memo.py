"""Remember a value for the rest of one request (settings, data version, SLA terms...).

A page asks for the same small facts several times (each selector resolves
its own settings); the middleware gives every request a fresh store, so a
value is computed once per request and never outlives it. Outside a request
(services, tests) `memo` simply computes. The middleware lives in the HTTP shell
(`coparent.web.common.middleware`) and opens a `memo_scope` per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

__all__ = ["memo", "memo_fresh", "memo_scope"]

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


@contextmanager
def memo_scope() -> Iterator[None]:
    """A fresh store for the block: one request, or one job that wants the same economy."""
    token = _STORE.set({})
    try:
        yield
    finally:
        _STORE.reset(token)
