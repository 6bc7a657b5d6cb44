"""Links from a number to the rows behind it (`coparent.app.lists.links`).

``{% scorecard_rows data "win_rate" as link %}``, ``{% bridge_rows data f.factor
"current" as link %}`` and ``{% segment_rows "mqls" r.period by="product" segment=s.segment
rows=s.mqls as link %}`` find the rows; ``{% drill link text %}`` writes the figure
``text`` as a link to them, with the count the page's report gives for them in
``data-rows`` (and the amount in ``data-amount``), or the text alone when there
is nothing to open. URLs are built with `reverse` and `urlencode`, so no stored
value (a product id with a "/", a channel with "&") can break a page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coparent.app.lists.links import (
    RowsLink,
    bridge_link,
    moved_links,
    scorecard_link,
    segment_link,
)

register = template.Library()


@register.simple_tag
def scorecard_rows(report: Any, name: str, part: str = "numerator") -> RowsLink | None:
    return scorecard_link(report, name, part=part)  # type: ignore[arg-type]


@register.simple_tag
def bridge_rows(report: Any, factor: str, side: str, segment: Any = None) -> RowsLink | None:
    return bridge_link(report, factor, side, segment=None if segment is None else str(segment))


@register.simple_tag
def moved_rows(report: Any, segment: Any) -> list[dict[str, Any]]:
    return moved_links(report, str(segment))


@register.simple_tag
def segment_rows(
    name: str,
    period: Any,
    part: str = "numerator",
    by: str | None = None,
    segment: Any = None,
    rows: Any = None,
    amount: Any = None,
    category: str | None = None,
    as_of: Any = None,
) -> RowsLink | None:
    if by and segment in (None, ""):
        segment = "(none)"
    return segment_link(
        name,
        None if period is None else str(period),
        part=part,  # type: ignore[arg-type]
        by=by or None,
        segment=segment,
        rows=rows,
        amount=amount,
        category=category or None,
        as_of=str(as_of) if as_of else None,
    )


@register.filter
def rows_url(link: RowsLink | None) -> str:
    """The list page of ``link`` ('' for none)."""
    if link is None:
        return ""
    return reverse("lists:rows", args=[link.metric]) + "?" + urlencode(link.params())


@register.simple_tag
def drill(link: RowsLink | None, text: Any) -> SafeString:
    """``text`` as a link to the rows behind it, carrying their count; plain without rows."""
    if link is None:
        return format_html("{}", text)
    amount = "" if link.amount is None else repr(float(link.amount))
    title = "open the row" if link.rows == 1 else f"open the {link.rows:,} rows"
    return format_html(
        '<a class="drill" href="{}" data-rows="{}" data-amount="{}" title="{}">{}</a>',
        rows_url(link),
        link.rows,
        amount,
        title,
        text,
    )
