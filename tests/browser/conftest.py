"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Playwright's sync API runs an event loop in the main thread, so Django's
async-safety check must be relaxed for the whole run (STACK.md §6).
Screenshots of the main pages go to tests/browser/artifacts/ (git-ignored).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import demo_workspace  # noqa: F401 - shared session fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (never playwright install)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def app(
    live_server: Any,
    transactional_db: None,
    settings: Any,
    demo_workspace: Path,  # noqa: F811 - the imported session fixture
    tmp_path: Path,
) -> str:
    """The live app on a private copy of the demo workspace, with the six demo users."""
    from django.core.management import call_command

    path = tmp_path / "ws"
    shutil.copytree(demo_workspace, path, ignore=shutil.ignore_patterns("demo-export"))
    settings.COPARENT_WORKSPACE = str(path)
    call_command("coparent_demo_users", stdout=io.StringIO())
    return str(live_server.url)


@pytest.fixture
def sign_in(app: str) -> Callable[[Any, str], None]:
    def go(page: Any, username: str) -> None:
        page.goto(f"{app}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "coparent-demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{app}/")

    return go


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
