"""A product's page: deals, loss reasons by category, repeat purchases."""

from __future__ import annotations

from datetime import datetime

import ibis

from coparent.services.web_products import product_report
from coparent.settings import Settings
from tests.metrics._tables import arrow, demo_con


def test_loss_reasons_are_sorted_into_categories_and_repeat_buyers_counted() -> None:
    con = ibis.duckdb.connect()
    lost = {"status": "lost", "product_id": "p", "created_at": datetime(2026, 7, 1)}
    con.create_table(
        "opportunities",
        arrow(
            "opportunities",
            [
                {**lost, "closed_at": datetime(2026, 7, 9), "loss_reason": "Missing feature"},
                {**lost, "closed_at": datetime(2026, 7, 9), "loss_reason": "Missing feature"},
                {**lost, "closed_at": datetime(2026, 7, 9), "loss_reason": "Price too high"},
                {**lost, "closed_at": datetime(2026, 7, 9), "loss_reason": "No follow-up"},
                {
                    "status": "won",
                    "product_id": "p",
                    "created_at": datetime(2026, 7, 1),
                    "closed_at": datetime(2026, 8, 1),
                    "amount": 100.0,
                },
            ],
        ),
    )
    con.create_table(
        "orders",
        arrow(
            "orders",
            [
                {
                    "order_id": "1",
                    "account_id": "A",
                    "ordered_at": datetime(2026, 5, 1),
                    "amount": 1.0,
                    "product_id": "p",
                },
                {
                    "order_id": "2",
                    "account_id": "A",
                    "ordered_at": datetime(2026, 7, 2),
                    "amount": 2.0,
                    "product_id": "p",
                },
                {
                    "order_id": "3",
                    "account_id": "B",
                    "ordered_at": datetime(2026, 7, 3),
                    "amount": 4.0,
                    "product_id": "p",
                },
            ],
        ),
    )
    report = product_report(con, product_id="p", period="2026-Q3", settings=Settings())
    assert report is not None
    losses = {r["category"]: r["deals"] for r in report["losses"]}
    assert losses == {"product": 2, "process": 1, "market": 1, "unclassified": 0}
    assert report["deals"]["won"] == 1
    assert report["orders"] == {"orders": 2, "revenue": 6.0, "accounts": 2, "repeat_accounts": 1}


def test_an_unknown_product_is_none() -> None:
    assert (
        product_report(demo_con(), product_id="nope", period="2026-Q3", settings=Settings()) is None
    )


def test_the_demo_insight_cloud_loses_to_product_reasons_in_2026_q3() -> None:
    report = product_report(
        demo_con(), product_id="insight-cloud", period="2026-Q3", settings=Settings()
    )
    assert report is not None
    top = max(report["losses"], key=lambda r: r["deals"])
    assert top["category"] == "product"
    assert len(report["monthly"]) <= 12
