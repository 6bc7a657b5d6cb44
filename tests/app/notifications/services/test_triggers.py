"""Each trigger queues the right people after the commit, and a run delivers it to local servers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from coparent.app.feedback.services import (
    feedback_item_answer,
    feedback_item_create,
    lead_review_create,
)
from coparent.app.notifications import services
from coparent.app.notifications.models import Notification
from coparent.app.notifications.sending import notify_run
from coparent.app.notifications.services import notify_kudos, notify_mqls
from coparent.app.teams.models import Membership
from coparent.app.wins.models import Win
from coparent.app.wins.services import kudos_give
from tests.app.notifications.helpers import NOW, actor, notify_settings, open_item
from tests.notify.servers import smtp_server, webhook_receiver

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., Any]


def _queued(kind: str) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", "channel"))


def _both(*names: str) -> set[tuple[str, str]]:
    return {(n, c) for n in names for c in ("email", "slack")}


def test_a_field_insight_is_queued_after_the_commit_for_marketing_and_emailed(
    people: dict[str, Any], django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = feedback_item_create(
            actor=actor(people, "member_sales"), kind="field_insight", title="Asked for SSO"
        )
        assert not Notification.objects.exists()  # nothing inside the transaction
    for callback in callbacks:
        callback()
    assert _queued("feedback") == _both("champion_marketing", "member_marketing")
    with smtp_server() as (port, box):
        report = notify_run(settings=notify_settings(smtp_port=port))
    assert (report.sent, report.skipped, report.failed) == (2, 2, 0)  # Slack is off by default
    assert sorted(rcpt for _, (rcpt,) in box.envelopes) == [
        "champion_marketing@example.com",
        "member_marketing@example.com",
    ]
    message = box.messages[0]
    assert message["Subject"] == "Waiting for Marketing: Asked for SSO"
    assert message["From"] == "notify@acme.example"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "field insight from Member Sales" in body
    assert f"https://coparent.acme.example/feedback/{item.pk}/" in body
    skipped = Notification.objects.filter(channel="slack").values_list("reason", flat=True)
    assert set(skipped) == {"Slack is off in the recipient's preferences"}


def test_a_brief_goes_to_sales_and_a_lead_rejection_to_marketing(
    people: dict[str, Any], django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        feedback_item_create(
            actor=actor(people, "member_marketing"), kind="campaign_brief", title="KPI webinar"
        )
        lead_review_create(
            actor=actor(people, "champion_sales"), lead_id="L1", verdict="rejected", reason="Spam"
        )
        lead_review_create(actor=actor(people, "member_sales"), lead_id="L2", verdict="accepted")
    assert _queued("brief") == _both("champion_sales", "member_sales")
    rejected = Notification.objects.filter(kind="feedback")
    assert {(n.recipient.username, n.channel) for n in rejected} == _both(
        "champion_marketing", "member_marketing"
    )
    assert {n.text for n in rejected} == {"Lead L1 rejected: Spam"}
    assert Notification.objects.count() == 8  # an accepted lead waits for nobody
    assert not Notification.objects.filter(recipient__username__in=["owner", "viewer"]).exists()


def test_an_answer_goes_to_the_author_and_closing_at_once_tells_nobody(
    people: dict[str, Any], django_capture_on_commit_callbacks: OnCommit
) -> None:
    first, second = open_item(people), open_item(people, title="Second")
    with django_capture_on_commit_callbacks(execute=True):
        feedback_item_answer(
            actor=actor(people, "champion_marketing"), item_id=first.pk, answer="Added to FAQ"
        )
        feedback_item_answer(
            actor=actor(people, "member_marketing"), item_id=second.pk, answer="Done", close=True
        )
    assert _queued("answer") == _both("member_sales")
    assert Notification.objects.get(kind="answer", channel="email").text == (
        "Prospects ask for SSO: Added to FAQ"
    )


def test_in_single_team_mode_everyone_but_the_owner_and_viewers_is_told(
    people: dict[str, Any], single_team: None, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        feedback_item_create(actor=actor(people, "member_sales"), kind="field_insight", title="X")
    names = {n for n, _ in _queued("feedback")}
    assert names == {"champion_sales", "champion_marketing", "member_marketing"}
    assert {n.heading for n in Notification.objects.all()} == {"Waiting for Marketing work"}


def test_new_mqls_go_to_their_owner_in_sales_else_to_all_of_sales(people: dict[str, Any]) -> None:
    Membership.objects.filter(user=people["member_sales"]).update(person_id="P7")
    leads = [
        {"lead_id": "L-own", "mql_at": NOW - timedelta(hours=3), "owner_id": "P7"},
        {"lead_id": "L-any", "mql_at": NOW - timedelta(days=1), "owner_id": "P9", "channel": "seo"},
        {"lead_id": "L-old", "mql_at": NOW - timedelta(days=30), "owner_id": "P7"},
    ]
    settings = notify_settings()
    assert notify_mqls(leads=leads, settings=settings, now=NOW) == 6
    rows = Notification.objects.filter(kind="mql_review", channel="email")
    assert {(n.item_ref, n.recipient.username) for n in rows} == {
        ("lead:L-own", "member_sales"),
        ("lead:L-any", "champion_sales"),
        ("lead:L-any", "member_sales"),
    }
    assert rows.filter(item_ref="lead:L-any").first().text == "Lead L-any (seo)"  # type: ignore[union-attr]
    assert notify_mqls(leads=leads, settings=settings, now=NOW) == 0  # the next import: nothing new


def test_a_reviewed_mql_is_not_sent_and_leaves_the_count(people: dict[str, Any]) -> None:
    from coparent.app.notifications.selectors import waiting_count

    settings = notify_settings()
    leads = [{"lead_id": "L5", "mql_at": NOW - timedelta(hours=1)}]
    notify_mqls(leads=leads, settings=settings, now=NOW)
    me = actor(people, "member_sales")
    assert waiting_count(actor=me) == 1
    lead_review_create(actor=me, lead_id="L5", verdict="accepted")
    assert waiting_count(actor=me) == 0
    with smtp_server() as (port, box):
        report = notify_run(settings=notify_settings(smtp_port=port), now=NOW)
    assert (report.sent, len(box.messages)) == (0, 0)
    assert set(Notification.objects.values_list("reason", flat=True)) == {
        "it no longer waits (answered, closed or reviewed)"
    }


def test_kudos_and_big_wins_are_posted_to_the_wins_channel_once(
    people: dict[str, Any], django_capture_on_commit_callbacks: OnCommit, monkeypatch: Any
) -> None:
    with webhook_receiver() as wins, webhook_receiver() as team:
        settings = notify_settings(webhook=team.url, notify_slack_wins_url=wins.url)
        monkeypatch.setattr("coparent.app.wins.services.core_settings", lambda: settings)
        with django_capture_on_commit_callbacks(execute=True):
            kudos_give(
                actor=actor(people, "member_sales"),
                message="Great <!channel> webinar",
                to_team="marketing",
            )
        Win.objects.create(
            key="biggest_deal:D1",
            kind="biggest_deal",
            happened_on=NOW.date(),
            story="New biggest deal of 2026-Q4: Acme, $90,000",
            credited=[{"name": "Ana", "team": "sales"}],
            found_at=NOW,
            updated_at=NOW,
        )
        Win.objects.create(
            key="fast_contact:L1",
            kind="fast_contact",
            happened_on=NOW.date(),
            story="Contacted in 5 minutes",
            found_at=NOW,
            updated_at=NOW,
        )
        first = notify_run(settings=settings, now=NOW)
        again = notify_run(settings=settings, now=NOW + timedelta(minutes=5))
    assert (first.sent, again.sent, again.queued) == (2, 0, 0)
    assert (len(wins.requests), len(team.requests)) == (1, 0)
    text = "\n".join(b["text"]["text"] for b in wins.payloads[0]["blocks"] if "text" in b)
    assert "Member Sales to Marketing: Great &lt;!channel&gt; webinar" in text
    assert "New biggest deal of 2026-Q4: Acme, $90,000" in text
    assert "Contacted in 5 minutes" not in text  # not a big win
    assert "<@" not in text  # a channel post mentions nobody


def test_without_a_wins_channel_kudos_queue_nothing(people: dict[str, Any]) -> None:
    kudos = kudos_give(actor=actor(people, "member_sales"), message="Thanks", to_team="both")
    assert notify_kudos(kudos_id=kudos.pk, settings=notify_settings()) == 0
    assert not Notification.objects.exists()


def test_a_failure_to_queue_never_fails_the_action_that_caused_it(
    people: dict[str, Any],
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(rows: Any) -> int:
        raise RuntimeError("the queue table is gone")

    monkeypatch.setattr(services, "notifications_enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        item = feedback_item_create(
            actor=actor(people, "member_sales"), kind="field_insight", title="Still posted"
        )
    item.refresh_from_db()
    assert item.title == "Still posted"
    assert "queueing a notification failed; the action itself stands" in caplog.text


def test_a_failed_delivery_never_touches_the_item_that_caused_it(people: dict[str, Any]) -> None:
    item = open_item(people)
    services.notify_feedback_item(item_id=item.pk, now=NOW)
    with webhook_receiver(statuses=[500]) as hook:
        report = notify_run(settings=notify_settings(smtp_port=1, webhook=hook.url), now=NOW)
    assert (report.failed, report.retrying) == (0, 2)  # both emails: nothing listens on port 1
    item.refresh_from_db()
    assert (item.status, item.title) == ("open", "Prospects ask for SSO")


def test_the_post_import_hook_announces_the_demo_s_newest_mqls_to_sales(
    people: dict[str, Any], workspace: Any
) -> None:
    from datetime import UTC, datetime

    from coparent.app.notifications.services import notifications_after_import

    day_after_data = datetime(2026, 10, 1, 9, tzinfo=UTC)  # the demo's data end on 30 Sep
    detail = notifications_after_import(now=day_after_data)
    rows = Notification.objects.filter(kind="mql_review", channel="email")
    leads = {r.item_ref for r in rows}
    assert leads, detail
    assert detail.startswith(f"{len(leads) * 2 * 2} MQL notices")  # 2 people x 2 channels
    assert {r.recipient.username for r in rows} == {"champion_sales", "member_sales"}
    assert all(r.path.startswith("/feedback/leads/") for r in rows)
    assert notifications_after_import(now=day_after_data).startswith("0 MQL notices")
