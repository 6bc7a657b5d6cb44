"""Every page at a laptop's width (1366 px) and a phone's (390 px): no sideways scrolling, no
element poking out of the page, no table hiding columns behind an inner scroll, and no chart
text that overlaps other chart text or leaves its chart (bounding boxes). A screenshot of each
page at each width goes to tests/browser/artifacts/ (git-ignored), e.g. ``390-scorecard.png``.

The pages are every GET page of the URL resolver (views behind `coparent.app.teams.access.page`),
so a page added later is checked too; a page whose URL takes arguments needs them in `ARGS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

WIDTHS = {1366: 900, 390: 844}

# What the page shows that overflows, and what text in a chart overlaps or leaves it.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth > width) problems.push(`the page scrolls sideways: ${doc.scrollWidth}px`);
  const inScroller = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (p === document.body) return false;
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowX) && p.scrollWidth > p.clientWidth + 1)
        return true;
    }
    return false;
  };
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (e.closest('.plotly-graph-div') || inScroller(e)) continue;
    const text = (e.textContent || '').trim().slice(0, 30);
    const name = `<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}> "${text}"`;
    problems.push(`${name} sticks out to ${Math.round(r.right)}px`);
  }
  for (const w of document.querySelectorAll('.table-wrap, table')) {
    if (w.scrollWidth > w.clientWidth + 1)
      problems.push(`a table scrolls inside: ${w.scrollWidth}px in ${w.clientWidth}px ` +
                    `("${(w.textContent || '').trim().slice(0, 30)}")`);
  }
  const box = e => e.getBoundingClientRect();
  const meets = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const plot of document.querySelectorAll('.plotly-graph-div')) {
    const frame = box(plot);
    const texts = Array.from(plot.querySelectorAll(
      '.gtitle, .g-xtitle text, .g-ytitle text, .xtick text, .ytick text, ' +
      '.annotation-text, .legendtext, text.bartext, .funnel text'
    )).filter(t => (t.textContent || '').trim() && box(t).width > 0 && box(t).height > 0);
    const seen = new Set();
    const unique = texts.filter(t => !seen.has(t) && seen.add(t));
    for (const t of unique) {
      const r = box(t);
      if (r.left < frame.left - 1 || r.right > frame.right + 1)
        problems.push(`#${plot.id} "${t.textContent}" leaves its chart`);
    }
    for (let i = 0; i < unique.length; i++) {
      for (let j = i + 1; j < unique.length; j++) {
        const a = unique[i], b = unique[j];
        if (a.contains(b) || b.contains(a)) continue;
        if (meets(box(a), box(b)))
          problems.push(`#${plot.id} "${a.textContent}" overlaps "${b.textContent}"`);
      }
    }
  }
  return problems;
}"""

DRAWN = """() => document.readyState === 'complete'
  && Array.from(document.querySelectorAll('.plotly-graph-div'))
       .every(d => d.querySelector('.main-svg'))"""


def _page_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    """URL names of the app's pages: views a person opens with GET (not the API, not POSTs)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            yield from _page_names(p.url_patterns, ns or namespace)
        elif p.name:
            access = getattr(p.callback, "coparent_access", None)
            if access is not None and "GET" in access[2]:
                yield f"{namespace}:{p.name}" if namespace else p.name


@pytest.fixture
def pages(app: str) -> list[tuple[str, str]]:
    """(slug, path) of every page, with something to show on each: a goal, an item, a round."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from coparent.app.common.facts import core_settings, warehouse, workspace
    from coparent.app.feedback.models import FeedbackItem
    from coparent.app.goals.models import Goal
    from coparent.app.imports.models import ImportJob
    from coparent.app.pairs.services import pair_round_create
    from coparent.services.web_facts import lead_queue

    users = get_user_model().objects
    now = timezone.now()
    Goal.objects.create(period="2026-Q3", won_revenue=1500000)
    item = FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for="marketing",
        title="Prospects ask for SSO in every demo",
        author=users.get(username="rep"),
        created_at=now - timedelta(minutes=2),
        due_at=now + timedelta(days=2),
    )
    job = ImportJob.objects.create(files=["deals.csv"], status="loaded", created_at=now)
    pair_round_create()
    ws = workspace()
    with warehouse(ws, core_settings(ws)) as con:
        lead_id = lead_queue(con, limit=1)[0]["lead_id"]
    args: dict[str, list[Any]] = {
        "dashboards:product": ["insight-cloud"],
        "feedback:lead": [lead_id],
        "feedback:item": [item.pk],
        "imports:job": [job.pk],
        "lists:rows": ["won_deals"],  # the rows behind a number (drill-down)
        "lists:export": ["won_deals"],  # a file download: skipped below
    }
    extra = [
        ("diagnosis-last-year", reverse("dashboards:diagnosis") + "?against=last-year&by=channel"),
        ("funnel-by-channel", reverse("dashboards:funnel") + "?by=channel"),
        ("funnel-by-month", reverse("dashboards:funnel") + "?by=month"),
        ("password", reverse("password_change")),
    ]
    found, missing = [], []
    for name in sorted(set(_page_names(get_resolver().url_patterns))):
        try:
            path = reverse(name, args=args.get(name, []))
        except NoReverseMatch:  # a URL with arguments this test does not know yet
            missing.append(name)
            continue
        found.append((name.replace(":", "-"), path))
    assert not missing, f"give these pages their URL arguments in ARGS: {missing}"
    return found + extra


def _check(page: Page, app: str, path: str, label: str) -> list[str]:
    try:
        response = page.goto(f"{app}{path}")
    except PlaywrightError as exc:  # a file, not a page (an export)
        if "Download is starting" in str(exc):
            return []
        raise
    assert response is not None, path
    assert response.ok, (path, response.status)
    if "text/html" not in (response.headers.get("content-type") or ""):
        return []
    page.wait_for_function(DRAWN)
    problems: list[str] = page.evaluate(LAYOUT_PROBLEMS)
    shot(page, label)
    return [f"{label} ({path}): {p}" for p in problems]


@pytest.mark.parametrize("width", sorted(WIDTHS, reverse=True))
def test_every_page_fits_the_screen_and_its_charts_keep_their_text_apart(
    page: Page,
    app: str,
    sign_in: Callable[[Any, str], None],
    pages: list[tuple[str, str]],
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems = _check(page, app, "/accounts/login/", f"{width}-login")
    sign_in(page, "ceo")
    for slug, path in pages:
        problems += _check(page, app, path, f"{width}-{slug}")
    assert problems == [], "\n".join(problems[:40])
    assert errors == []


@pytest.mark.parametrize("width", sorted(WIDTHS, reverse=True))
def test_the_scorecard_as_the_ceo_and_as_a_rep(
    page: Page, app: str, sign_in: Callable[[Any, str], None], width: int
) -> None:
    """The CEO sees the company; the rep sees what concerns them first, then the company."""
    from django.contrib.auth import get_user_model

    from coparent.app.common.facts import workspace
    from coparent.app.feedback.services import feedback_item_create
    from coparent.app.pairs.services import pair_round_create
    from coparent.app.starters.services import winback_assign
    from coparent.app.teams.access import Actor
    from coparent.services.winback import winback_list_load
    from tests.web.conftest import WINBACK_LIST

    users = get_user_model().objects
    rep, ceo = users.get(username="rep"), users.get(username="ceo")
    pair_round_create()
    feedback_item_create(
        actor=Actor(user=users.get(username="marketer"), role="member", team="marketing"),
        kind="campaign_brief",
        title="Webinar on SSO next month: which accounts should we invite?",
    )
    members = winback_list_load(workspace(), WINBACK_LIST)["members"]
    call = next(m for m in members if m["group"] == "contacted")
    winback_assign(
        actor=Actor(user=ceo, role="owner"),
        list_id=WINBACK_LIST,
        account_id=call["account_id"],
        assignee_id=rep.pk,
    )
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    sign_in(page, "ceo")
    expect(page.locator("#shared-goal")).to_be_visible()
    expect(page.locator("#for-you")).to_have_count(0)
    problems = _check(page, app, "/", f"scorecard-ceo-{width}")
    page.click("header .who button")
    sign_in(page, "rep")
    panel = page.locator("#for-you")
    expect(panel).to_be_visible()
    expect(panel.locator("#mine-mqls h3")).to_contain_text("Your MQLs to review")
    expect(panel.locator("#mine-pair")).to_contain_text("You meet")
    expect(panel.locator("#mine-waiting")).to_contain_text("Webinar on SSO next month")
    expect(panel.locator("#mine-calls")).to_contain_text(call["account_name"])
    top = page.evaluate(
        "[document.querySelector('#for-you').getBoundingClientRect().top,"
        " document.querySelector('#page-body').getBoundingClientRect().top]"
    )
    assert top[0] < top[1]
    problems += _check(page, app, "/", f"scorecard-rep-{width}")
    problems += _check(page, app, "/me/", f"me-rep-{width}")
    assert problems == [], "\n".join(problems[:40])
