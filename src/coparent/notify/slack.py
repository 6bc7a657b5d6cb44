"""The digest as a Slack incoming-webhook message, and the POST that delivers it.

The payload stays inside Slack's documented limits, so Slack never rejects
or silently cuts it: at most `MAX_BLOCKS` blocks, section texts of at most
`MAX_SECTION_CHARS` characters (longer sections are split at line breaks),
a header of at most `MAX_HEADER_CHARS`, and a short ``text`` fallback for
notifications. Text people typed is escaped (``&``, ``<``, ``>``), so a win
story cannot ping ``<!channel>`` or smuggle in a link.

`slack_post` uses only the standard library (http.client, through the
proxy the environment names, as urllib would) and raises `DeliveryError`
saying whether trying again can help: connection problems, timeouts, 429
and 5xx answers can; other 4xx answers (a revoked or mistyped webhook)
cannot. ``timeout`` bounds the whole attempt, not each read: a webhook
that answers a byte at a time is cut off when the time is up, and its
connection closed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from coparent.notify.delivery import DeliveryError
from coparent.notify.digest import Digest, Group, Section

__all__ = [
    "MAX_BLOCKS",
    "MAX_FALLBACK_CHARS",
    "MAX_HEADER_CHARS",
    "MAX_SECTION_CHARS",
    "mrkdwn_escape",
    "slack_payload",
    "slack_post",
    "webhook_label",
]

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000
_MORE = "... (cut to fit Slack; the email and the app have the rest)"


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters.

    >>> mrkdwn_escape("<!channel> R&D <b>")
    '&lt;!channel&gt; R&amp;D &lt;b&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _group_lines(group: Group) -> list[str]:
    out = []
    if group.heading:
        summary = f" ({mrkdwn_escape(group.summary)})" if group.summary else ""
        out.append(f"*{mrkdwn_escape(group.heading)}*{summary}")
    elif group.summary:
        out.append(mrkdwn_escape(group.summary))
    if not group.items and group.empty:
        out.append(mrkdwn_escape(group.empty))
    for item in group.items:
        flag = f"*{mrkdwn_escape(item.flag.upper())}* " if item.flag else ""
        out.append(f"\u2022 {flag}{mrkdwn_escape(item.text)}")
        out += [f"      \u25e6 {mrkdwn_escape(d)}" for d in item.details]
    return out


def _section_lines(number: int, section: Section) -> list[str]:
    lines = [f"*{number}. {mrkdwn_escape(section.title)}*"]
    lines += [mrkdwn_escape(line) for line in section.lines]
    for group in section.groups:
        lines += _group_lines(group)
    if not section.has_content:
        lines.append(mrkdwn_escape(section.empty or "Nothing to show this week."))
        if section.hint:
            lines.append(mrkdwn_escape(f"To fill it: {section.hint}."))
    return lines


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into texts of at most ``limit`` characters, breaking between lines."""
    out: list[str] = []
    current = ""
    for raw in lines:
        line = _cut(raw, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            candidate = line
        current = candidate
    if current:
        out.append(current)
    return out


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def slack_payload(digest: Digest) -> dict[str, Any]:
    """An incoming-webhook payload: header, as-of context, one or more blocks per section."""
    title = digest.title
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(title, MAX_HEADER_CHARS), "emoji": False},
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Numbers as of {digest.as_of:%a %-d %b %Y}. "
                    "Both teams get the same digest."
                    + (f" {mrkdwn_escape(digest.note)}" if digest.note else ""),
                }
            ],
        },
    ]
    body: list[dict[str, Any]] = []
    for number, section in enumerate(digest.sections, start=1):
        body.append({"type": "divider"})
        body += [_mrkdwn(t) for t in _chunks(_section_lines(number, section), MAX_SECTION_CHARS)]
    room = MAX_BLOCKS - len(blocks)
    if len(body) > room:
        body = [
            *body[: room - 1],
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _MORE}]},
        ]
    blocks += body
    headlines = [f"{n}. {s.title}" for n, s in enumerate(digest.sections, start=1)]
    fallback = _cut(mrkdwn_escape(title + ": " + "; ".join(headlines)), MAX_FALLBACK_CHARS)
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def webhook_label(url: str) -> str:
    """Where a webhook points without its secret path: ``slack webhook at hooks.slack.com``."""
    host = urlsplit(url).hostname or "an unknown host"
    return f"slack webhook at {host}"


def slack_post(url: str, payload: dict[str, Any], *, timeout: float) -> None:
    """POST ``payload`` as JSON to an incoming webhook within ``timeout`` seconds in all.

    `DeliveryError` on any failure, and when the answer is not complete in time.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise DeliveryError(
            f"the Slack webhook URL must start with https:// (not {parts.scheme or 'nothing'}://)",
            retry=False,
        )
    where = webhook_label(url)
    conn = _connection(parts.scheme, parts.hostname or "", parts.port, timeout=timeout)
    body = json.dumps(payload).encode("utf-8")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    answer: dict[str, Any] = {}

    def attempt() -> None:
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json; charset=utf-8"})
            response = conn.getresponse()
            answer["status"] = response.status
            answer["retry_after"] = response.getheader("Retry-After")
            answer["body"] = response.read(300) if response.status >= 400 else response.read()
        except BaseException as exc:  # handed to the caller below
            answer["error"] = exc

    started = time.monotonic()
    worker = threading.Thread(target=attempt, name="slack-post", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _cut_off(conn)
        worker.join(5)
        raise DeliveryError(f"no complete answer from the {where} within {timeout:g} s", retry=True)
    conn.close()
    error = answer.get("error")
    if isinstance(error, TimeoutError):
        raise DeliveryError(
            f"no answer from the {where} within {time.monotonic() - started:.3g} s", retry=True
        ) from None
    if isinstance(error, OSError | http.client.HTTPException):
        raise DeliveryError(f"cannot reach the {where}: {error}", retry=True) from None
    if error is not None:
        raise error
    status = int(answer["status"])
    if status >= 400:
        text = bytes(answer["body"]).decode("utf-8", "replace").strip()
        raise DeliveryError(
            f"the {where} answered HTTP {status}" + (f": {text}" if text else ""),
            retry=status == 429 or status >= 500,
            retry_after=_retry_after(answer["retry_after"]) if status == 429 else None,
        )


def _connection(
    scheme: str, host: str, port: int | None, *, timeout: float
) -> http.client.HTTPConnection:
    """A connection to ``host``, through the environment's proxy for ``scheme`` if any."""
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    proxy = urllib.request.getproxies().get(scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        conn = cls(p.hostname or "", p.port, timeout=timeout)
        conn.set_tunnel(host, port)
        return conn
    return cls(host, port, timeout=timeout)


def _cut_off(conn: http.client.HTTPConnection) -> None:
    """Wake a read that is still waiting, and close the connection."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    conn.close()


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
