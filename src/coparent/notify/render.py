"""Render a `Digest` as plain text (the preview and the email's text part) and as HTML email.

The HTML is built for mail clients, not browsers: a single-column table
layout with inline styles only (clients drop ``<style>`` blocks and block
remote content), no images, fonts, scripts or links to fetch, and every piece
of text escaped, because stories, feedback titles and names are typed by
people.
"""

from __future__ import annotations

import textwrap
from html import escape

from coparent.notify.digest import Digest, Group, Item, Section

__all__ = ["render_html", "render_text"]

_WIDTH = 78


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _text_item(item: Item, indent: str) -> list[str]:
    flag = f"[{item.flag.upper()}] " if item.flag else ""
    out = _wrap(flag + item.text, indent + "  ", indent + "- ")
    for detail in item.details:
        out += _wrap(detail, indent + "    ")
    return out


def _text_group(group: Group) -> list[str]:
    out: list[str] = []
    indent = "   "
    if group.heading:
        head = group.heading + (f" ({group.summary})" if group.summary else "")
        out += _wrap(head, "   ")
        indent = "     "
    elif group.summary:
        out += _wrap(group.summary, "   ")
    if not group.items and group.empty:
        out += _wrap(group.empty, indent)
    for item in group.items:
        out += _text_item(item, indent)
    return out


def _text_section(number: int, section: Section) -> list[str]:
    out = [f"{number}. {section.title}"]
    for line in section.lines:
        out += _wrap(line, "   ")
    for group in section.groups:
        out += _text_group(group)
    if not section.has_content:
        out += _wrap(section.empty or "Nothing to show this week.", "   ")
        if section.hint:
            out += _wrap(f"To fill it: {section.hint}.", "   ")
    return out


def render_text(digest: Digest) -> str:
    """The digest as plain text, 78 columns, numbered sections."""
    lines = [digest.title, "=" * min(len(digest.title), _WIDTH), ""]
    lines.append(f"Numbers as of {digest.as_of:%a %-d %b %Y}.")
    if digest.note:
        lines += _wrap(digest.note, "")
    for number, section in enumerate(digest.sections, start=1):
        lines.append("")
        lines += _text_section(number, section)
    lines += ["", "-- ", "Sent by coparent. Both teams get the same digest."]
    return "\n".join(lines) + "\n"


# Inline styles (mail clients ignore <style>); a calm palette, both teams alike.
_BODY = "margin:0;padding:0;background:#f4f5f7;"
_CARD = (
    "max-width:640px;margin:0 auto;background:#ffffff;border:1px solid #dde1e6;"
    "font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45;color:#1f2933;"
)
_H1 = "margin:0 0 4px 0;font-size:20px;font-weight:bold;color:#1f2933;"
_MUTED = "margin:0;color:#616e7c;font-size:12px;"
_H2 = "margin:0 0 8px 0;font-size:16px;font-weight:bold;color:#1f2933;"
_H3 = "margin:8px 0 4px 0;font-size:14px;font-weight:bold;color:#323f4b;"
_P = "margin:0 0 6px 0;"
_EMPTY = "margin:0 0 6px 0;color:#616e7c;font-style:italic;"
_UL = "margin:0 0 6px 0;padding-left:20px;"
_LI = "margin:0 0 4px 0;"
_DETAIL = "color:#616e7c;font-size:13px;"
_FLAG = (
    "display:inline-block;padding:0 6px;margin-right:4px;border-radius:3px;"
    "background:#fce8e6;color:#a61b1b;font-size:11px;font-weight:bold;text-transform:uppercase;"
)
_CELL = "padding:16px 24px;border-top:1px solid #eef0f2;"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _html_items(items: tuple[Item, ...]) -> str:
    parts = []
    for item in items:
        flag = f'<span style="{_FLAG}">{_e(item.flag)}</span>' if item.flag else ""
        details = "".join(f'<br><span style="{_DETAIL}">{_e(d)}</span>' for d in item.details)
        parts.append(f'<li style="{_LI}">{flag}{_e(item.text)}{details}</li>')
    return f'<ul style="{_UL}">{"".join(parts)}</ul>' if parts else ""


def _html_group(group: Group) -> str:
    out = ""
    if group.heading:
        summary = f' <span style="{_DETAIL}">({_e(group.summary)})</span>' if group.summary else ""
        out += f'<p style="{_H3}">{_e(group.heading)}{summary}</p>'
    elif group.summary:
        out += f'<p style="{_P}">{_e(group.summary)}</p>'
    if not group.items and group.empty:
        out += f'<p style="{_EMPTY}">{_e(group.empty)}</p>'
    return out + _html_items(group.items)


def _html_section(section: Section) -> str:
    body = "".join(f'<p style="{_P}">{_e(line)}</p>' for line in section.lines)
    body += "".join(_html_group(g) for g in section.groups)
    if not section.has_content:
        body += f'<p style="{_EMPTY}">{_e(section.empty or "Nothing to show this week.")}</p>'
        if section.hint:
            body += f'<p style="{_DETAIL}">To fill it: {_e(section.hint)}.</p>'
    return (
        f'<tr><td style="{_CELL}" id="digest-{_e(section.key)}">'
        f'<h2 style="{_H2}">{_e(section.title)}</h2>{body}</td></tr>'
    )


def render_html(digest: Digest) -> str:
    """A complete HTML email document: inline styles, no external assets, all text escaped."""
    sections = "".join(_html_section(s) for s in digest.sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(digest.title)}</title></head>"
        f'<body style="{_BODY}">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="{_BODY}"><tr><td style="padding:16px 8px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="{_CARD}">'
        f'<tr><td style="padding:20px 24px;"><h1 style="{_H1}">{_e(digest.title)}</h1>'
        f'<p style="{_MUTED}">Numbers as of {digest.as_of:%a %-d %b %Y}. '
        "Both teams get the same digest.</p>"
        + (f'<p style="{_MUTED}">{_e(digest.note)}</p>' if digest.note else "")
        + "</td></tr>"
        f"{sections}"
        f'<tr><td style="{_CELL}"><p style="{_MUTED}">Sent by coparent.</p></td></tr>'
        "</table></td></tr></table></body></html>\n"
    )
