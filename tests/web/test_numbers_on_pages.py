"""Every number a fact page shows comes out of the one formatter, `coparent.metrics.display`.

Two guards. The templates use no number filter of Django's own (``floatformat``
and friends round their own way). And the pages, rendered with the formatter
marking what it returns, show no digit outside a marked span, apart from the
dates and period names a page is about: a template printing ``{{ x.rate }}``
raw, a view building ``f"{share:.1%}"``, a chart title made by hand all fail
here.

Left out, each for a reason: the scripts (the charts draw their own axes; their
titles go through the formatter, `tests/charts`), the wins feed (stories are
written when the wins engine runs, and stored).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from coparent.metrics import display
from tests.conftest import REPO

START, END = "\ue000", "\ue001"
TEMPLATES = REPO / "src" / "coparent" / "web" / "templates"
_NUMBER_FILTERS = re.compile(r"\|\s*(floatformat|stringformat|widthratio|intcomma|filesizeformat)")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_NOT_FIGURES = (
    r"\bFY\d{4}(-Q[1-4])?\b",  # periods and dates are what a page is about, not figures
    r"\b\d{4}-(Q[1-4]|W\d{2}|\d{2}(-\d{2})?)\b",
    rf"\b\d{{1,2}} ({_MONTHS}) \d{{4}}\b",
    rf"\b\d{{1,2}} ({_MONTHS})\b",
    r"\b(19|20)\d{2}\b",
    r"\b[Ll]ast \d+ (days|months)\b",  # fixed windows, terms of the page
)
_SKIPPED_BLOCKS = ("latest-wins",)


def _marked(text: str) -> str:
    return f"{START}{text}{END}"


@pytest.fixture
def marking(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The formatter marks what it returns; caches are emptied so every figure is formatted anew."""
    monkeypatch.setattr(display, "_done", _marked)
    cache.clear()
    yield
    cache.clear()


def _drop_block(html: str, block_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{block_id}"', html)
    if found is None:
        return html
    close = html.find(f"</{found.group(1)}>", found.end())
    return html[: found.start()] + html[close:]


def unformatted_numbers(html: str) -> list[str]:
    """The digits a person sees on ``html`` that the formatter did not produce."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    for block in _SKIPPED_BLOCKS:
        html = _drop_block(html, block)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(f"{START}.*?{END}", " ", text, flags=re.S)
    for pattern in _NOT_FIGURES:
        text = re.sub(pattern, " ", text)
    return re.findall(r"\S*\d\S*", text)


def test_the_page_scan_catches_a_number_formatted_elsewhere() -> None:
    page = f"<p>Won {_marked('$912,973')} in 2026-Q3, 30 Sep 2026; win rate 29.3%</p>"
    assert unformatted_numbers(page) == ["29.3%"]
    assert unformatted_numbers("<script>var x = 12;</script><p>2026-W40</p>") == []


def test_no_template_rounds_numbers_its_own_way() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in _NUMBER_FILTERS.finditer(path.read_text())
    ]
    assert not found, f"format numbers with the coparent filters (money, pct, num, dec): {found}"


PAGES: list[tuple[str, dict[str, str]]] = [
    ("dashboards:scorecard", {}),
    ("dashboards:scorecard", {"period": "2026-Q2"}),
    ("dashboards:funnel", {}),
    ("dashboards:funnel", {"by": "channel"}),
    ("dashboards:funnel", {"by": "month", "period": "2026"}),
    ("dashboards:products", {}),
    ("dashboards:product", {"product_id": "insight-cloud"}),
    ("dashboards:diagnosis", {}),
    ("dashboards:diagnosis", {"by": "channel", "against": "last-year"}),
    ("attribution:home", {"period": "2026-Q3"}),
    # by=campaign is left out: campaign names are data and carry digits ("Q3 FY26 webinar").
    ("attribution:home", {"period": "2026-Q3", "model": "markov"}),
]


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_every_number_on_a_fact_page_comes_from_the_formatter(
    workspace: Path,
    login: Callable[[str], Client],
    marking: None,
    name: str,
    params: dict[str, str],
) -> None:
    kwargs = {"product_id": params.pop("product_id")} if "product_id" in params else {}
    response = login("owner").get(reverse(name, kwargs=kwargs), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert START in html, "nothing was formatted: the marking did not reach the page"
    assert unformatted_numbers(html) == [], name
