"""The picker form asks for exactly the view it shows, on every page that has one.

Its ``hx-get`` and ``action`` are the page's path without a query: an empty
``hx-get`` makes htmx use ``location.href`` and append the fields to it, so each
change piled its parameters onto the last ones (``?period=A&period=B``). The
browser side (pushed URL, reload, charts) is in tests/browser/test_pickers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

PAGES = ["/", "/diagnosis/", "/funnel/", "/products/", "/products/insight-cloud/"]


class _Page(HTMLParser):
    """The picker form's attributes, its selects (options, chosen value), the h1, the scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.form: dict[str, str | None] = {}
        self.fields: list[str] = []
        self.options: dict[str, list[str]] = {}
        self.chosen: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.h1 = ""
        self._select: str | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and "pickers" in (a.get("class") or "").split():
            self.form = a
        elif tag == "select" and self.form:
            self._select = a.get("name") or ""
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self.options.setdefault(self._select, []).append(a.get("value") or "")
            if self._select not in self.chosen or "selected" in a:
                self.chosen[self._select] = a.get("value") or ""
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def _get(client: Client, url: str, *, htmx: bool = False) -> _Page:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    page = _Page()
    page.feed(response.content.decode())
    page.close()
    return page


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "swap"])
def test_the_picker_form_asks_its_own_path_with_exactly_the_view_it_shows(
    workspace: Path, login: Callable[[str], Client], path: str, htmx: bool
) -> None:
    client = login("viewer")
    periods = _get(client, path).options["period"]
    assert len(periods) >= 2, periods
    # A URL such as the broken pickers left behind: every value twice, the last one wins.
    messy = f"{path}?{urlencode([('period', periods[0]), ('period', periods[1])])}"
    page = _get(client, messy, htmx=htmx)

    assert page.form["action"] == path
    assert page.form["hx-get"] == path
    assert page.form["hx-push-url"] == "true"
    assert page.form["hx-target"] == "#page-body"
    assert len(page.fields) == len(set(page.fields)), page.fields
    assert page.chosen["period"] == periods[1]
    assert periods[1] in page.h1

    # What htmx will ask for (pickers.js drops empty fields) shows the same view.
    view = {name: value for name, value in page.chosen.items() if value}
    again = _get(client, f"{path}?{urlencode(view)}", htmx=htmx)
    assert (again.chosen, again.h1) == (page.chosen, page.h1)


@pytest.mark.parametrize(
    ("path", "view"),
    [
        ("/diagnosis/", {"against": "last-year", "by": "channel"}),
        ("/funnel/", {"by": "channel"}),
    ],
)
def test_the_other_pickers_show_what_the_url_asks_for(
    workspace: Path, login: Callable[[str], Client], path: str, view: dict[str, str]
) -> None:
    page = _get(login("viewer"), f"{path}?{urlencode(view)}", htmx=True)
    assert {name: page.chosen[name] for name in view} == view


@pytest.mark.parametrize("path", PAGES)
def test_pages_with_pickers_load_their_scripts_from_static_files_only(
    workspace: Path, login: Callable[[str], Client], path: str
) -> None:
    page = _get(login("viewer"), path)
    sources = [script.get("src") for script in page.scripts]
    assert None not in sources, "an inline <script> (the CSP will forbid it)"
    for name in ("coparent/charts.js", "coparent/pickers.js", "plotly/plotly.min.js"):
        assert any((src or "").endswith(name) for src in sources), name
        assert finders.find(name), name
