"""The issue's browser scenarios in real headless Chromium (Debian's, via executable_path)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

BAD_CSV = (
    "opportunity_id,account_id,created_at,stage,status,amount\n"
    "OPPX1,ACC000001,2026-07-01,proposal,won,1000\n"
    "OPPX2,ACC000001,31/02/2026,proposal,won,1000\n"
    "OPPX3,ACC000001,2026-07-03,proposal,maybe,-5\n"
)
GOOD_CSV = (
    "opportunity_id,account_id,created_at,closed_at,stage,status,amount,product_id\n"
    "OPPNEW1,ACC000001,2026-08-01,2026-09-15,closed won,won,2500000,insight-pro\n"
)


def _sign_out(page: Page) -> None:
    page.click("header .who button")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_sales_lead_rejects_an_mql_and_marketing_lead_answers_it(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "sales-lead")
    page.goto(f"{app}/feedback/")
    row = page.locator("#mql-review tbody tr").first
    lead_id = row.locator("td").first.inner_text().strip()
    row.locator("input[name=reason]").fill("No budget this year")
    row.locator("button[value=rejected]").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Lead {lead_id} rejected (No budget this year)"
    )
    expect(page.locator("#side-marketing")).to_contain_text(f"Lead {lead_id} rejected")
    shot(page, "feedback-sales-lead")
    _sign_out(page)

    sign_in(page, "marketing-lead")
    page.goto(f"{app}/feedback/")
    waiting = page.locator("#side-marketing")
    expect(waiting.locator("h2")).to_contain_text("Waiting for Marketing (1)")
    item = waiting.locator(".item", has_text=f"Lead {lead_id} rejected")
    expect(item).to_contain_text("due in")
    item.locator("textarea[name=answer]").fill(
        "Agreed: we exclude that segment from the next campaign"
    )
    item.locator("button", has_text="Answer").click()
    expect(page.locator(".messages")).to_contain_text("Answered")
    expect(page.locator("#side-marketing h2")).to_contain_text("(0)")
    expect(page.locator("#recent")).to_contain_text("we exclude that segment")
    shot(page, "feedback-marketing-lead")


def test_the_owner_sets_a_goal_and_the_scorecard_shows_it_with_its_chart(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "ceo")
    expect(page.locator("#shared-goal")).to_contain_text("No shared goal for 2026-Q3 yet")
    page.goto(f"{app}/setup/")
    expect(page.locator("#goal-period")).to_have_value("2026-Q3")
    page.fill("#goal-revenue", "1500000")
    page.select_option("#goal-mm", "mqls")
    page.fill("#goal-mt", "700")
    page.select_option("#goal-sm", "win_rate")
    page.fill("#goal-st", "30")
    page.click("#goals button[type=submit] >> text=Save goal")
    expect(page.locator(".messages")).to_contain_text("Shared goal for 2026-Q3 saved")
    shot(page, "setup")
    page.goto(f"{app}/")
    goal = page.locator("#shared-goal")
    expect(goal).to_contain_text("$1,500,000")
    expect(goal.locator("#goal-chart .main-svg").first).to_be_visible()
    expect(goal.locator("#goal-chart .gtitle")).to_contain_text("of the $1,500,000 goal")
    expect(page.locator("#side-marketing")).to_contain_text("of 700")
    shot(page, "scorecard-with-goal")


def test_a_bad_csv_shows_located_errors_and_a_good_one_changes_the_numbers(
    page: Page, app: str, sign_in: Callable[[Any, str], None], tmp_path: Path
) -> None:
    sign_in(page, "ceo")
    page.goto(f"{app}/?period=2026-Q3")
    revenue = page.locator("#funnel .kpi .value").first
    before = revenue.inner_text()
    bad, good = tmp_path / "deals.csv", tmp_path / "big-deal.csv"
    bad.write_text(BAD_CSV)
    good.write_text(GOOD_CSV)

    page.goto(f"{app}/data/")
    page.set_input_files("#id_file", str(bad))
    page.select_option("#id_table", "opportunities")
    page.select_option("#id_mode", "append")
    page.click("button[value=import]")
    outcome = page.locator("#import-outcome")
    expect(outcome).to_contain_text("nothing was loaded")
    issues = outcome.locator("tr.issue")
    expect(issues.filter(has_text="created_at")).to_contain_text("3")
    expect(issues.filter(has_text="status")).to_contain_text("4")
    expect(issues.filter(has_text="amount")).to_contain_text("4")
    shot(page, "data-rejected")

    page.set_input_files("#id_file", str(good))
    page.select_option("#id_table", "opportunities")
    page.select_option("#id_mode", "append")
    page.click("button[value=import]")
    expect(page.locator("#import-outcome")).to_contain_text("Loaded 1 rows into opportunities")
    shot(page, "data-loaded")
    page.goto(f"{app}/?period=2026-Q3")
    after = page.locator("#funnel .kpi .value").first.inner_text()
    assert before != after
    assert after.startswith("$3,")  # 912,973 + 2,500,000


def test_a_guest_cannot_reach_setup(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "guest")
    expect(page.locator("header nav")).not_to_contain_text("Setup")
    response = page.goto(f"{app}/setup/")
    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("Not for your role")


def test_the_scorecard_fits_a_phone_without_sideways_scrolling(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "rep")
    expect(page.locator("#funnel-chart .main-svg").first).to_be_visible()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[2], widths
    assert widths[1] <= widths[2], widths
    shot(page, "scorecard-phone")


def test_the_period_picker_swaps_the_page_body_with_htmx(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "marketer")
    page.select_option("#page-body select[name=period]", "2026-Q2")
    expect(page.locator("#page-body h1")).to_contain_text("Scorecard · 2026-Q2")
    expect(page).to_have_url(re.compile(r"period=2026-Q2"))
    expect(page.locator("#funnel-chart .main-svg").first).to_be_visible()


def test_main_pages_render_without_console_errors(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "ceo")
    shot(page, "scorecard")
    for path, name, chart in (
        ("/diagnosis/", "diagnosis", "#bridge-chart"),
        ("/funnel/?by=channel", "funnel", "#compliance-chart"),
        ("/products/", "products", None),
        ("/products/insight-cloud/", "product", "#losses-chart"),
        ("/feedback/", "feedback", None),
        ("/wins/", "wins", None),
        ("/wins/balance/", "balance", None),
        ("/pairs/", "pairs", None),
        ("/digest/", "digest", None),
        ("/starters/", "starters", None),
        ("/data/", "data", None),
        ("/setup/", "setup-empty", None),
        ("/api/docs", "api-docs", None),
    ):
        page.goto(f"{app}{path}")
        if chart:
            expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
        shot(page, name)
    assert errors == []


def test_the_sales_champion_starts_a_pairing_round_and_the_rep_sees_the_group(
    page: Page, app: str, sign_in: Callable[[Any, str], None]
) -> None:
    sign_in(page, "sales-lead")
    page.goto(f"{app}/pairs/")
    page.get_by_role("button", name=re.compile(r"Start (the first round|round \d+)")).click()
    expect(page.locator("section[id^=pair-]").first).to_be_visible()
    groups = page.locator("section[id^=pair-]").count()
    assert groups >= 2
    shot(page, "pairs-round")
    _sign_out(page)
    sign_in(page, "rep")
    page.goto(f"{app}/pairs/")
    expect(page.locator("#mine")).to_contain_text("Your group this round")
    expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
