"""Notifications as messages: what waits for one person (or a channel), as email text or Slack.

Pure core, like the digest's renderers: it takes plain data and never
imports Django. `coparent.app.notifications` turns its queue rows into a
`Message` and delivers it with `coparent.notify.deliver`.

A `Message` holds one or more `Notice` (one line each: an MQL to review, an
item waiting for an answer, a reminder, a kudos...). One notice reads as
itself; several (a daily summary, or what piled up between two runs) read
as a list under one subject. Text people typed is escaped for Slack, so a
feedback title cannot ping ``<!channel>`` or hide a link; the Slack member id
of the recipient is mentioned as ``<@U0123ABC>`` so Slack notifies them.

>>> m = Message(notices=(Notice("MQL to review", "Lead L1 (webinar)"),), name="Ana")
>>> message_subject(m)
'MQL to review: Lead L1 (webinar)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from coparent.notify.slack import MAX_FALLBACK_CHARS, MAX_SECTION_CHARS, mrkdwn_escape

__all__ = [
    "MAX_NOTICES_SLACK",
    "SLACK_MEMBER_ID",
    "Message",
    "Notice",
    "message_slack",
    "message_subject",
    "message_text",
]

MAX_NOTICES_SLACK = 20
"""Notices listed in one Slack message; the rest are counted (the email lists them all)."""

SLACK_MEMBER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
"""A Slack member id as Slack shows it in a profile ("Copy member ID"), e.g. U024BE7LH."""

_MAX_SUBJECT = 150


@dataclass(frozen=True)
class Notice:
    """One thing to tell: a short heading ("MQL to review"), its line, more, a link."""

    heading: str
    text: str
    detail: str = ""
    path: str = ""
    """Path in the web app (``/feedback/12/``); a link when the app's address is known."""


@dataclass(frozen=True)
class Message:
    """What one recipient (or channel, ``name`` empty) is told in one email or Slack post."""

    notices: tuple[Notice, ...]
    name: str = ""
    company: str = ""
    summary: bool = False
    """A daily summary (rather than sent as things happen)."""
    app_url: str = ""
    mention: str = ""
    """The recipient's Slack member id, mentioned so Slack notifies them."""
    profile_path: str = "/accounts/profile/"

    def link(self, path: str) -> str:
        return self.app_url.rstrip("/") + path if self.app_url and path else ""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _count(n: int) -> str:
    return f"{n} thing{'' if n == 1 else 's'}"


def message_subject(message: Message) -> str:
    """One line: the notice itself, or how many things wait (a daily summary says so)."""
    prefix = f"{message.company}: " if message.company else ""
    n = len(message.notices)
    if message.summary:
        text = f"{prefix}your daily summary, {_count(n)} for you"
    elif n == 1:
        only = message.notices[0]
        text = f"{prefix}{only.heading}: {only.text}"
    else:
        text = f"{prefix}{_count(n)} for you"
    return _cut(" ".join(text.split()), _MAX_SUBJECT)


def message_text(message: Message) -> str:
    """The plain-text email: a greeting, one paragraph per notice, where to change preferences."""
    lines = [f"Hello {message.name}," if message.name else "Hello,", ""]
    n = len(message.notices)
    if message.summary:
        lines += [f"Your daily summary: {_count(n)} for you.", ""]
    elif n > 1:
        lines += [f"{_count(n).capitalize()} for you.", ""]
    for notice in message.notices:
        lines.append(f"- {notice.heading}: {notice.text}")
        if notice.detail:
            lines.append(f"  {notice.detail}")
        if link := message.link(notice.path):
            lines.append(f"  {link}")
    lines.append("")
    where = message.link(message.profile_path) or "your profile page in the app"
    lines.append(f"You get these because you act for your team. Change how, or stop: {where}")
    return "\n".join(lines) + "\n"


def _slack_line(message: Message, notice: Notice) -> str:
    line = f"*{mrkdwn_escape(notice.heading)}*: {mrkdwn_escape(notice.text)}"
    if notice.detail:
        line += f"\n{mrkdwn_escape(notice.detail)}"
    if link := message.link(notice.path):
        line += f"\n<{mrkdwn_escape(link)}|open in the app>"
    return _cut(line, MAX_SECTION_CHARS)


def message_slack(message: Message) -> dict[str, Any]:
    """An incoming-webhook payload; it mentions the recipient when their member id is known."""
    mention = f"<@{message.mention}> " if SLACK_MEMBER_ID.match(message.mention) else ""
    n = len(message.notices)
    if message.summary:
        head = f"{mention}your daily summary: {_count(n)} for you"
    elif n == 1:
        head = f"{mention}{mrkdwn_escape(message.notices[0].heading)}"
    else:
        head = f"{mention}{_count(n)} for you"
    shown = message.notices[:MAX_NOTICES_SLACK]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(head, MAX_SECTION_CHARS)}}
    ]
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_line(message, x)}}
        for x in shown
    ]
    if n > len(shown):
        more = f"... and {n - len(shown)} more (the app lists them all)"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    first = message.notices[0] if message.notices else Notice("", "")
    fallback = head if n != 1 else f"{head}: {mrkdwn_escape(first.text)}"
    return {
        "text": _cut(fallback, MAX_FALLBACK_CHARS),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
