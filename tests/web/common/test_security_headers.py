"""A secret key with no public fallback, a Content-Security-Policy on every response, no inline
script in any template, one-line 403 logs, static misses that are misses."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from coparent.web.common.logs import OneLineForbidden
from coparent.web.common.middleware import CONTENT_SECURITY_POLICY
from coparent.web.settings.env import secret_key
from coparent.workspace import Workspace

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "coparent" / "web" / "templates"


def test_a_workspace_without_a_key_gets_one_of_its_own_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    Workspace(tmp_path).init()
    key = secret_key(tmp_path, environ={})
    assert len(key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert secret_key(tmp_path, environ={}) == key  # made once
    assert secret_key(tmp_path, environ={"COPARENT_SECRET_KEY": "from-env"}) == "from-env"


def test_without_a_workspace_there_is_no_key_and_no_fallback(tmp_path: Path) -> None:
    assert secret_key(tmp_path / "none", environ={}) == ""


def _django_setup(home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPARENT_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="coparent.web.settings.base", COPARENT_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_app_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _django_setup(tmp_path / "no-workspace")
    assert result.returncode != 0
    assert "no secret key: set COPARENT_SECRET_KEY" in result.stderr
    Workspace(tmp_path / "ws").init()
    assert _django_setup(tmp_path / "ws").stdout.strip() == "started"
    assert (tmp_path / "ws" / "secret_key").exists()


@pytest.mark.django_db
def test_every_response_carries_the_content_security_policy(client: Client) -> None:
    for path in ("/accounts/login/", "/", "/api/openapi.json", "/no-such-page/"):
        assert client.get(path)["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_no_template_has_inline_script_or_event_handlers() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    found = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if inline.search(p.read_text()) or handler.search(p.read_text())
    ]
    assert found == []


def test_a_403_is_logged_as_one_line() -> None:
    try:
        raise PermissionError("not for your role")
    except PermissionError:
        record = logging.LogRecord("django.request", logging.WARNING, "x", 1, "Forbidden", None,
                                   sys.exc_info())  # fmt: skip
    record.status_code = 403
    assert OneLineForbidden().filter(record)
    assert record.exc_info is None
    text = logging.Formatter().format(record)
    assert "\n" not in text


def test_a_static_miss_is_a_miss_for_every_finder() -> None:
    from django.contrib.staticfiles import finders

    from coparent.web.common.finders import PlotlyFinder

    assert PlotlyFinder().find("coparent/nope.js") == []
    assert PlotlyFinder().find("coparent/nope.js", find_all=True) == []
    assert finders.find("coparent/nope.js") is None
    assert finders.find("plotly/plotly.min.js") is not None
