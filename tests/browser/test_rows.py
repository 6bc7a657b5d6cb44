"""A number opens its rows in a browser: click the win rate, see the deals, sort, page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_clicking_the_win_rate_opens_its_deals_and_the_list_sorts_and_pages(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    link = page.locator("#funnel a.drill").filter(has_text="%").first
    expected = link.get_attribute("data-rows")
    link.click()
    page.wait_for_url("**/rows/win_rate/**")
    total = page.locator("#rows-total")
    assert total.get_attribute("data-total") == expected
    assert page.locator("table.rows tbody tr").count() == min(50, int(expected or 0))
    page.locator("#rows-other").click()  # "of N closed": the denominator
    page.wait_for_url("**part=denominator**")
    page.locator("table.rows thead a", has_text="amount").click()
    page.wait_for_url("**sort=-amount**")
    assert page.locator("th[aria-sort=descending]").count() == 1
    assert page.locator("a[rel=next]").count() == 1
    shot(page, "rows-win-rate-closed-deals")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the list scrolls sideways on a phone ({width} px)"
    shot(page, "rows-win-rate-closed-deals-390")


def test_a_funnel_bar_opens_the_leads_of_its_stage(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    stage = page.locator('#funnel [data-stage="accepted"] a.drill')
    expected = stage.get_attribute("data-rows")
    page.locator("#funnel-chart").scroll_into_view_if_needed()
    bar = page.locator("#funnel-chart .point").nth(1).bounding_box()
    assert bar is not None
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_url("**/rows/mqls_accepted/**")
    assert page.locator("#rows-total").get_attribute("data-total") == expected


def test_a_bridge_bar_opens_the_rows_of_its_stage(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    page.goto(f"{app}/diagnosis/")
    factor = page.evaluate("document.querySelector('#bridge-chart').data[0].customdata[1]")
    link = page.locator(f'#bridge [data-stage="{factor}"] a.drill')
    expected, href = link.get_attribute("data-rows"), link.get_attribute("href")
    page.locator("#bridge-chart").scroll_into_view_if_needed()
    bar = page.locator("#bridge-chart .point").nth(1).bounding_box()
    assert bar is not None
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_url("**/rows/**")
    assert page.url.endswith(href or "?")
    assert page.locator("#rows-total").get_attribute("data-total") == expected
    shot(page, "rows-from-a-bridge-bar")
