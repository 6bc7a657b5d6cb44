"""After an import: recompute what the app derives from the facts, so that reads never write.

    results = post_import_run()              # after the import's commit, never inside it
    for r in results:
        print(r.line())                      # "wins: ok (...)" or "wins: FAILED (...)"

`POST_IMPORT_HOOKS` is the one list. It is run by ``coparent import`` (every
form), the Data page (inline imports and import jobs), ``coparent refresh``
(cron) and later ``coparent sync``, always after the import's transaction
has committed. Pages, selectors and API GETs only read what the hooks stored.

- ``wins``: the wins engine (`wins_refresh`), skipped when nothing it reads changed;
- ``notifications``: queue "MQL to review" for the new MQLs (to the Sales person who
  owns each, else all of Sales), and the reminders and big wins now due
  (`coparent.app.notifications`; ``coparent notify run`` sends them);
- ``report cache``: the scorecard and diagnosis of the default period, computed
  into Django's cache so the first view after an import is as fast as later ones.
  With a cache local to each process (``LocMemCache``, the default) warming only
  helps the process that runs it, so it runs in a web process (an inline Data
  page import) and is skipped, saying why, in the CLI and import jobs; with a
  shared cache (``COPARENT_CACHE_DIR``) it runs everywhere.

A hook that fails is logged and reported in its `HookResult`; it never undoes
the import and never stops the hooks after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings

from coparent.app.common.memo import memo_fresh

__all__ = ["POST_IMPORT_HOOKS", "HookContext", "HookResult", "post_import_run"]

log = logging.getLogger(__name__)

_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@dataclass(frozen=True)
class HookContext:
    """Where the hooks run: ``in_web_process`` when a web worker runs them (its cache serves)."""

    in_web_process: bool = False
    force: bool = False


@dataclass(frozen=True)
class HookResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        state = "ok" if self.ok else "FAILED"
        return f"{self.name}: {state} ({self.detail}, {self.seconds:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "seconds": self.seconds}


def _wins(ctx: HookContext) -> str:
    from coparent.app.wins.services import wins_refresh

    run = wins_refresh(force=ctx.force)
    if run is None:
        return "nothing changed since the last run"
    return f"{run.found} found, {run.added} new"


def _cache_is_shared() -> bool:
    backend = str(django_settings.CACHES.get("default", {}).get("BACKEND", ""))
    return backend not in _LOCAL_CACHES


def _report_cache(ctx: HookContext) -> str:
    from coparent.app.dashboards.selectors import (
        diagnosis_for,
        resolve_period,
        scorecard_charts_get,
        scorecard_for,
    )

    if not ctx.in_web_process and not _cache_is_shared():
        return (
            "skipped: the report cache is per process (set COPARENT_CACHE_DIR to share it); "
            "the first view fills it"
        )
    r = resolve_period(None)
    if r.period is None:
        return "no period to warm: " + (r.default.missing or "no data yet")
    report = scorecard_for(r, default=True)
    scorecard_charts_get(r, report)
    diagnosis_for(r)
    return f"scorecard and diagnosis of {r.period} computed"


def _notifications(ctx: HookContext) -> str:
    from coparent.app.notifications.services import notifications_after_import

    return notifications_after_import()


Hook = Callable[[HookContext], str]

POST_IMPORT_HOOKS: tuple[tuple[str, Hook], ...] = (
    ("wins", _wins),
    ("notifications", _notifications),
    ("report cache", _report_cache),
)


def post_import_run(
    *,
    in_web_process: bool = False,
    force: bool = False,
    only: Sequence[str] | None = None,
    hooks: Sequence[tuple[str, Hook]] | None = None,
) -> list[HookResult]:
    """Run every hook (``hooks``: `POST_IMPORT_HOOKS`; ``only``: those names) once, in order.

    A failure is a result, not a raise.

    Call it after the import committed and its warehouse connection closed.
    Values remembered for the current request (the data version) are not
    reused: the import just changed them.
    """
    ctx = HookContext(in_web_process=in_web_process, force=force)
    results = []
    with memo_fresh():
        for name, hook in POST_IMPORT_HOOKS if hooks is None else hooks:
            if only is not None and name not in only:
                continue
            started = time.monotonic()
            try:
                detail, ok = hook(ctx), True
            except Exception as exc:  # reported, never undoing the import
                log.exception("post-import hook %r failed", name)
                detail, ok = f"{type(exc).__name__}: {exc}", False
            results.append(HookResult(name, ok, detail, round(time.monotonic() - started, 3)))
    return results
