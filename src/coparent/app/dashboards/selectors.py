"""Reads for the pages that show facts: scorecard, diagnosis, funnel & SLA, products.

Each selector resolves the period (the scorecard's default when none is
given), turns the owner's goal and SLA terms into `Settings` overrides (the
``app`` layer: ``coparent serve --setting`` still wins, as on the CLI), and
calls one core service through the report cache; chart fragments are cached
beside the report they are drawn from. A period the data do not reach comes
back as a report whose ``missing`` says so (``error`` keeps the
`PeriodOutOfRange` for the API), so the page keeps its pickers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar

from coparent import charts
from coparent.app.common.facts import (
    Facts,
    cached_facts,
    cached_value,
    core_settings,
    core_settings_sourced,
    workspace,
)
from coparent.app.goals.selectors import GoalForPeriod, core_overrides, goal_for_period
from coparent.diagnosis.contracts import DiagnosisReport
from coparent.errors import BadParameter, PeriodOutOfRange
from coparent.metrics.contracts import ScorecardReport
from coparent.metrics.periods import Period, parse_period, period_containing
from coparent.services.diagnosis import diagnosis_report
from coparent.services.scorecard import scorecard_report
from coparent.services.web_facts import recent_won_deals
from coparent.services.web_funnel import FUNNEL_SEGMENTS, FunnelBy, funnel_report
from coparent.services.web_products import product_report
from coparent.settings import Settings
from coparent.workspace import Workspace

__all__ = [
    "AGAINST",
    "SEGMENTS",
    "Resolved",
    "diagnosis_for",
    "diagnosis_get",
    "funnel_get",
    "period_choices",
    "product_get",
    "resolve_period",
    "scorecard_charts_get",
    "scorecard_for",
    "scorecard_get",
    "won_deals_get",
]

Against = Literal["previous", "last-year", "goal"]
AGAINST: dict[str, str] = {
    "previous": "the period before",
    "last-year": "the same period last year",
    "goal": "the goal",
}
SEGMENTS: dict[str, str] = {"product": "product", "channel": "channel"}
_PERIOD_HINT = "use 2026-Q3 (quarter), 2026-07 (month) or 2026 (year)"
T = TypeVar("T")


@dataclass(frozen=True)
class Resolved:
    """A period label (None: no data to pick one from) and the settings to compute it with."""

    period: str | None
    settings: Settings
    ws: Workspace
    default: Facts[ScorecardReport]
    base: Settings
    choices: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    base_sources: dict[str, str] = field(default_factory=dict)

    @property
    def goal(self) -> GoalForPeriod | None:
        if self.period is None:
            return None
        fy = self.settings.fiscal_year_start_month
        return goal_for_period(period=self.period, fiscal_year_start_month=fy)


def _settings_for(ws: Workspace, period: str | None, fy: int) -> tuple[Settings, dict[str, str]]:
    app = core_overrides(period=period, fiscal_year_start_month=fy)
    settings, sources = core_settings_sourced(ws, app=app)
    return settings, dict(sources)


def _default_report(
    ws: Workspace, base: Settings, sources: dict[str, str]
) -> Facts[ScorecardReport]:
    return cached_facts(
        "scorecard",
        lambda con: scorecard_report(con, settings=base, sources=sources),
        params={"period": None, "sources": sources},
        settings=base,
        ws=ws,
    )


def _within_data(produce: Callable[[], Facts[T]]) -> Facts[T]:
    """A report, or the period the data do not reach as its message (the API raises it)."""
    try:
        return produce()
    except PeriodOutOfRange as exc:
        return Facts(None, missing=exc.message, hint=exc.hint, error=exc)


def _with_data(labels: list[str], *, first: str | None, last: str | None, fy: int) -> list[str]:
    """The labels of periods that share a day with the data (all of them without its dates)."""
    if not first or not last:
        return labels
    start, end = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    kept = []
    for label in labels:
        p = parse_period(label, fiscal_year_start_month=fy)
        if p.start <= end and p.end > start:
            kept.append(label)
    return kept


def period_choices(
    *,
    default: str,
    as_of: str | None,
    fiscal_year_start_month: int,
    first: str | None = None,
    last: str | None = None,
) -> list[str]:
    """Quarters and months to pick from: the current ones, then going back two years.

    Only periods that share a day with the data (``first`` to ``last``, its
    first and last dates) are offered: any other is an error, not a choice.

    >>> period_choices(default="2026-Q2", as_of="2026-07-15", fiscal_year_start_month=1)[:6]
    ['2026-Q3', '2026-Q2', '2026-Q1', '2025-Q4', '2025-Q3', '2025-Q2']
    >>> period_choices(default="2026-Q2", as_of="2026-07-15", fiscal_year_start_month=1,
    ...                first="2025-11-20", last="2026-07-15")
    ['2026-Q3', '2026-Q2', '2026-Q1', '2025-Q4', '2026-07', '2026-06', '2026-05', '2026-04', \
'2026-03', '2026-02', '2026-01', '2025-12', '2025-11', '2026', '2025']
    """
    fy = fiscal_year_start_month
    p = parse_period(default, fiscal_year_start_month=fy)
    day = date.fromisoformat(as_of[:10]) if as_of else p.end
    quarters: list[Period] = [period_containing(day, "quarter", fiscal_year_start_month=fy)]
    while len(quarters) < 9:
        quarters.append(quarters[-1].previous())
    months: list[Period] = [period_containing(day, "month", fiscal_year_start_month=fy)]
    while len(months) < 12:
        months.append(months[-1].previous())
    years = [period_containing(day, "year", fiscal_year_start_month=fy)]
    years.append(years[0].previous())
    labels = [q.label for q in quarters] + [m.label for m in months] + [y.label for y in years]
    if p.label not in labels:
        labels.insert(0, p.label)
    return _with_data(labels, first=first, last=last, fy=fy)


def resolve_period(period: str | None) -> Resolved:
    """The period to show and the settings (with the owner's goal and SLA terms) for it."""
    ws = workspace()
    base, base_sources = _settings_for(ws, None, 1)
    fy = base.fiscal_year_start_month
    if fy != 1:
        base, base_sources = _settings_for(ws, None, fy)
    default = _default_report(ws, base, base_sources)
    label: str | None = None
    if period:
        try:
            label = parse_period(period, fiscal_year_start_month=fy).label
        except PeriodOutOfRange:
            raise  # outside the calendar: the user's error, with its own code
        except ValueError as exc:
            raise BadParameter(str(exc), parameter="period", hint=_PERIOD_HINT) from None
    elif default.ok and default.value is not None:
        label = str(default.value["period"]["label"])
    choices: list[str] = []
    if default.ok and default.value is not None:
        first, last = default.value.get("data_first_at"), default.value.get("data_last_at")
        choices = period_choices(
            default=str(default.value["period"]["label"]),
            as_of=default.value.get("as_of"),
            fiscal_year_start_month=fy,
            first=first,
            last=last,
        )
        if label and label not in choices and _with_data([label], first=first, last=last, fy=fy):
            choices.insert(0, label)
    settings, sources = _settings_for(ws, label, fy)
    return Resolved(label, settings, ws, default, base, choices, sources, base_sources)


def scorecard_get(*, period: str | None) -> tuple[Resolved, Facts[ScorecardReport]]:
    """The scorecard report of ``period`` (default: the latest complete quarter)."""
    r = resolve_period(period)
    return r, scorecard_for(r, default=not period)


def scorecard_for(r: Resolved, *, default: bool = False) -> Facts[ScorecardReport]:
    """The scorecard report of an already resolved period."""
    if r.period is None:
        return r.default
    if default and r.settings == r.base and r.sources == r.base_sources:
        return r.default  # the default report was computed with these very settings
    label = r.period
    return _within_data(
        lambda: cached_facts(
            "scorecard",
            lambda con: scorecard_report(con, period=label, settings=r.settings, sources=r.sources),
            params={"period": label, "sources": r.sources},
            settings=r.settings,
            ws=r.ws,
        )
    )


def scorecard_charts_get(r: Resolved, report: Facts[ScorecardReport]) -> dict[str, str]:
    """The goal and funnel chart fragments of a scorecard report (cached with it)."""
    if not report.ok or report.value is None:
        return {}
    data = report.value

    def build() -> dict[str, str]:
        out = {}
        if goal := data.get("goal"):
            fig = charts.goal_figure(goal, period=data["period"]["label"])
            out["goal"] = charts.fragment(fig, div_id="goal-chart")
        if funnel := data.get("funnel"):
            out["funnel"] = charts.fragment(
                charts.funnel_figure(funnel, period=data["period"]["label"]),
                div_id="funnel-chart",
            )
        return out

    facts = cached_value(
        "scorecard-charts", build, params={"period": r.period}, settings=r.settings, ws=r.ws
    )
    return facts.value or {}


def diagnosis_get(
    *, period: str | None, against: str = "previous", by: str = "product"
) -> tuple[Resolved, Facts[DiagnosisReport], str]:
    """The diagnosis report and its waterfall fragment."""
    if against not in AGAINST:
        raise BadParameter(
            f"not a baseline: {against!r}", parameter="against", hint="previous, last-year or goal"
        )
    if by not in SEGMENTS:
        raise BadParameter(f"not a segment: {by!r}", parameter="by", hint="product or channel")
    r = resolve_period(period)
    report, chart = diagnosis_for(r, against=against, by=by)
    return r, report, chart


def diagnosis_for(
    r: Resolved, *, against: str = "previous", by: str = "product"
) -> tuple[Facts[DiagnosisReport], str]:
    """The diagnosis of an already resolved period, and its waterfall fragment."""
    if r.period is None:
        return Facts(None, r.default.missing, r.default.hint), ""
    label = r.period
    params = {"period": label, "against": against, "by": by}
    report = _within_data(
        lambda: cached_facts(
            "diagnosis",
            lambda con: diagnosis_report(
                con,
                period=label,
                against=against,  # type: ignore[arg-type]
                by=by,  # type: ignore[arg-type]
                settings=r.settings,
                sources=r.sources,
            ),
            params={**params, "sources": r.sources},
            settings=r.settings,
            ws=r.ws,
        )
    )
    chart = ""
    if report.ok and report.value is not None:
        data = report.value
        chart = (
            cached_value(
                "diagnosis-chart",
                lambda: charts.fragment(charts.waterfall_figure(data), div_id="bridge-chart"),
                params=params,
                settings=r.settings,
                ws=r.ws,
            ).value
            or ""
        )
    return report, chart


def funnel_get(
    *, period: str | None, by: str | None
) -> tuple[Resolved, Facts[dict[str, Any]], dict[str, str]]:
    """The Funnel & SLA report of ``period`` by ``by``, and its charts."""
    if by and by not in FUNNEL_SEGMENTS:
        raise BadParameter(
            f"not a segment: {by!r}", parameter="by", hint="product, channel or month"
        )
    r = resolve_period(period)
    if r.period is None:
        return r, Facts(None, r.default.missing, r.default.hint), {}
    label = r.period
    seg: FunnelBy | None = by or None  # type: ignore[assignment]
    params = {"period": label, "by": seg}
    report = _within_data(
        lambda: cached_facts(
            "funnel",
            lambda con: funnel_report(con, period=label, by=seg, settings=r.settings),
            params=params,
            settings=r.settings,
            ws=r.ws,
        )
    )
    card = scorecard_for(r)
    figs: dict[str, str] = {}
    if report.ok and report.value is not None:
        data, speed = report.value, card.value.get("speed_to_lead") if card.value else None

        def build() -> dict[str, str]:
            out = {
                "compliance": charts.fragment(
                    charts.sla_compliance_figure(
                        data["compliance"], sla_hours=data["sla_hours"], every=data["every"]
                    ),
                    div_id="compliance-chart",
                )
            }
            if speed and speed.get("histogram"):
                out["speed"] = charts.fragment(
                    charts.speed_histogram_figure(speed), div_id="speed-chart"
                )
            if data.get("overall"):
                o = data["overall"]
                rows = [
                    {"stage": "mql", "count": o["mqls"], "conversion": None},
                    {
                        "stage": "accepted",
                        "count": o["accepted"],
                        "conversion": o["mql_to_accepted"],
                    },
                    {
                        "stage": "opportunity",
                        "count": o["opportunities"],
                        "conversion": o["accepted_to_opportunity"],
                    },
                ]
                if o.get("won") is not None:
                    rows.append(
                        {"stage": "won", "count": o["won"], "conversion": o["opportunity_to_won"]}
                    )
                out["funnel"] = charts.fragment(
                    charts.funnel_figure(rows, period=label), div_id="funnel-chart"
                )
            return out

        figs = (
            cached_value("funnel-charts", build, params=params, settings=r.settings, ws=r.ws).value
            or {}
        )
    return r, report, figs


def product_get(
    *, product_id: str, period: str | None
) -> tuple[Resolved, Facts[dict[str, Any] | None], str]:
    """One product's report and its loss-reason chart."""
    r = resolve_period(period)
    if r.period is None:
        return r, Facts(None, r.default.missing, r.default.hint), ""
    label = r.period
    params = {"period": label, "product_id": product_id}
    report = _within_data(
        lambda: cached_facts(
            "product",
            lambda con: product_report(
                con, product_id=product_id, period=label, settings=r.settings
            ),
            params=params,
            settings=r.settings,
            ws=r.ws,
        )
    )
    chart = ""
    if report.ok and report.value is not None:
        data = report.value
        chart = (
            cached_value(
                "product-chart",
                lambda: charts.fragment(
                    charts.loss_reasons_figure(
                        data["losses"], product=str(data["product"]["name"]), period=label
                    ),
                    div_id="losses-chart",
                ),
                params=params,
                settings=r.settings,
                ws=r.ws,
            ).value
            or ""
        )
    return r, report, chart


def won_deals_get(*, limit: int = 8) -> Facts[list[dict[str, Any]]]:
    """The latest won deals with the people of both teams behind them."""
    ws = workspace()
    return cached_facts(
        "won-deals",
        lambda con: recent_won_deals(con, limit=limit),
        params={"limit": limit},
        settings=core_settings(ws),
        ws=ws,
    )
