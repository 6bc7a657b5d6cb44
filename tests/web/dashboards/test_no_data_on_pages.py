"""The Scorecard and Funnel pages say "no data (import ...)" where an input was never imported."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path

import duckdb
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

HINT_CONTACT = "import leads with first_contacted_at, or activities"
HINT_DECIDED = "import leads with accepted_at and rejected_at"


def _forget(path: Path) -> None:
    """Empty the contact times and Sales' rejections, drop the activities (an export without)."""
    con = duckdb.connect(str(path / "warehouse.duckdb"))
    try:
        con.execute("update leads set first_contacted_at = null, rejected_at = null")
        con.execute("drop table activities")
    finally:
        con.close()
    cache.clear()


def test_the_scorecard_shows_no_data_and_what_to_import_not_0_or_100_percent(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    _forget(writable_workspace)
    html = unescape(login("owner").get(reverse("dashboards:scorecard")).content.decode())
    contact = (
        '<div class="value">no data</div><div class="label">Contacted within 24 hours</div>'
        f'<div class="detail">{HINT_CONTACT}</div>'
    )
    decided = (
        '<div class="value">no data</div><div class="label">Accepted by Sales (of decided MQLs)'
        f'</div><div class="detail">{HINT_DECIDED}</div>'
    )
    assert contact in html
    assert decided in html
    assert ">0%<" not in html
    assert ">100%<" not in html


def test_the_funnel_page_lists_what_it_has_no_data_for(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    _forget(writable_workspace)
    html = unescape(login("owner").get(reverse("dashboards:funnel")).content.decode())
    assert f"Contacted within 24 hours: no data ({HINT_CONTACT})" in html
    assert f"Accepted by Sales (of decided MQLs): no data ({HINT_DECIDED})" in html
    assert "No first-contact times" in html
