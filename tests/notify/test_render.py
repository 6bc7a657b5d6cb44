"""Text and HTML renderings: every section, people's text escaped, nothing fetched from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from coparent.notify import render_html, render_text, slack_payload
from tests.notify.samples import missing, sample_digest

SECTION_TITLES = (
    "Scorecard 2026-Q3",
    "Diagnosis",
    "Wins to celebrate",
    "Waiting for an answer",
    "Starter projects",
    "This week's pairs",
)


def test_the_text_digest_numbers_every_section_in_order() -> None:
    text = render_text(sample_digest())
    positions = [text.index(f"{n}. {t}") for n, t in enumerate(SECTION_TITLES, start=1)]
    assert positions == sorted(positions)
    assert "Credited: Ana Rep (Sales), Bo Webinar (Marketing)" in text
    assert "[OVERDUE] <script>alert('x')</script> prospects ask for SSO" in text
    assert max(len(line) for line in text.splitlines()) <= 78


def test_an_empty_section_in_text_says_how_to_fill_it() -> None:
    text = render_text(sample_digest(pairs=[]))
    assert "No pairing round covers this week." in text
    assert "To fill it: start one on the Pairs page or with: coparent pairs." in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_everything_people_typed() -> None:
    html = render_html(sample_digest())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; prospects ask for SSO" in html
    assert "Won Globex &lt;Enterprise&gt; for $48,000 &amp; counting" in html
    assert "Acme &lt;Analytics&gt; &amp; Co" in html
    parser = _Collect()
    parser.feed(html)
    assert "script" not in {tag for tag, _ in parser.tags}
    shown = "".join(parser.text)
    assert "<script>alert('x')</script> prospects ask for SSO" in shown  # shown as text


def test_html_uses_inline_styles_only_and_loads_nothing_from_outside() -> None:
    html = render_html(sample_digest())
    parser = _Collect()
    parser.feed(html)
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"style", "link", "img", "script", "iframe", "object"}
    assert not re.search(r"(src|href)\s*=", html)
    assert "url(" not in html
    assert "http" not in html
    styled = [attrs for tag, attrs in parser.tags if tag in ("td", "p", "h1", "h2", "ul", "li")]
    assert styled
    assert all(attrs.get("style") for attrs in styled)


def test_html_has_every_section_with_its_content() -> None:
    html = render_html(sample_digest(diagnosis=missing("no leads imported", "import leads")))
    for key in ("scorecard", "diagnosis", "wins", "waiting", "starters", "pairs"):
        assert f'id="digest-{key}"' in html
    for title in SECTION_TITLES:
        assert title.replace("'", "&#x27;") in html
    assert "no leads imported" in html
    assert "To fill it: import leads." in html


def test_a_note_on_the_digest_shows_under_the_date_in_every_format() -> None:
    digest = sample_digest(note="The data end on Wed 30 Sep 2026 <stale> & old.")
    assert "The data end on Wed 30 Sep 2026 <stale> & old." in render_text(digest)
    assert "The data end on Wed 30 Sep 2026 &lt;stale&gt; &amp; old." in render_html(digest)
    assert "The data end" not in render_text(sample_digest())
    context = slack_payload(digest)["blocks"][1]["elements"][0]["text"]
    assert context.endswith("The data end on Wed 30 Sep 2026 &lt;stale&gt; &amp; old.")
