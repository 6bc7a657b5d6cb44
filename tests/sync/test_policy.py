"""The shared retry and deadline policy, and the connection store, without any server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coparent.errors import SyncAuthError, SyncError, SyncUnavailable
from coparent.sync import CallPolicy, Failure, connection_load, connection_save


class _Refused(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def _classify(exc: BaseException) -> Failure | None:
    return exc.failure if isinstance(exc, _Refused) else None


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _policy(clock: _Clock, **kw: float) -> CallPolicy:
    return CallPolicy(
        "hubspot",
        "COPARENT_HUBSPOT_TOKEN or coparent connect hubspot",
        sleep=clock.sleep,
        clock=lambda: clock.now,
        **kw,  # type: ignore[arg-type]
    )


def _failing(*failures: Failure):  # type: ignore[no-untyped-def]
    queue = list(failures)

    def call() -> str:
        if queue:
            raise _Refused(queue.pop(0))
        return "ok"

    return call


def test_server_errors_back_off_doubling_and_rate_refusals_wait_as_told() -> None:
    clock = _Clock()
    policy = _policy(clock)
    call = _failing(
        Failure("server", 500),
        Failure("network"),
        Failure("server", 502),
        Failure("rate", 429, retry_after=7.0),
        Failure("rate", 429),
    )
    assert policy.call(call, what="x", classify=_classify) == "ok"
    assert clock.waits == [0.5, 1.0, 2.0, 7.0, 10.0]
    assert policy.retries == {"server": 2, "network": 1, "rate": 2}


def test_the_deadline_stops_before_a_wait_that_would_pass_it() -> None:
    clock = _Clock()
    policy = _policy(clock, deadline=12.0)
    call = _failing(*[Failure("server", 503)] * 10)
    with pytest.raises(SyncUnavailable, match=r"within 12 s \(5 attempts; last: HTTP 503\)"):
        policy.call(call, what="listing deals", classify=_classify)
    assert sum(clock.waits) <= 12.0


@pytest.mark.parametrize(
    ("failure", "error", "text"),
    [
        (
            Failure("auth", 401, detail="EXPIRED_AUTHENTICATION"),
            SyncAuthError,
            "refused the credential",
        ),
        (Failure("auth", 403, detail="MISSING_SCOPES"), SyncAuthError, "denied access"),
        (Failure("quota", 429, detail="the daily API limit is reached"), SyncUnavailable, "daily"),
        (Failure("client", 400, detail="bad filter"), SyncError, "rejected"),
    ],
)
def test_final_failures_stop_at_once(failure: Failure, error: type[Exception], text: str) -> None:
    clock = _Clock()
    with pytest.raises(error, match=text) as caught:
        _policy(clock).call(_failing(failure), what="listing deals", classify=_classify)
    assert clock.waits == []
    if isinstance(caught.value, SyncAuthError):
        assert caught.value.credential == "COPARENT_HUBSPOT_TOKEN or coparent connect hubspot"


def test_other_exceptions_pass_through_untouched() -> None:
    def boom() -> None:
        raise KeyError("results")

    with pytest.raises(KeyError):
        _policy(_Clock()).call(boom, what="x", classify=_classify)


def test_the_environment_wins_and_a_secret_readable_by_others_is_refused(tmp_path: Path) -> None:
    connection_save(tmp_path, source="hubspot", secret="stored", base_url="http://127.0.0.1:9")
    env = "COPARENT_HUBSPOT_TOKEN"
    stored = connection_load(tmp_path, source="hubspot", env_var=env, environ={})
    assert (stored.secret, stored.secret_from, stored.base_url) == (
        "stored",
        "workspace",
        "http://127.0.0.1:9",
    )
    assert "stored" not in repr(stored)
    from_env = connection_load(tmp_path, source="hubspot", env_var=env, environ={env: "e"})
    assert (from_env.secret, from_env.secret_from) == ("e", "environment (COPARENT_HUBSPOT_TOKEN)")
    os.chmod(tmp_path / "connections" / "hubspot.secret", 0o644)
    with pytest.raises(SyncError, match="readable by others"):
        connection_load(tmp_path, source="hubspot", env_var=env, environ={})


def _api_error(status: int, body: dict[str, object], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    import json

    from hubspot.crm.objects.exceptions import ApiException

    exc = ApiException(status=status)
    exc.body = json.dumps(body).encode()
    exc.headers = headers or {}
    return exc


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "wait"),
    [
        (429, {"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}, {}, "rate", None),
        (429, {"errorType": "RATE_LIMIT", "policyName": "SECONDLY"}, {}, "rate", 1.0),
        (429, {"errorType": "RATE_LIMIT"}, {"Retry-After": "4"}, "rate", 4.0),
        (429, {"errorType": "RATE_LIMIT", "policyName": "DAILY"}, {}, "quota", None),
        (403, {"category": "MISSING_SCOPES"}, {}, "auth", None),
        (403, {"category": "RATE_LIMITS"}, {}, "rate", None),
        (401, {"category": "EXPIRED_AUTHENTICATION"}, {}, "auth", None),
        (502, {}, {}, "server", None),
        (400, {"message": "bad filter"}, {}, "client", None),
    ],
)
def test_hubspot_refusals_map_to_the_policy_s_failures(
    status: int, body: dict[str, object], headers: dict[str, str], kind: str, wait: float | None
) -> None:
    from coparent.sync.hubspot import classify

    failure = classify(_api_error(status, body, headers))
    assert failure is not None
    assert (failure.kind, failure.status, failure.retry_after) == (kind, status, wait)


def test_network_errors_are_retried_and_other_exceptions_are_not_hubspot_s() -> None:
    import urllib3.exceptions

    from coparent.sync.hubspot import classify

    failure = classify(urllib3.exceptions.MaxRetryError(None, "/crm", None))  # type: ignore[arg-type]
    assert failure is not None
    assert failure.kind == "network"
    assert classify(ValueError("x")) is None
    import json

    cut = classify(json.JSONDecodeError("Expecting value", "<html>", 0))
    assert cut is not None
    assert cut.kind == "server"
