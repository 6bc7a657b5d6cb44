"""A company's first hour, as a new user lives it: from nothing to signed in with their own data.

`coparent init`, `coparent user create ceo --role owner --password-stdin`,
`coparent serve` (a real server process), then in Chromium: sign in, upload
the three files of a HubSpot export on the Data page (the scorecard's first-run
card points there), watch the import job (run by a worker process) finish, and
see the deals on the scorecard with the next steps: champions and the goal.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests._processes import clean_env, free_port, run_coparent, wait_until_serving
from tests.browser.conftest import shot

HUBSPOT = Path(__file__).resolve().parents[1] / "data" / "crm" / "hubspot"
PASSWORD = "a long passphrase for acme"

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    ws = str(tmp_path / "acme")
    run_coparent("init", "-w", ws, check=True)
    run_coparent("user", "create", "ceo", "--role", "owner", "--password-stdin", "-w", ws,
                 stdin=PASSWORD + "\n", check=True)  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coparent", "serve", "-w", ws, "--port", str(port)],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, proc)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_from_an_empty_workspace_to_the_own_numbers_on_the_scorecard(
    page: Page, served: str
) -> None:
    page.goto(f"{served}/accounts/login/")
    page.fill("input[name=username]", "ceo")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/")
    start = page.locator("#first-run")
    expect(start).to_contain_text("Start here")
    expect(start.locator("li[data-step=import] a")).to_have_attribute("href", "/data/")
    start.locator("li[data-step=import] a").click()
    page.wait_for_url(f"{served}/data/")
    page.select_option("#id_table", "crm-export")
    page.set_input_files(
        "#id_file", [str(HUBSPOT / n) for n in ("companies.csv", "contacts.csv", "deals.csv")]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/data/jobs/\d+/$"))
    job = page.locator("#import-job")
    expect(job).to_have_attribute("data-status", "loaded", timeout=60_000)
    expect(job).to_contain_text("opportunities: 3 rows")
    expect(page.locator("#export-detection")).to_contain_text("deals.csv read as")
    shot(page, "first-hour-import")
    page.goto(f"{served}/?period=2024-Q1")
    expect(page.locator("#page-body h1")).to_contain_text("2024-Q1")
    expect(page.locator("#page-body")).to_contain_text("12,000")
    next_steps = page.locator("#first-run")
    expect(next_steps).to_contain_text("Next steps")
    expect(next_steps.locator("li[data-step=champions] a")).to_be_visible()
    expect(next_steps.locator("li[data-step=goal] a")).to_be_visible()
    shot(page, "first-hour-scorecard")
