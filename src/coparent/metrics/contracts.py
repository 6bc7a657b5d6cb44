"""The scorecard report's contract: every field of `scorecard_report`'s JSON, typed.

One source of truth for the services that build the report, the CLI printers
that read it and the API, whose ``response=`` schema (and so the OpenAPI
document) pydantic derives from these classes. docs/scorecard.md explains
each field; tests/api/test_contracts.py checks the demo's real reports against
them (no extra and no missing keys).

"No data" is null, never 0: a figure whose inputs were never imported is
``None`` (see ``no_data``), which is why most numbers here are optional.

``typing_extensions.TypedDict`` rather than ``typing.TypedDict``: pydantic needs
it on Python 3.11 to build a schema from the class. A key that is not always
there lives in a ``total=False`` subclass (``NotRequired`` is not seen in string
annotations on 3.11, so ``__required_keys__`` would be wrong).
"""

from __future__ import annotations

from typing_extensions import TypedDict

__all__ = [
    "DealTotals",
    "FunnelStage",
    "GoalProgress",
    "HistogramBin",
    "MarketingSla",
    "PeriodInfo",
    "Pipeline",
    "PreviousPeriod",
    "ProductPrevious",
    "ProductRow",
    "SalesCycle",
    "SalesSla",
    "ScorecardChannel",
    "ScorecardPeriod",
    "ScorecardReport",
    "ScorecardSettings",
    "SlaPair",
    "SpeedToLeadSummary",
]


class PeriodInfo(TypedDict):
    label: str
    kind: str
    start: str
    """First day, ISO date."""
    end: str
    """Last day (inclusive), ISO date."""
    days: int


class ScorecardPeriod(PeriodInfo):
    complete: bool
    rule: str
    """Which rule picked the period (``given`` when asked for)."""


class ScorecardSettings(TypedDict):
    fiscal_year_start_month: int
    sales_sla_hours: float
    marketing_mql_commitment: int
    goal_won_revenue: float
    sources: dict[str, str]
    """Setting name -> where it came from (setting, app, settings_file, environment, default)."""


class SalesCycle(TypedDict):
    median: float | None
    mean: float | None
    deals: int


class DealTotals(TypedDict):
    revenue: float
    won: int
    lost: int
    closed: int
    win_rate: float | None
    average_deal: float | None
    sales_cycle_days: SalesCycle


class Pipeline(TypedDict):
    as_of: str
    open_deals: int
    amount: float
    unknown_amount: int


class FunnelStage(TypedDict):
    stage: str
    count: int
    conversion: float | None


class HistogramBin(TypedDict):
    label: str
    lower_hours: float | None
    upper_hours: float | None
    count: int
    share: float | None


class SpeedToLeadSummary(TypedDict):
    sla_hours: float
    source: str
    mqls: int
    contacted: int | None
    never_contacted: int | None
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None
    mean_hours: float | None
    share_within_sla: float | None
    histogram: list[HistogramBin]


class SalesSla(TypedDict):
    sla_hours: float
    mqls: int
    met: int | None
    missed: int | None
    pending: int | None
    never_contacted: int | None
    share_within_sla: float | None
    median_hours: float | None
    attempts: int | None
    attempts_per_mql: float | None


class MarketingSla(TypedDict):
    mqls_delivered: int
    commitment_per_month: int | None
    committed: float | None
    committed_to_date: float | None
    delivery_rate: float | None
    accepted: int | None
    rejected: int | None
    undecided: int | None
    acceptance_rate: float | None


class SlaPair(TypedDict):
    sales: SalesSla | None
    marketing: MarketingSla | None


class GoalProgress(TypedDict):
    target: float
    actual: float
    progress: float | None
    elapsed_days: float
    period_days: float
    forecast: float | None
    open_amount: float | None
    trailing_win_rate: float | None
    trailing_cycle_days: float | None
    forecast_pipeline: float | None
    status: str
    rule: str
    forecast_rule: str
    forecast_pipeline_rule: str
    source: str


class ProductPrevious(TypedDict):
    won: int
    lost: int
    win_rate: float | None
    revenue: float


class ProductRow(TypedDict):
    product_id: str
    name: str | None
    won: int
    lost: int
    win_rate: float | None
    revenue: float
    average_deal: float | None
    open_deals: int
    pipeline_amount: float
    previous: ProductPrevious


class ScorecardChannel(TypedDict):
    channel: str
    mqls: int
    median_hours: float | None
    share_within_sla: float | None
    never_contacted: int | None
    acceptance_rate: float | None


class PreviousPeriod(DealTotals):
    period: PeriodInfo
    funnel: list[FunnelStage] | None
    sla: SlaPair


class _ScorecardFields(DealTotals):
    """The fields every scorecard has."""

    period: ScorecardPeriod
    as_of: str
    data_first_at: str | None
    data_last_at: str | None
    settings: ScorecardSettings
    pipeline: Pipeline
    funnel: list[FunnelStage] | None
    speed_to_lead: SpeedToLeadSummary | None
    sla: SlaPair
    goal: GoalProgress | None
    products: list[ProductRow]
    channels: list[ScorecardChannel] | None
    previous: PreviousPeriod
    no_data: dict[str, str]
    """Metric name -> what to import, for each figure left null."""
    notes: list[str]


class ScorecardReport(_ScorecardFields, total=False):
    """`coparent.services.scorecard.scorecard_report`'s report (docs/scorecard.md)."""

    unlinked_leads: int
    """Present with leads: leads naming an opportunity that is not loaded."""
