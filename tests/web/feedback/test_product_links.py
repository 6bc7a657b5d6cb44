"""Products named in feedback are checked against the products table, and no stored id can
break a page (issue 15: a field insight with product "a/b" made /feedback/ answer 500)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from coparent.app.feedback.models import FeedbackItem

pytestmark = pytest.mark.django_db

ROLES = ("owner", "champion_sales", "champion_marketing", "member_sales", "viewer")


def _insight(client: Client, product: str) -> Any:
    data = {"title": "Prospects ask for SSO", "topic": "product_gap", "product_id": product}
    return client.post(reverse("feedback:insight_create"), data, follow=True)


def test_a_product_named_by_its_name_is_stored_by_its_id(
    workspace: Path, login: Callable[[str], Client]
) -> None:
    _insight(login("member_sales"), "  insight CLOUD ")
    assert FeedbackItem.objects.get().product_id == "insight-cloud"


@pytest.mark.parametrize("product", ["a/b", "Insight Cloudy", "../setup"])
def test_an_unknown_product_is_refused_with_the_choices_and_nothing_is_stored(
    workspace: Path, login: Callable[[str], Client], product: str
) -> None:
    response = _insight(login("member_sales"), product)
    html = unescape(response.content.decode())
    assert f"no product {product!r}; the products are: " in html
    assert "Insight Cloud" in html
    assert not FeedbackItem.objects.exists()


def test_stored_odd_ids_never_break_the_pages(
    workspace: Path, login: Callable[[str], Client], people: dict[str, Any]
) -> None:
    now = timezone.now()
    for product in ("a/b", "sku/2025", "Insight Cloud", "x?y#z", "100%"):
        FeedbackItem.objects.create(
            kind="field_insight",
            side="sales",
            waiting_for="marketing",
            title=f"about {product}",
            product_id=product,
            author=people["member_sales"],
            created_at=now,
            due_at=now + timedelta(days=2),
        )
    for role in ROLES:
        assert login(role).get(reverse("feedback:home")).status_code == 200, role


@pytest.mark.parametrize("product_id", ["sku/2025", "a b", "x?y#z", "100%", "ünï"])
def test_any_product_id_reverses_to_a_url_that_resolves_back_to_it(product_id: str) -> None:
    url = reverse("dashboards:product", kwargs={"product_id": product_id})
    from urllib.parse import unquote

    assert resolve(unquote(url)).kwargs == {"product_id": product_id}
