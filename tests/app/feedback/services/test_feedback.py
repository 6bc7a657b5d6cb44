"""The feedback loop: every item waits for the other side, with a due date; answers are timed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.feedback.selectors import (
    feedback_balance,
    feedback_counts,
    feedback_queue,
    feedback_response_times,
    reviewed_lead_ids,
)
from coparent.app.feedback.services import (
    feedback_item_answer,
    feedback_item_close,
    feedback_item_create,
    lead_review_create,
)
from coparent.app.goals.services import sla_terms_set
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Company

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=datetime.now().astimezone().tzinfo).astimezone()


def actor(people: dict[str, Any], role: str, *, single_team: bool = False) -> Actor:
    user = people[role]
    m = user.membership
    return Actor(user=user, role=m.role, team=m.team, company=Company(single_team=single_team))


def test_a_rejected_mql_waits_for_marketing_with_a_due_date(people: dict[str, Any]) -> None:
    review = lead_review_create(
        actor=actor(people, "member_sales"),
        lead_id="L1",
        verdict="rejected",
        reason="No budget",
        product_id="p1",
        now=T0,
    )
    item = review.item
    assert item is not None
    assert (item.side, item.waiting_for, item.lead_id, item.product_id) == (
        "sales",
        "marketing",
        "L1",
        "p1",
    )
    assert item.due_at == T0 + timedelta(days=2)
    assert list(feedback_queue(side="marketing")) == [item]
    assert reviewed_lead_ids() == {"L1"}


def test_an_accepted_mql_is_recorded_and_waits_for_nobody(people: dict[str, Any]) -> None:
    review = lead_review_create(
        actor=actor(people, "champion_sales"), lead_id="L2", verdict="accepted"
    )
    assert review.item is None
    assert not FeedbackItem.objects.exists()


def test_a_rejection_needs_a_reason_and_a_lead_is_reviewed_once(people: dict[str, Any]) -> None:
    sales = actor(people, "member_sales")
    with pytest.raises(ValidationError, match="why"):
        lead_review_create(actor=sales, lead_id="L3", verdict="rejected", reason=" ")
    lead_review_create(actor=sales, lead_id="L3", verdict="accepted")
    with pytest.raises(ValidationError, match="already reviewed"):
        lead_review_create(actor=sales, lead_id="L3", verdict="rejected", reason="x")
    assert LeadReview.objects.count() == 1
    assert not FeedbackItem.objects.exists()  # the refused rejection left nothing behind


def test_marketing_cannot_review_mqls_but_may_in_single_team_mode(people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        lead_review_create(
            actor=actor(people, "member_marketing"), lead_id="L4", verdict="accepted"
        )
    lead_review_create(
        actor=actor(people, "member_marketing", single_team=True), lead_id="L4", verdict="accepted"
    )


def test_insights_wait_for_marketing_and_briefs_for_sales(people: dict[str, Any]) -> None:
    sla_terms_set(
        set_by=None, mql_commitment_per_month=0, first_contact_hours=24, answer_within_days=5
    )
    insight = feedback_item_create(
        actor=actor(people, "member_sales"),
        kind="field_insight",
        title="Asked for SSO",
        topic="product_gap",
        now=T0,
    )
    brief = feedback_item_create(
        actor=actor(people, "member_marketing"), kind="campaign_brief", title="Webinar", now=T0
    )
    assert (insight.waiting_for, brief.waiting_for) == ("marketing", "sales")
    assert insight.due_at == T0 + timedelta(days=5)
    with pytest.raises(PermissionDenied):
        feedback_item_create(
            actor=actor(people, "member_marketing"), kind="field_insight", title="x"
        )


def test_only_the_side_it_waits_for_answers_and_only_the_authors_side_closes(
    people: dict[str, Any],
) -> None:
    item = feedback_item_create(
        actor=actor(people, "member_sales"),
        kind="field_insight",
        title="Competitor X is cheaper",
        topic="competitor",
        now=T0,
    )
    with pytest.raises(PermissionDenied):
        feedback_item_answer(actor=actor(people, "champion_sales"), item_id=item.pk, answer="x")
    answered = feedback_item_answer(
        actor=actor(people, "member_marketing"),
        item_id=item.pk,
        answer="We will add a battlecard",
        now=T0 + timedelta(hours=5),
    )
    assert answered.status == "answered"
    with pytest.raises(ValidationError, match="already answered"):
        feedback_item_answer(actor=actor(people, "owner"), item_id=item.pk, answer="again")
    with pytest.raises(PermissionDenied):
        feedback_item_close(actor=actor(people, "member_marketing"), item_id=item.pk)
    assert feedback_item_close(actor=actor(people, "member_sales"), item_id=item.pk).status == (
        "closed"
    )


def test_counts_overdue_items_and_times_answers_both_ways(people: dict[str, Any]) -> None:
    now = T0 + timedelta(days=10)
    for hours, side_actor in ((5, "member_marketing"), (30, "member_marketing")):
        item = feedback_item_create(
            actor=actor(people, "member_sales"),
            kind="field_insight",
            title="x",
            topic="other",
            now=T0,
        )
        feedback_item_answer(
            actor=actor(people, side_actor),
            item_id=item.pk,
            answer="ok",
            now=T0 + timedelta(hours=hours),
        )
    feedback_item_create(
        actor=actor(people, "member_marketing"), kind="campaign_brief", title="late one", now=T0
    )
    counts = feedback_counts(now=now)
    assert counts == {
        "marketing": {"waiting": 0, "overdue": 0},
        "sales": {"waiting": 1, "overdue": 1},
    }
    times = feedback_response_times(now=now)
    assert times["marketing"] == {"answered": 2, "median_hours": 17.5, "on_time_share": 1.0}
    assert times["sales"]["answered"] == 0
    assert times["sales"]["median_hours"] is None
    balance = feedback_balance(now=now)
    assert balance == {
        "marketing": {"posted": 1, "answered": 2},
        "sales": {"posted": 2, "answered": 0},
    }
