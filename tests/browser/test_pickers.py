"""Pickers keep the URL right and charts redraw cleanly after each HTMX swap (issue 12, item 8).

After every picker change the address bar must name exactly the view on screen
(one value per parameter), a reload and a shared link must show that same view,
and no chart text may stray out of its chart or over the tables and headings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

PICKERS = "#page-body form.pickers"

# Every chart text Plotly draws, and the page elements it must never cover.
CHART_TEXT_PROBLEMS = """() => {
  const box = e => e.getBoundingClientRect();
  const meets = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const within = (a, b) =>
    a.left >= b.left - 1 && a.top >= b.top - 1 &&
    a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
  const body = document.querySelector('#page-body');
  const plots = Array.from(body.querySelectorAll('.plotly-graph-div'));
  const others = Array.from(body.querySelectorAll(
    'h1, h2, h3, p, ul, table, form, .kpi, .empty, .status'
  )).filter(o => !plots.some(p => p.contains(o) || o.contains(p)));
  const problems = [];
  for (const plot of plots) {
    const frame = box(plot.closest('.chart') || plot);
    const texts = plot.querySelectorAll(
      '.gtitle, .g-xtitle text, .g-ytitle text, .xtick text, .ytick text, ' +
      '.annotation-text, .legendtext'
    );
    for (const t of texts) {
      const r = box(t);
      if (r.width === 0 || r.height === 0) continue;
      const what = `#${plot.id} "${t.textContent}"`;
      if (!within(r, frame)) problems.push(`${what} leaves its chart`);
      for (const o of others) {
        const name = `<${o.tagName.toLowerCase()}> "${o.textContent.trim().slice(0, 40)}"`;
        if (meets(r, box(o))) problems.push(`${what} covers ${name}`);
      }
    }
  }
  return problems;
}"""

SETTLED = """() => document.readyState === 'complete'
  && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
  && Array.from(document.querySelectorAll('#page-body .plotly-graph-div'))
       .every(d => d.querySelector('.main-svg'))"""


def _settle(page: Page) -> None:
    page.wait_for_function(SETTLED)


def _selected(page: Page) -> dict[str, str]:
    """The view the pickers show: each select's name and chosen value."""
    view: dict[str, str] = page.eval_on_selector_all(
        f"{PICKERS} select", "els => Object.fromEntries(els.map(e => [e.name, e.value]))"
    )
    return view


def _options(page: Page, name: str) -> list[str]:
    values: list[str] = page.eval_on_selector_all(
        f"{PICKERS} select[name={name}] option", "els => els.map(e => e.value)"
    )
    return values


def _headline(page: Page) -> str:
    """The page's title and its first statement: what a reader takes from the view."""
    first = page.locator("#page-body :is(.headline, .empty strong, h2)").first
    return f"{page.inner_text('#page-body h1')} | {first.inner_text()}"


def _assert_the_url_is_the_view(url: str, view: dict[str, str]) -> None:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    repeated = {key: values for key, values in query.items() if len(values) > 1}
    assert not repeated, f"repeated parameters in {url}"
    shown = {key: values[0] for key, values in query.items()}
    assert shown == {key: value for key, value in view.items() if value}, url


def _assert_charts_stay_in_place(page: Page, step: str) -> None:
    problems: list[str] = page.evaluate(CHART_TEXT_PROBLEMS)
    assert problems == [], f"after {step}: {problems[:5]}"


def _steps(page: Page) -> list[tuple[str, str]]:
    """Another period, every value of the other pickers, a third period, the first again."""
    periods = _options(page, "period")
    assert len(periods) >= 3, periods
    steps = [("period", periods[1])]
    for name in _selected(page):
        if name != "period":
            steps += [(name, value) for value in reversed(_options(page, name))]
    return [*steps, ("period", periods[2]), ("period", periods[0])]


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, (url, response.status)
    _settle(page)


def _walk_the_pickers(page: Page, path: str, name: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _open(page, path)
    _assert_charts_stay_in_place(page, "the first load")
    shared = page.context.new_page()
    for number, (picker, value) in enumerate(_steps(page)):
        step = f"{picker}={value!r} (step {number})"
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as swap:
            page.select_option(f"{PICKERS} select[name={picker}]", value)
        assert swap.value.ok, (step, swap.value.status)
        _settle(page)
        view = _selected(page)
        assert view[picker] == value, step
        _assert_the_url_is_the_view(page.url, view)
        _assert_charts_stay_in_place(page, step)
        headline = _headline(page)

        _open(shared, page.url)  # a link shared at this moment
        assert _selected(shared) == view, step
        assert _headline(shared) == headline, step
        _assert_charts_stay_in_place(shared, f"opening the link after {step}")

    view, headline, url = _selected(page), _headline(page), page.url
    page.reload()
    _settle(page)
    assert (page.url, _selected(page), _headline(page)) == (url, view, headline)
    _assert_charts_stay_in_place(page, "the reload")
    shot(page, f"pickers-{name}")
    shared.close()
    assert errors == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("/diagnosis/", "diagnosis"), ("/funnel/", "funnel"), ("/", "scorecard")],
)
def test_each_picker_change_puts_the_view_in_the_url_and_redraws_the_charts_cleanly(
    page: Page, app: str, sign_in: Callable[[Any, str], None], path: str, name: str
) -> None:
    sign_in(page, "ceo")
    _walk_the_pickers(page, f"{app}{path}", name)


def test_a_product_page_keeps_its_path_when_the_period_changes(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    _walk_the_pickers(page, f"{app}/products/insight-cloud/", "product")
    assert urlsplit(page.url).path == "/products/insight-cloud/"


def test_back_shows_the_view_the_address_bar_names(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    _open(page, f"{app}/diagnosis/")
    periods = _options(page, "period")
    first = _headline(page)
    for period in periods[1:3]:
        page.select_option(f"{PICKERS} select[name=period]", period)
        expect(page.locator("#page-body h1")).to_contain_text(period)
        _settle(page)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"period={periods[1]}"))
    expect(page.locator("#page-body h1")).to_contain_text(periods[1])
    _settle(page)
    assert _selected(page)["period"] == periods[1]
    expect(page.locator("header nav")).to_be_visible()
    _assert_charts_stay_in_place(page, "going back")
    page.go_back()
    expect(page.locator("#page-body h1")).not_to_contain_text(periods[1])
    _settle(page)
    assert _headline(page) == first
    _assert_charts_stay_in_place(page, "going back to the first load")
