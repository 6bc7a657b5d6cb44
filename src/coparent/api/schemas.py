"""API schemas, named ``<Entity><Action>In`` / ``Out``."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

__all__ = ["FeedbackItemOut", "GoalOut", "MeOut", "SubGoalOut", "WinCreditOut", "WinOut"]


class MeOut(Schema):
    username: str
    role: str
    team: str
    single_team: bool


class FeedbackItemOut(Schema):
    id: int
    kind: str
    side: str
    waiting_for: str
    status: str
    title: str
    body: str
    lead_id: str
    product_id: str
    created_at: datetime
    due_at: datetime
    answered_at: datetime | None
    answer: str


class SubGoalOut(Schema):
    team: str
    metric: str
    target: float


class GoalOut(Schema):
    period: str
    won_revenue: float
    sub_goals: list[SubGoalOut]


class WinCreditOut(Schema):
    name: str
    team: str


class WinOut(Schema):
    kind: str
    key: str
    date: date
    story: str
    teams: list[str]
    credited: list[WinCreditOut]
    evidence: list[str]
    amount: float | None
