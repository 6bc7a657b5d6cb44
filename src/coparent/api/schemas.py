"""API schemas, named ``<Entity><Action>In`` / ``Out``.

The two reports are not restated here: their schemas are the core's TypedDicts
(`coparent.metrics.contracts`, `coparent.diagnosis.contracts`), from which
pydantic derives the response validation and the OpenAPI document, so the
CLI, the pages and the API read one contract.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from coparent.diagnosis.contracts import DiagnosisReport
from coparent.metrics.contracts import ScorecardReport

__all__ = [
    "DiagnosisOut",
    "ErrorOut",
    "FeedbackItemOut",
    "GoalOut",
    "MeOut",
    "ScorecardOut",
    "SubGoalOut",
    "WinCreditOut",
    "WinOut",
]

ScorecardOut = ScorecardReport
"""``GET /api/scorecard``: `coparent.services.scorecard.scorecard_report`'s report."""
DiagnosisOut = DiagnosisReport
"""``GET /api/diagnosis``: `coparent.services.diagnosis.diagnosis_report`'s report."""


class ErrorOut(Schema):
    """Every error the API answers (`coparent.api.errors.error_body`): one shape, a stable code."""

    ok: bool = False
    error: str
    errors: list[dict[str, Any]]
    code: str
    status: int


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
