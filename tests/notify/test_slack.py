"""The Slack message: within Slack's limits, escaped, posted with retry-aware errors."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from coparent.notify import DeliveryError, slack_payload, slack_post, webhook_label
from coparent.notify.slack import MAX_BLOCKS, MAX_HEADER_CHARS, MAX_SECTION_CHARS
from tests.notify.samples import WINS, sample_digest
from tests.notify.servers import free_port, webhook_receiver


def _texts(payload: dict) -> list[str]:  # type: ignore[type-arg]
    out = []
    for block in payload["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", [])]
    return out


def _within_limits(payload: dict) -> None:  # type: ignore[type-arg]
    blocks = payload["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert blocks[0]["type"] == "header"
    assert len(blocks[0]["text"]["text"]) <= MAX_HEADER_CHARS
    for block in blocks:
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION_CHARS
    assert 0 < len(payload["text"]) <= 3000
    assert len(json.dumps(payload)) < 200_000


def test_the_payload_has_every_section_and_stays_within_limits() -> None:
    payload = slack_payload(sample_digest())
    _within_limits(payload)
    joined = "\n".join(_texts(payload))
    for title in (
        "*1. Scorecard 2026-Q3*",
        "*2. Diagnosis*",
        "*3. Wins to celebrate*",
        "*4. Waiting for an answer*",
        "*5. Starter projects*",
        "*6. This week",
    ):
        assert title in joined
    assert "Credited: Ana Rep (Sales), Bo Webinar (Marketing)" in joined


def test_people_text_cannot_ping_the_channel_or_inject_links() -> None:
    evil = [{**WINS[0], "story": "<!channel> see <https://evil.example|this> & more"}]
    payload = slack_payload(sample_digest(wins=evil, company="<!here> Acme"))
    joined = "\n".join(_texts(payload))
    assert "<!channel>" not in joined
    assert "<https://" not in joined
    assert "&lt;!channel&gt; see &lt;https://evil.example|this&gt; &amp; more" in joined
    assert "<!here>" not in payload["text"]


def test_a_huge_digest_is_split_and_cut_to_slack_limits() -> None:
    long_story = "x" * 5000
    many = [{**WINS[0], "story": f"{i} {long_story}"} for i in range(8)]
    pairs = [
        {
            "members": [{"person_id": str(i), "name": "n" * 200, "team": "sales"}],
            "agenda": ["a" * 2900] * 20,
        }
        for i in range(60)
    ]
    payload = slack_payload(sample_digest(wins=many, pairs=pairs, company="C" * 400))
    _within_limits(payload)
    assert len(payload["blocks"]) == MAX_BLOCKS
    assert "cut to fit Slack" in payload["blocks"][-1]["elements"][0]["text"]


def test_a_webhook_that_answers_ok_receives_the_json_payload() -> None:
    payload = slack_payload(sample_digest())
    with webhook_receiver() as hook:
        slack_post(hook.url, payload, timeout=5)
    assert hook.payloads == [payload]
    assert hook.requests[0]["headers"]["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("status", "retry"), [(500, True), (503, True), (429, True), (404, False), (403, False)]
)
def test_an_error_answer_says_whether_trying_again_can_help(status: int, retry: bool) -> None:
    with webhook_receiver([status]) as hook, pytest.raises(DeliveryError) as caught:
        slack_post(hook.url, {"text": "hi"}, timeout=5)
    assert caught.value.retry is retry
    assert f"HTTP {status}" in caught.value.message
    assert "secret" not in caught.value.message  # the URL's path is the credential


def test_nobody_listening_is_a_failure_worth_retrying() -> None:
    with pytest.raises(DeliveryError, match="cannot reach") as caught:
        slack_post(f"http://127.0.0.1:{free_port()}/hook", {"text": "hi"}, timeout=2)
    assert caught.value.retry


def test_only_http_urls_are_posted_to() -> None:
    with pytest.raises(DeliveryError, match="https://") as caught:
        slack_post("file:///etc/passwd", {"text": "hi"}, timeout=1)
    assert not caught.value.retry


def test_the_webhook_label_hides_the_secret_path() -> None:
    assert webhook_label("https://hooks.slack.com/services/T0/B0/XYZ") == (
        "slack webhook at hooks.slack.com"
    )


@pytest.mark.parametrize("drip", ["headers", "body"])
def test_the_timeout_bounds_the_whole_send_even_when_the_webhook_drips(drip: str) -> None:
    """A webhook answering a byte every 0.2 s would keep a per-read timeout happy forever."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + b"x" * 400
    start_at = 0 if drip == "headers" else answer.index(b"\r\n\r\n") + 4
    closed = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer[:start_at])
                try:
                    for i in range(start_at, len(answer)):
                        conn.sendall(answer[i : i + 1])
                        time.sleep(0.2)
                except OSError:
                    closed.set()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="no complete answer") as caught:
            slack_post(
                f"http://127.0.0.1:{server.getsockname()[1]}/hook", {"text": "hi"}, timeout=1
            )
        assert time.monotonic() - started < 2.5
        assert caught.value.retry
        thread.join(5)
    assert closed.is_set()  # the connection was cut, not left to drip on
