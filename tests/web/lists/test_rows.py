"""The rows behind every number: a link walker, the list page, its sort, pages and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from coparent.metrics.rows import DEAL_COLUMNS


class _Links(HTMLParser):
    """Every drill-down link of a page, and the list page's total."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.total: dict[str, str] | None = None
        self.cells: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "drill" in a.get("class", "").split():
            self.links.append(a)
        if a.get("id") == "rows-total":
            self.total = a
        self._in_td = tag == "td"

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.cells.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_td = False


def _parse(html: str) -> _Links:
    p = _Links()
    p.feed(html)
    return p


PAGES = [
    "/",
    "/funnel/",
    "/funnel/?by=product",
    "/funnel/?by=channel",
    "/funnel/?by=month",
    "/funnel/?period=2026-Q2&by=month",
    "/diagnosis/",
    "/diagnosis/?by=channel",
    "/diagnosis/?period=2026-Q2&against=last-year",
    "/products/",
    "/products/insight-cloud/",
    "/products/?period=2026-Q2",
    "/products/insight-cloud/?period=2026-Q2",
]


def _walk(client: Client) -> Iterator[tuple[str, dict[str, str]]]:
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        links = _parse(response.content.decode()).links
        assert links, f"{page} has no drill-down link"
        for link in links:
            yield page, link


def test_every_linked_number_opens_as_many_rows_as_it_says(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("owner")
    seen: set[str] = set()
    metrics: set[str] = set()
    for page, link in _walk(client):
        href = link["href"]
        metrics.add(urlsplit(href).path)
        if href in seen:
            continue
        seen.add(href)
        response = client.get(href)
        assert response.status_code == 200, (page, href)
        total = _parse(response.content.decode()).total
        assert total is not None, (page, href, "no total: no data behind a linked number")
        assert int(total["data-total"]) == int(link["data-rows"]), (page, href)
        if link["data-amount"]:
            assert float(total["data-amount"]) == pytest.approx(float(link["data-amount"])), href
    # the walk reaches deals and leads, counts, rates, bridge flows, previous periods
    assert len(seen) > 60

    for name in ("won_revenue", "win_rate", "mqls", "acceptance_rate", "sales_sla_share"):
        assert reverse("lists:rows", args=[name]) in metrics
    for name in ("flow_acceptance", "flow_conversion", "flow_pace", "mql_to_won", "open_pipeline"):
        assert reverse("lists:rows", args=[name]) in metrics
    # a product's losses by category, the funnel by month and its cohorts, "before"
    queries = [parse_qs(urlsplit(h).query) for h in seen]
    categories = {q["category"][0] for q in queries if "category" in q}
    assert categories >= {"product", "process", "market"}, categories
    assert any(q.get("period") == ["2026-07"] and "by" not in q for q in queries)
    assert any("as_of" in q and q["period"] == ["2026-04"] for q in queries)
    products = _parse(client.get("/products/").content.decode()).links
    before = [a for a in products if "period=2026-Q2" in a["href"]]
    assert before, "the products list's 'before' win rates open nothing"
    assert all(urlsplit(a["href"]).path == reverse("lists:rows", args=["win_rate"]) for a in before)


def test_a_rate_opens_its_numerator_with_its_denominator_one_click_away(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    client = login("viewer")
    won = client.get(reverse("lists:rows", args=["win_rate"]) + "?period=2026-Q3")
    body = won.content.decode()
    assert "deals won in the period" in body
    other = body.split('id="rows-other" href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(other).query)["part"] == ["denominator"]
    closed = _parse(client.get(other).content.decode()).total
    opened = _parse(body).total
    assert closed is not None
    assert opened is not None
    assert int(closed["data-total"]) > int(opened["data-total"]) > 0
    assert "Download" not in body  # a viewer sees the rows, not the files
    assert "As the data stood at the end of 30 Sep 2026." in body


def test_rows_show_names_sort_and_page(workspace: Path, login: Callable[[str], Client]) -> None:
    client = login("owner")
    url = reverse("lists:rows", args=["win_rate"])
    first = client.get(url + "?period=2026-Q3&part=denominator&sort=-amount")
    text = first.content.decode()
    parsed = _parse(text)
    assert parsed.total is not None
    assert int(parsed.total["data-total"]) > 50
    assert 'rel="next"' in text
    assert "page 1 of" in text
    amounts = [c for c in parsed.cells if c.startswith("$")]
    values = [float(a.strip("$").replace(",", "")) for a in amounts]
    assert values == sorted(values, reverse=True)
    assert len(values) == 50
    second = client.get(url + "?period=2026-Q3&part=denominator&sort=-amount&page=2")
    assert 'rel="prev"' in second.content.decode()
    assert "Insight" in text  # product names, not only ids


def test_bad_parameters_answer_400(workspace: Path, login: Callable[[str], Client]) -> None:
    client = login("owner")
    for query in ("part=denominator", "sort=password", "by=owner&segment=x", "page=0"):
        url = reverse("lists:rows", args=["won_deals"]) + "?" + query
        assert client.get(url).status_code == 400, query
    assert client.get(reverse("lists:rows", args=["goal_progress"])).status_code == 400


def test_a_missing_input_reads_no_data(
    empty_workspace: Path, login: Callable[[str], Client]
) -> None:
    response = login("owner").get(reverse("lists:rows", args=["win_rate"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="rows-total"' not in text
    assert "0%" not in text


def test_a_product_id_with_a_slash_and_an_ampersand_round_trips(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    from coparent.web.common.templatetags.rows import rows_url, segment_rows

    link = segment_rows("won_deals", "2026-Q3", by="product", segment="sku/2025&x=1#y", rows=0)
    url = rows_url(link)
    assert parse_qs(urlsplit(url).query)["segment"] == ["sku/2025&x=1#y"]
    total = _parse(login("owner").get(url).content.decode()).total
    assert total is not None
    assert total["data-total"] == "0"


def test_exports_are_whole_formula_neutralised_and_not_for_viewers(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    url = reverse("lists:export", args=["win_rate"]) + "?period=2026-Q3&part=denominator"
    assert login("viewer").get(url).status_code == 403
    client = login("member_sales")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    listed = _parse(
        client.get(
            reverse("lists:rows", args=["win_rate"]) + "?period=2026-Q3&part=denominator"
        ).content.decode()
    ).total
    assert listed is not None
    assert len(rows) == int(listed["data-total"])
    assert tuple(rows[0]) == DEAL_COLUMNS
    xlsx = client.get(url + "&format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["data"]
    assert sum(1 for _ in sheet.iter_rows()) == len(rows) + 1
    assert client.get(url + "&format=exe").status_code == 400


def test_an_export_neutralises_formula_like_names(
    writable_workspace: Path, login: Callable[[str], Client]
) -> None:
    from coparent.workspace import Workspace

    ws = Workspace(writable_workspace)
    with ws.open(ws.settings(), write=True) as con:
        con.raw_sql("UPDATE accounts SET name = '=HYPERLINK(\"http://x\")'")
    url = reverse("lists:export", args=["won_deals"]) + "?period=2026-Q3"
    rows = list(csv.DictReader(io.StringIO(login("owner").get(url).content.decode())))
    assert rows
    assert all(r["account_name"] == '\'=HYPERLINK("http://x")' for r in rows)
