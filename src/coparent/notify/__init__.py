"""The weekly digest: rendering (text, HTML, Slack) and delivery with retries."""

from __future__ import annotations
