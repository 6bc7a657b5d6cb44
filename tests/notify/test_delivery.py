"""Retries with exponential backoff: every attempt kept, permanent errors stop early."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from coparent.notify import DeliveryError, RetryPolicy, deliver, smtp_failure


def _failing(times: int, *, retry: bool = True) -> tuple[Callable[[], None], list[int]]:
    calls: list[int] = []

    def send() -> None:
        calls.append(1)
        if len(calls) <= times:
            raise DeliveryError(f"boom {len(calls)}", retry=retry)

    return send, calls


def test_waits_double_after_each_failure_up_to_the_cap() -> None:
    assert RetryPolicy(attempts=5, base_seconds=2).delays() == [2, 4, 8, 16]
    assert RetryPolicy(attempts=4, base_seconds=100, max_seconds=150).delays() == [100, 150, 150]
    assert RetryPolicy(attempts=1).delays() == []
    assert RetryPolicy(base_seconds=1).delay(1, retry_after=30) == 30


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(attempts=0)


def test_transient_failures_are_retried_until_it_works() -> None:
    send, calls = _failing(2)
    waits: list[float] = []
    seen = []
    result = deliver(
        "slack",
        send,
        policy=RetryPolicy(attempts=4, base_seconds=2),
        sleep=waits.append,
        on_attempt=seen.append,
    )
    assert result.ok
    assert result.error == ""
    assert len(calls) == 3
    assert waits == [2, 4]
    assert [(a.number, a.ok, a.error) for a in result.attempts] == [
        (1, False, "boom 1"),
        (2, False, "boom 2"),
        (3, True, ""),
    ]
    assert seen == list(result.attempts)


def test_when_attempts_run_out_the_last_error_is_reported() -> None:
    send, calls = _failing(10)
    waits: list[float] = []
    result = deliver(
        "email", send, policy=RetryPolicy(attempts=3, base_seconds=1), sleep=waits.append
    )
    assert not result.ok
    assert result.error == "boom 3"
    assert len(calls) == 3
    assert waits == [1, 2]
    assert result.attempts[-1].wait_seconds == 0


def test_a_permanent_failure_is_not_retried() -> None:
    send, calls = _failing(10, retry=False)
    waits: list[float] = []
    result = deliver("slack", send, policy=RetryPolicy(attempts=5), sleep=waits.append)
    assert not result.ok
    assert len(calls) == 1
    assert waits == []


def test_an_unexpected_exception_is_reported_not_lost() -> None:
    def send() -> None:
        raise KeyError("payload")

    result = deliver("slack", send, policy=RetryPolicy(attempts=3), sleep=lambda s: None)
    assert not result.ok
    assert result.error == "unexpected KeyError: 'payload'"
    assert len(result.attempts) == 1


def test_attempts_are_stamped_by_the_clock() -> None:
    moment = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    send, _ = _failing(0)
    result = deliver("email", send, policy=RetryPolicy(), clock=lambda: moment)
    assert result.attempts[0].to_dict()["at"] == "2026-11-23T08:00:00+00:00"


@pytest.mark.parametrize(
    ("exc", "retry", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True, "cannot connect to the SMTP"),
        (TimeoutError("timed out"), True, "no answer"),
        (smtplib.SMTPServerDisconnected("gone"), True, "closed the connection"),
        (smtplib.SMTPDataError(451, b"try later"), True, "answered 451 try later"),
        (smtplib.SMTPDataError(554, b"spam"), False, "answered 554 spam"),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False, "refused the login"),
        (
            smtplib.SMTPNotSupportedError("STARTTLS extension not supported"),
            False,
            "does not support",
        ),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}), False, "refused every"),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"busy")}), True, "refused every"),
        (ssl.SSLError("wrong version number"), False, "TLS"),
    ],
)
def test_smtp_errors_are_classified_for_the_retry_policy(
    exc: BaseException, retry: bool, words: str
) -> None:
    failure = smtp_failure(exc, host="mail.example.com", port=587)
    assert failure.retry is retry
    assert words in failure.message
    assert "mail.example.com:587" in failure.message
