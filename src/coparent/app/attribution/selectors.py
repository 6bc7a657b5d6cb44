"""The attribution page's read: credits per channel or campaign for a period and a model.

Calls `coparent.services.attribution.attribution_report` once per data version
and choice (cached like every fact page), and shapes what the page shows: the
chosen model's credits, every model's totals side by side, the sourced and
influenced revenue of both teams, and campaign cost and ROI when campaigns
carry a cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from coparent import charts
from coparent.app.common.facts import Facts, cached_facts
from coparent.app.dashboards.selectors import resolve_period
from coparent.errors import BadParameter
from coparent.metrics.periods import parse_period
from coparent.models.attribution.journeys import By
from coparent.services.attribution import ModelChoice, attribution_report

__all__ = ["MODEL_NAMES", "AttributionPage", "attribution_get"]

MODEL_NAMES: dict[str, str] = {
    "linear": "linear (equal shares)",
    "first": "first touch",
    "last": "last touch",
    "position": "position-based (U-shaped)",
    "time-decay": "time decay (one-week half-life)",
    "markov": "Markov chain (removal effects)",
}
BY_NAMES: dict[str, str] = {"channel": "channel", "campaign": "campaign"}


@dataclass(frozen=True)
class AttributionPage:
    period: str | None
    choices: list[str]
    model: str
    by: str
    report: Facts[dict[str, Any]]
    credits: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] | None = None
    chart: str = ""


def _choice(value: str | None, allowed: dict[str, str], *, parameter: str, default: str) -> str:
    if not value:
        return default
    if value not in allowed:
        raise BadParameter(
            f"{value!r} is not one of {', '.join(allowed)}", parameter=parameter, hint=""
        )
    return value


def attribution_get(*, period: str | None, model: str | None, by: str | None) -> AttributionPage:
    """The page's data; `BadParameter` for a model, grouping or period that does not exist."""
    chosen_model = _choice(model, MODEL_NAMES, parameter="model", default="linear")
    chosen_by = _choice(by, BY_NAMES, parameter="by", default="channel")
    resolved = resolve_period(period)
    label = resolved.period
    window = (
        parse_period(label, fiscal_year_start_month=resolved.base.fiscal_year_start_month)
        if label
        else None
    )
    report = cached_facts(
        "attribution-page",
        lambda con: attribution_report(
            con,
            settings=resolved.base,
            model=cast(ModelChoice, chosen_model),
            by=cast(By, chosen_by),
            period=window,
        ),
        params={"period": label, "model": chosen_model, "by": chosen_by},
        settings=resolved.base,
        ws=resolved.ws,
    )
    if not report.ok or report.value is None:
        return AttributionPage(label, resolved.choices, chosen_model, chosen_by, report)
    value = report.value
    total = float(value["totals"]["value"] or 0.0)
    credits = sorted(
        (
            {**row, "share": float(row["value"] or 0.0) / total if total else None}
            for row in value["credits"]
        ),
        key=lambda r: -float(r["value"] or 0.0),
    )
    returns = value.get("campaign_returns")
    if returns is not None:
        returns = sorted(returns, key=lambda r: -float(r["value"] or 0.0))
    figure = charts.credits_figure(
        [{**c, "name": c.get("campaign_name")} for c in credits],
        model=MODEL_NAMES[chosen_model],
        label="campaign" if chosen_by == "campaign" else "channel",
        period=label or "all time",
        sales_channels=(value["sourcing"] or {}).get("sales_channels") or ("outbound",),
    )
    return AttributionPage(
        label,
        resolved.choices,
        chosen_model,
        chosen_by,
        report,
        credits=credits,
        returns=returns,
        chart=charts.fragment(figure, div_id="chart-attribution"),
    )
