"""One retry and deadline policy for every connector, on top of whatever HTTP client it uses.

The CRM clients do not agree on retries (the HubSpot SDK leaves them to
urllib3, which ignores HubSpot's burst window; Salesforce and Pipedrive
clients differ again), so each connector turns its client's failures into a
`Failure` and `CallPolicy.call` decides, the same way for all:

- ``rate`` (429, or a 403 the connector recognises as a rate refusal): wait
  ``Retry-After`` when given, else the connector's burst window (HubSpot: 10 s),
  then retry;
- ``server`` (5xx) and ``network`` (timeouts, refused connections): retry
  after a doubling backoff (0.5 s, 1 s, 2 s... capped at 30 s);
- ``auth`` (401, or a 403 that is not a rate refusal): stop at once with
  `SyncAuthError` naming the credential to fix;
- ``quota`` (a daily limit) and ``client`` (another 4xx): stop at once.

Every call has a deadline (``sync_deadline_seconds``) covering all its
attempts: a wait that would pass it stops the sync with `SyncUnavailable`
instead of sleeping. Messages carry the status and the call, never a header,
a body or a secret.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, TypeVar

from coparent.errors import SyncAuthError, SyncError, SyncUnavailable

__all__ = ["CallPolicy", "Failure", "FailureKind", "parse_retry_after"]

T = TypeVar("T")
FailureKind = Literal["rate", "quota", "server", "network", "auth", "client"]


@dataclass(frozen=True)
class Failure:
    """What went wrong with one attempt, as the policy needs to know it (no secret in it)."""

    kind: FailureKind
    status: int | None = None
    retry_after: float | None = None
    """Seconds the server asked to wait (``Retry-After``), when it said."""
    detail: str = ""
    """A short safe text (HubSpot's error category, say), shown in the final error."""


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; None when absent or bad.

    >>> parse_retry_after("2")
    2.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass
class CallPolicy:
    """Retries, waits and the deadline for the calls of one sync.

    ``source`` and ``credential`` name the CRM and the credential to fix in
    errors (``COPARENT_HUBSPOT_TOKEN or coparent connect hubspot``).
    """

    source: str
    credential: str
    timeout: float = 30.0
    """Seconds one HTTP request may take; the connector hands it to its client."""
    deadline: float = 300.0
    """Seconds one call may take with all its retries."""
    burst_wait: float = 10.0
    """Wait after a rate refusal that gives no ``Retry-After`` (HubSpot's 10-second window)."""
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_attempts: int = 10
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    retries: dict[str, int] = field(default_factory=dict)
    """Retries made so far, by failure kind (for the summary)."""
    waited: float = 0.0
    """Seconds spent waiting between attempts so far."""

    def call(
        self,
        fn: Callable[[], T],
        *,
        what: str,
        classify: Callable[[BaseException], Failure | None],
    ) -> T:
        """``fn()`` under the policy; ``classify`` maps the client's exceptions to a `Failure`
        (None: not a CRM failure, re-raised as is)."""
        started = self.clock()
        attempt = 0
        delay = self.backoff
        while True:
            attempt += 1
            try:
                return fn()
            except Exception as exc:
                failure = classify(exc)
                if failure is None:
                    raise
            self._stop_if_final(failure, what=what)
            if failure.kind == "rate":
                wait = failure.retry_after if failure.retry_after is not None else self.burst_wait
            else:
                wait = failure.retry_after if failure.retry_after is not None else delay
                delay = min(delay * 2, self.max_backoff)
            spent = self.clock() - started
            if attempt >= self.max_attempts or spent + wait > self.deadline:
                raise SyncUnavailable(
                    f"{self.source} did not answer {what} within {self.deadline:g} s "
                    f"({attempt} attempt{'s' if attempt > 1 else ''}; last: "
                    f"{_describe(failure)})",
                    source=self.source,
                    hint="try again later, or raise sync_deadline_seconds",
                )
            self.retries[failure.kind] = self.retries.get(failure.kind, 0) + 1
            self.waited += wait
            self.sleep(wait)

    def _stop_if_final(self, failure: Failure, *, what: str) -> None:
        if failure.kind == "auth":
            refused = "refused the credential" if failure.status == 401 else "denied access"
            raise SyncAuthError(
                f"{self.source} {refused} ({_describe(failure)}) {what}",
                source=self.source,
                credential=self.credential,
                hint=f"fix the credential: {self.credential}",
            )
        if failure.kind == "quota":
            raise SyncUnavailable(
                f"{self.source} refused {what}: {_describe(failure)}",
                source=self.source,
                hint="the API limit resets later; sync again then",
            )
        if failure.kind == "client":
            raise SyncError(
                f"{self.source} rejected {what} ({_describe(failure)})",
                source=self.source,
                hint="this is a bug in the connector or an API change: please report it",
            )


def _describe(failure: Failure) -> str:
    parts = [f"HTTP {failure.status}" if failure.status else failure.kind]
    if failure.detail:
        parts.append(failure.detail)
    return ", ".join(parts)
