"""Deliver with retries: exponential backoff, every attempt kept, failures returned, not hidden.

A channel's ``send()`` raises `DeliveryError` saying whether trying again can
help (``retry``): a refused connection, a timeout, an SMTP 4xx or an HTTP 5xx
can; a wrong password or a revoked webhook cannot, so those stop at once
rather than hammering the server. `deliver` returns a `DeliveryResult` with
one `Attempt` per try (when, outcome, error, the wait that followed); it never
raises for a failed delivery, so the caller always has something to record
and report.

The waits are ``base * factor ** (n - 1)`` after the n-th failed attempt,
capped at ``max_seconds`` (a server's ``Retry-After`` is honoured up to the
same cap). ``sleep`` is injectable so tests never wait.

>>> RetryPolicy(attempts=4, base_seconds=2).delays()
[2.0, 4.0, 8.0]
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coparent.errors import DeliveryError

__all__ = [
    "Attempt",
    "DeliveryError",
    "DeliveryResult",
    "RetryPolicy",
    "deliver",
    "smtp_failure",
]


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts in all, and the exponential waits between them."""

    attempts: int = 4
    base_seconds: float = 2.0
    factor: float = 2.0
    max_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_seconds < 0 or self.factor < 1:
            raise ValueError(f"not a usable retry policy: {self}")

    def delay(self, failed: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failed``-th attempt failed (1-based)."""
        wait = self.base_seconds * self.factor ** (failed - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_seconds)

    def delays(self) -> list[float]:
        return [self.delay(n) for n in range(1, self.attempts)]


@dataclass(frozen=True)
class Attempt:
    """One try: its number, when it started, whether it worked, and what went wrong."""

    number: int
    at: datetime
    ok: bool
    error: str = ""
    retry: bool = False
    wait_seconds: float = 0.0
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at.isoformat(),
            "ok": self.ok,
            "error": self.error,
            "retry": self.retry,
            "wait_seconds": self.wait_seconds,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class DeliveryResult:
    """What happened on one channel; ``error`` is the last attempt's error when it failed."""

    channel: str
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].ok

    @property
    def error(self) -> str:
        return "" if self.ok or not self.attempts else self.attempts[-1].error


def _now() -> datetime:
    return datetime.now(UTC)


def deliver(
    channel: str,
    send: Callable[[], None],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = _now,
    on_attempt: Callable[[Attempt], None] | None = None,
) -> DeliveryResult:
    """Call ``send()`` until it works, a failure cannot be retried, or attempts run out.

    ``on_attempt`` sees every attempt as it ends (to record progress). An
    exception other than `DeliveryError` is a failure too (not retried): it is
    reported with its type rather than lost.
    """
    attempts: list[Attempt] = []
    for number in range(1, policy.attempts + 1):
        started = clock()
        try:
            send()
        except DeliveryError as exc:
            error, retry, retry_after, hint = exc.message, exc.retry, exc.retry_after, exc.hint
        except Exception as exc:  # report anything, never lose a failure
            error, retry, retry_after = f"unexpected {type(exc).__name__}: {exc}", False, None
            hint = ""
        else:
            attempt = Attempt(number, started, ok=True)
            attempts.append(attempt)
            if on_attempt is not None:
                on_attempt(attempt)
            break
        last = number == policy.attempts or not retry
        wait = 0.0 if last else policy.delay(number, retry_after)
        attempt = Attempt(
            number, started, ok=False, error=error, retry=retry, wait_seconds=wait, hint=hint
        )
        attempts.append(attempt)
        if on_attempt is not None:
            on_attempt(attempt)
        if last:
            break
        sleep(wait)
    return DeliveryResult(channel, tuple(attempts))


def smtp_failure(exc: BaseException, *, host: str, port: int) -> DeliveryError:
    """Classify an error from sending mail: can another attempt help, and what to check."""
    where = f"the SMTP server {host}:{port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(
            f"{where} refused the login ({exc.smtp_code} {_text(exc.smtp_error)})",
            retry=False,
            hint="check smtp_user and smtp_password",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(
            f"{where} does not support what was asked ({exc})",
            retry=False,
            hint="check smtp_use_tls / smtp_use_ssl against what the server offers",
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        refused = ", ".join(sorted(exc.recipients))
        return DeliveryError(
            f"{where} refused every recipient ({refused})",
            retry=all(400 <= c < 500 for c in codes),
            hint="check digest_recipients",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return DeliveryError(
            f"{where} answered {code} {_text(exc.smtp_error)}",
            retry=code < 500 or code >= 600,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"{where} closed the connection ({exc})", retry=True)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(
            f"TLS with {where} failed ({exc})",
            retry=False,
            hint="check smtp_use_tls / smtp_use_ssl and the port (587 for STARTTLS, 465 for SSL)",
        )
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"no answer from {where} in time ({exc})", retry=True)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        return DeliveryError(f"cannot connect to {where}: {reason}", retry=True)
    if isinstance(exc, smtplib.SMTPException):
        return DeliveryError(f"{where}: {exc}", retry=True)
    return DeliveryError(f"sending mail failed: {type(exc).__name__}: {exc}", retry=False)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
