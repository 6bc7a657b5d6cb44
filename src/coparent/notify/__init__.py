"""The weekly digest and notifications: rendering (text, HTML, Slack), delivery with retries.

Pure core: it takes plain data (report dicts, lists of wins, pairs and
queues) and never imports Django, the web apps, the wins engine or pairing;
`coparent.web.digest` gathers the data and records deliveries.

    digest = digest_build(week="2026-W48", company="Acme", ...)   # sections in order
    render_text(digest)      # the --preview and the email's text part
    render_html(digest)      # the email's HTML part (inline styles, escaped)
    slack_payload(digest)    # an incoming-webhook message within Slack's limits
    deliver("slack", lambda: slack_post(url, payload, timeout=10), policy=RetryPolicy())
    message_text(Message(notices=(Notice("MQL to review", "Lead L1"),)))   # a notification
"""

from __future__ import annotations

from coparent.notify.delivery import (
    Attempt,
    DeliveryError,
    DeliveryResult,
    RetryPolicy,
    deliver,
    smtp_failure,
)
from coparent.notify.digest import (
    SECTION_ORDER,
    Digest,
    DigestError,
    Group,
    Item,
    Section,
    iso_week,
    parse_week,
    week_bounds,
)
from coparent.notify.notices import (
    SLACK_MEMBER_ID,
    Message,
    Notice,
    message_slack,
    message_subject,
    message_text,
)
from coparent.notify.render import render_html, render_text
from coparent.notify.sections import Missing, digest_build
from coparent.notify.slack import slack_payload, slack_post, webhook_label

__all__ = [
    "SECTION_ORDER",
    "SLACK_MEMBER_ID",
    "Attempt",
    "DeliveryError",
    "DeliveryResult",
    "Digest",
    "DigestError",
    "Group",
    "Item",
    "Message",
    "Missing",
    "Notice",
    "RetryPolicy",
    "Section",
    "deliver",
    "digest_build",
    "iso_week",
    "message_slack",
    "message_subject",
    "message_text",
    "parse_week",
    "render_html",
    "render_text",
    "slack_payload",
    "slack_post",
    "smtp_failure",
    "webhook_label",
    "week_bounds",
]
