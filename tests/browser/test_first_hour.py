"""A company's first hour, as a new user lives it: from nothing to signed in with their own data.

`coparent init`, `coparent user create ceo --role owner --password-stdin`,
`coparent serve` (a real server process), then in Chromium: sign in, upload
the three files of a HubSpot export on the Data page (the scorecard's first-run
card points there), watch the import job (run by a worker process) finish, and
see the deals on the scorecard with the next steps: champions and the goal.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

HUBSPOT = Path(__file__).resolve().parents[1] / "data" / "crm" / "hubspot"
PASSWORD = "a long passphrase for acme"

pytestmark = pytest.mark.browser


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPARENT_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return env


def _coparent(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "coparent", *args],
        input=stdin,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    ws = str(tmp_path / "acme")
    _coparent("init", "-w", ws)
    _coparent("user", "create", "ceo", "--role", "owner", "--password-stdin", "-w", ws,
              stdin=PASSWORD + "\n")  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coparent", "serve", "-w", ws, "--port", str(port)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("coparent serve did not answer within 60 s")
            time.sleep(0.3)
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
