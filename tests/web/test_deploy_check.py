"""Django's deployment check, with the production environment docs/web.md documents."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from coparent.workspace import Workspace

DOCUMENTED = {
    "COPARENT_SECRET_KEY": "k" * 60 + "-a-long-random-production-key-for-the-check",
    "COPARENT_ALLOWED_HOSTS": "coparent.example.com",
    "COPARENT_CSRF_TRUSTED_ORIGINS": "https://coparent.example.com",
    "COPARENT_BEHIND_PROXY": "1",
    "COPARENT_SECURE_COOKIES": "1",
    "COPARENT_HSTS_SECONDS": "31536000",
}


def _check(tmp_path: Path, **extra: str) -> str:
    Workspace(tmp_path).init()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPARENT_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(DOCUMENTED, **extra)
    env.update(COPARENT_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="coparent.web.settings.base")
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stdout + result.stderr


def test_only_the_warnings_docs_web_explains_remain(tmp_path: Path) -> None:
    found = set(re.findall(r"security\.W\d{3}", _check(tmp_path)))
    assert found == {"security.W005", "security.W008", "security.W021"}
    text = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text()
    assert all(code in text for code in found)


def test_with_the_domain_wide_choices_made_only_the_proxy_redirect_remains(
    tmp_path: Path,
) -> None:
    out = _check(tmp_path, COPARENT_HSTS_INCLUDE_SUBDOMAINS="1", COPARENT_HSTS_PRELOAD="1")
    assert "security.W008" in out
    assert "security.W005" not in out
    assert "security.W021" not in out
