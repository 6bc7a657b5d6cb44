"""MQL reminders: due soon and overdue against the Sales SLA's first contact, from the warehouse."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from coparent import warehouse
from coparent.app.feedback.services import lead_review_create
from coparent.app.goals.services import sla_terms_set
from coparent.app.notifications.models import Notification
from coparent.app.notifications.sending import notify_run
from coparent.app.notifications.services import notification_preference_update, notify_mqls
from coparent.workspace import Workspace
from tests.app.notifications.helpers import NOW, actor, notify_settings
from tests.notify.servers import smtp_server, webhook_receiver

pytestmark = pytest.mark.django_db

ANNOUNCED = ("L-soon", "L-late", "L-called", "L-accepted", "L-reviewed")


def _at(hours_before_now: float) -> datetime:
    return (NOW - timedelta(hours=hours_before_now)).replace(tzinfo=None)  # stored as UTC


@pytest.fixture
def leads_warehouse(settings: Any, tmp_path: Path) -> Path:
    """A workspace whose leads wait for contact, were contacted, decided, or never announced."""
    ws = Workspace(tmp_path / "ws")
    ws.init()
    mql = {"L-soon": 5, "L-late": 10, "L-called": 10, "L-accepted": 10, "L-reviewed": 10}
    mql["L-unannounced"] = 10
    ids = list(mql)
    ts = pa.timestamp("us")
    table = pa.table(
        {
            "lead_id": ids,
            "mql_at": pa.array([_at(mql[i]) for i in ids], ts),
            "first_contacted_at": pa.array([_at(9) if i == "L-called" else None for i in ids], ts),
            "accepted_at": pa.array([_at(8) if i == "L-accepted" else None for i in ids], ts),
            "rejected_at": pa.array([None for _ in ids], ts),
            "owner_id": [None for _ in ids],
        }
    )
    con = ws.connect(ws.settings())
    warehouse.write_table(con, "leads", table)
    con.disconnect()
    settings.COPARENT_WORKSPACE = str(ws.path)
    return ws.path


def _announce(people: dict[str, Any], *, now: datetime) -> None:
    leads = [{"lead_id": i, "mql_at": NOW - timedelta(hours=10)} for i in ANNOUNCED]
    assert notify_mqls(leads=leads, settings=notify_settings(), now=now) == len(ANNOUNCED) * 4
    lead_review_create(
        actor=actor(people, "member_sales"), lead_id="L-reviewed", verdict="accepted"
    )


def _reminders() -> set[tuple[str, str, str]]:
    rows = Notification.objects.filter(kind__in=["due_soon", "overdue"], channel="email")
    return {(n.kind, n.item_ref, n.recipient.username) for n in rows}  # type: ignore[union-attr]


def test_mqls_waiting_for_first_contact_are_reminded_against_the_sla_terms_once(
    people: dict[str, Any], leads_warehouse: Path
) -> None:
    # The terms set in the app (8 h) decide, not the settings' sales_sla_hours (48 h).
    sla_terms_set(
        set_by=None,
        mql_commitment_per_month=10,
        first_contact_hours=Decimal(8),
        answer_within_days=2,
    )
    notification_preference_update(
        user=people["member_sales"],
        email=False,
        slack=False,
        slack_member_id="",
        frequency="immediate",
    )
    notification_preference_update(
        user=people["champion_sales"],
        email=True,
        slack=True,
        slack_member_id="U024BE7LH",
        frequency="immediate",
    )
    earlier = NOW - timedelta(hours=4)
    _announce(people, now=earlier)
    with smtp_server() as (port, box), webhook_receiver() as sales:
        settings = notify_settings(
            smtp_port=port,
            sales_sla_hours=48.0,
            notify_reminder_hours=4.0,
            notify_slack_sales_url=sales.url,
        )
        first = notify_run(settings=settings, now=earlier)  # L-late due at NOW-2h: due soon
        assert first.queued == 4
        box.messages.clear()
        box.envelopes.clear()
        posted = len(sales.payloads)
        second = notify_run(settings=settings, now=NOW)
        again = notify_run(settings=settings, now=NOW + timedelta(minutes=10))
    assert (second.queued, again.queued) == (8, 0)  # 2 MQLs x 2 people x 2 channels, then none
    assert _reminders() == {
        ("due_soon", "lead:L-late", "champion_sales"),
        ("due_soon", "lead:L-late", "member_sales"),
        ("due_soon", "lead:L-soon", "champion_sales"),
        ("due_soon", "lead:L-soon", "member_sales"),
        ("overdue", "lead:L-late", "champion_sales"),
        ("overdue", "lead:L-late", "member_sales"),
    }
    # one email to the Sales champion (the member turned email off), two notices in it
    assert [rcpt for _, (rcpt,) in box.envelopes] == ["champion_sales@example.com"]
    text = box.messages[0].get_content()
    assert "- Due soon: Lead L-soon" in text
    assert "first contact due Tue 8 Dec 2026 13:00 UTC (the Sales SLA: within 8 hours)" in text
    assert "- Overdue: Lead L-late" in text
    assert "first contact was due Tue 8 Dec 2026 08:00 UTC" in text
    assert "https://coparent.acme.example/feedback/leads/L-late/" in text
    # and one Slack post to the Sales channel, mentioning the champion (the member: Slack off)
    assert len(sales.payloads) == posted + 1
    slack = str(sales.payloads[-1])
    assert "<@U024BE7LH>" in slack
    for words in ("Due soon", "Lead L-soon", "Overdue", "Lead L-late"):
        assert words in slack, words
    skipped = Notification.objects.filter(
        kind__in=["due_soon", "overdue"], status="skipped", recipient__username="member_sales"
    )
    assert {n.reason for n in skipped if n.channel == "email"} == {
        "email is off in the recipient's preferences"
    }


def test_without_sla_terms_the_settings_hours_apply_and_a_review_stops_them(
    people: dict[str, Any], leads_warehouse: Path
) -> None:
    _announce(people, now=NOW - timedelta(hours=4))
    settings = notify_settings(sales_sla_hours=12.0, notify_reminder_hours=4.0)
    notify_run(settings=settings, now=NOW)
    # L-late and the others are due at NOW+2h, L-soon at NOW+7h: only the first are near.
    assert _reminders() == {
        ("due_soon", "lead:L-late", "champion_sales"),
        ("due_soon", "lead:L-late", "member_sales"),
    }
    lead_review_create(actor=actor(people, "member_sales"), lead_id="L-late", verdict="accepted")
    notify_run(settings=settings, now=NOW + timedelta(hours=3))
    assert not Notification.objects.filter(kind="overdue").exists()


def test_an_unreadable_warehouse_skips_the_mql_reminders_and_the_run_goes_on(
    people: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.COPARENT_WORKSPACE = str(tmp_path / "none")
    _announce(people, now=NOW - timedelta(hours=20))
    report = notify_run(settings=notify_settings(notify_reminder_hours=4.0), now=NOW)
    assert report.queued == 0
    assert not Notification.objects.filter(kind__in=["due_soon", "overdue"]).exists()
