"""``coparent attribution``: shared credit for the touches of both teams, one JSON-ready report.

Two entry points, one report shape (docs/attribution.md documents every field):

- `attribution_report` reads the warehouse: it builds the journey expressions
  of `coparent.models.attribution.journeys`, executes them (a small vocabulary
  query, then the unique paths: the only data that reaches Python), runs the
  models in numpy, time decay in the engine, and adds the sourced and
  influenced revenue of both teams.
- `attribution_paths_report` reads an already-aggregated path file (located
  errors as in the import, `PathFileRejected`).

    report = attribution_report(con, settings=settings)                 # every model
    report = attribution_report(con, model="markov", order=2, settings=settings)
    report = attribution_paths_report(Path("Data.csv"), settings=settings)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import ibis
import numpy as np
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import MissingDataError
from coparent.metrics.periods import Period
from coparent.models.attribution import (
    DEFAULT_HALF_LIFE_DAYS,
    DEFAULT_POSITION_WEIGHTS,
    GROUPS,
    MODELS,
    SALES_CHANNELS,
    Credits,
    MarkovAttribution,
    PathVocabulary,
    TouchTimesRequired,
    UniquePaths,
    conversion_events,
    first_touch,
    journey_events,
    journey_steps,
    last_touch,
    linear,
    path_vocabulary,
    position_based,
    read_path_file,
    revenue_sourcing,
    time_decay_credits,
    unattributed,
    unique_paths,
)
from coparent.models.attribution.journeys import By, Conversion, Journey
from coparent.models.attribution.pathfile import DEFAULT_DELIMITER, DEFAULT_SEPARATOR
from coparent.settings import Settings
from coparent.warehouse import has_table, read_table

__all__ = [
    "ModelChoice",
    "WarehousePaths",
    "attribution_paths_report",
    "attribution_report",
    "campaign_returns",
    "warehouse_paths",
]

ModelChoice = Literal["first", "last", "linear", "position", "time-decay", "markov", "all"]

NO_TOUCHES = "attribution needs touches, and the warehouse has none in any journey"
NO_TOUCHES_HINT = (
    "import touches with a lead_id (or account_id) per touch: coparent import touches FILE"
)
_UNATTRIBUTED = ("conversions", "value", "unlinked_conversions", "unlinked_value")
PATH_FILE_TIME_DECAY_NOTE = (
    "time-decay needs the time of every touch, which a path file does not have; it is left out"
)


def _models(model: ModelChoice) -> list[str]:
    if model == "all":
        return list(MODELS)
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)} or all")
    return [model]


@dataclass(frozen=True)
class WarehousePaths:
    """The executed path aggregation of the warehouse, and the steps expression behind it."""

    steps: ir.Table
    vocabulary: PathVocabulary
    paths: UniquePaths


def warehouse_paths(
    tables: dict[str, ir.Table],
    *,
    by: By = "channel",
    conversion: Conversion = "opportunity",
    journey: Journey = "lead",
) -> WarehousePaths:
    """Journeys from ``touches`` (+ ``activities``) cut at conversion, aggregated in the engine.

    ``tables`` holds ``touches`` and ``opportunities`` (required) and
    optionally ``activities`` and ``leads``. Two queries: the labels, then
    the unique paths; ``steps`` (the journeys cut at conversion, for time
    decay) is returned unexecuted.
    """
    options = {"activities": tables.get("activities"), "leads": tables.get("leads")}
    events = journey_events(
        tables["touches"], opportunities=tables["opportunities"], journey=journey, by=by, **options
    )
    steps = journey_steps(
        tables["touches"],
        opportunities=tables["opportunities"],
        conversion=conversion,
        journey=journey,
        by=by,
        **options,
    )
    vocabulary = PathVocabulary.from_arrow(path_vocabulary(events, by=by).to_pyarrow())
    if not vocabulary.labels:
        raise MissingDataError(NO_TOUCHES, hint=NO_TOUCHES_HINT)
    outcomes = conversion_events(
        tables["opportunities"], leads=tables.get("leads"), conversion=conversion, journey=journey
    )
    # ordered: float sums over the paths then come out the same, bit for bit, on every run
    paths = unique_paths(events, outcomes=outcomes, vocabulary=vocabulary).order_by("path")
    table = paths.to_pyarrow()
    return WarehousePaths(
        steps, vocabulary, UniquePaths.from_arrow(table, labels=vocabulary.labels)
    )


def _read_tables(
    con: BaseBackend, *, period: Period | None = None, conversion: Conversion = "opportunity"
) -> dict[str, ir.Table]:
    """The tables the journeys read; with ``period``, only what happened within it.

    Touches and activities by ``occurred_at``; deals by the moment that
    converts a journey (``created_at``, or ``closed_at`` for ``won``), so a
    period's report credits the period's conversions to the period's steps.
    """
    tables = {name: read_table(con, name) for name in ("touches", "opportunities")}
    for name in ("activities", "leads"):
        if has_table(con, name):
            tables[name] = con.table(name)
    if period is None:
        return tables
    start, end = ibis.timestamp(period.start_at), ibis.timestamp(period.end_at)
    for name, column in (
        ("touches", "occurred_at"),
        ("activities", "occurred_at"),
        ("opportunities", "closed_at" if conversion == "won" else "created_at"),
    ):
        if name in tables:
            t = tables[name]
            tables[name] = t.filter((t[column] >= start) & (t[column] < end))
    return tables


def campaign_returns(
    con: BaseBackend, credits: list[dict[str, Any]], *, period: Period | None = None
) -> list[dict[str, Any]] | None:
    """Cost and return on investment per campaign and model, when campaigns carry a cost.

    ``credits`` are a campaign report's rows. ROI = (credited value - cost) / cost.
    With ``period``, a campaign's cost is spread evenly over its days (start to
    end, or to the period's end while it runs) and only the period's share
    counts. None when no campaign has a cost (then no ROI can be shown).
    """
    if not has_table(con, "campaigns") or "cost" not in con.table("campaigns").columns:
        return None
    rows = (
        con.table("campaigns")
        .select("campaign_id", "name", "channel", "started_on", "ended_on", "cost")
        .to_pyarrow()
        .to_pylist()
    )
    costed = {r["campaign_id"]: r for r in rows if r["cost"] is not None}
    if not costed:
        return None
    out = []
    for credit in credits:
        campaign = costed.get(credit.get("campaign"))
        if campaign is None:
            continue
        cost = _cost_in(campaign, period)
        value = float(credit["value"] or 0.0)
        out.append(
            {
                "model": credit["model"],
                "campaign": credit["campaign"],
                "name": campaign["name"],
                "channel": credit["channel"],
                "conversions": credit["conversions"],
                "value": value,
                "cost": cost,
                "roi": (value - cost) / cost if cost > 0 else None,
            }
        )
    # A campaign that spent in the period and got no credit returned nothing: -100%, shown.
    for model in dict.fromkeys(c["model"] for c in credits):
        seen = {r["campaign"] for r in out if r["model"] == model}
        for campaign_id, campaign in costed.items():
            cost = _cost_in(campaign, period)
            if campaign_id in seen or cost <= 0:
                continue
            out.append(
                {
                    "model": model,
                    "campaign": campaign_id,
                    "name": campaign["name"],
                    "channel": campaign["channel"],
                    "conversions": 0.0,
                    "value": 0.0,
                    "cost": cost,
                    "roi": -1.0,
                }
            )
    return out


def _cost_in(campaign: dict[str, Any], period: Period | None) -> float:
    """The campaign's cost, or the share of its days that fall in ``period``."""
    cost = float(campaign["cost"])
    if period is None or campaign["started_on"] is None:
        return cost
    first = campaign["started_on"]
    last = campaign["ended_on"] or max(first, period.end - timedelta(days=1))
    days = (last - first).days + 1
    overlap = (min(last, period.end - timedelta(days=1)) - max(first, period.start)).days + 1
    return cost * max(overlap, 0) / days if days > 0 else cost


def _path_credits(
    paths: UniquePaths,
    names: Sequence[str],
    *,
    order: int,
    position_weights: tuple[float, float, float],
) -> tuple[list[Credits], MarkovAttribution | None]:
    out: list[Credits] = []
    markov: MarkovAttribution | None = None
    for name in names:
        if name == "first":
            out.append(first_touch(paths))
        elif name == "last":
            out.append(last_touch(paths))
        elif name == "linear":
            out.append(linear(paths))
        elif name == "position":
            out.append(position_based(paths, weights=position_weights))
        elif name == "markov":
            markov = MarkovAttribution(order=order).fit(paths)
            out.append(markov.credits_)
    return out, markov


def _time_decay(steps: ir.Table, labels: tuple[str, ...], half_life_days: float) -> Credits:
    rows = time_decay_credits(steps, half_life_days=half_life_days).to_pyarrow().to_pylist()
    found = {r["label"]: (r["conversions"] or 0.0, r["value"] or 0.0) for r in rows}
    conv = np.array([found.get(x, (0.0, 0.0))[0] for x in labels], dtype=np.float64)
    value = np.array([found.get(x, (0.0, 0.0))[1] for x in labels], dtype=np.float64)
    return Credits("time-decay", labels, conv, value)


def attribution_report(
    con: BaseBackend,
    *,
    settings: Settings,
    model: ModelChoice = "all",
    by: By = "channel",
    conversion: Conversion = "opportunity",
    journey: Journey = "lead",
    order: int = 1,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    position_weights: tuple[float, float, float] = DEFAULT_POSITION_WEIGHTS,
    sales_channels: Sequence[str] = SALES_CHANNELS,
    period: Period | None = None,
) -> dict[str, Any]:
    """Credits of ``model`` (or all) per channel or campaign, from the warehouse's touches.

    ``period``: only the touches, activities and conversions within it (see
    `_read_tables`); with ``by="campaign"`` the report adds ``campaign_returns``
    (cost and ROI) when campaigns carry a cost.
    """
    del settings  # no attribution setting yet; kept so every service has the same call shape
    names = _models(model)
    tables = _read_tables(con, period=period, conversion=conversion)
    built = warehouse_paths(tables, by=by, conversion=conversion, journey=journey)
    credits, markov = _path_credits(
        built.paths, names, order=order, position_weights=position_weights
    )
    if "time-decay" in names:
        decay = _time_decay(built.steps, built.vocabulary.labels, half_life_days)
        credits.insert(names.index("time-decay"), decay)
    lost = (
        unattributed(
            built.steps,
            opportunities=tables["opportunities"],
            leads=tables.get("leads"),
            conversion=conversion,
            journey=journey,
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    sourcing = revenue_sourcing(
        tables["touches"],
        opportunities=tables["opportunities"],
        activities=tables.get("activities"),
        leads=tables.get("leads"),
        journey=journey,
        sales_channels=sales_channels,
    ).to_pyarrow()
    notes = []
    if "activities" not in tables:
        notes.append(
            "No activities table: paths hold marketing touches only, and sales work shows only "
            "as outbound touches. Import activities (coparent import activities FILE) to credit "
            "calls, emails and meetings."
        )
    report = _report(
        model=model,
        names=names,
        credits=credits,
        markov=markov,
        paths=built.paths,
        channels=dict(zip(built.vocabulary.labels, built.vocabulary.channels, strict=True)),
        by=by,
        source={
            "kind": "warehouse",
            "journey": journey,
            "conversion": conversion,
            "period": None
            if period is None
            else {
                "label": period.label,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            },
        },
        options={
            "order": order,
            "half_life_days": half_life_days,
            "position_weights": list(position_weights),
        },
        unattributed={k: lost[k] or 0 for k in _UNATTRIBUTED},
        sourcing=_sourcing(sourcing, sales_channels),
        notes=notes,
        warnings=[],
    )
    report["campaign_returns"] = None
    if by == "campaign":
        campaign_names = _campaign_names(con)
        for row in report["credits"]:
            row["campaign_name"] = campaign_names.get(row["campaign"])
        report["campaign_returns"] = campaign_returns(con, report["credits"], period=period)
    return report


def _campaign_names(con: BaseBackend) -> dict[str, str]:
    if not has_table(con, "campaigns") or "name" not in con.table("campaigns").columns:
        return {}
    table = con.table("campaigns").select("campaign_id", "name").to_pyarrow()
    return dict(zip(table["campaign_id"].to_pylist(), table["name"].to_pylist(), strict=True))


def attribution_paths_report(
    path: Path,
    *,
    settings: Settings,
    model: ModelChoice = "all",
    sep: str = DEFAULT_SEPARATOR,
    delimiter: str | None = DEFAULT_DELIMITER,
    order: int = 1,
    position_weights: tuple[float, float, float] = DEFAULT_POSITION_WEIGHTS,
) -> dict[str, Any]:
    """Credits of ``model`` (or all but time-decay) from an aggregated path file."""
    names = _models(model)
    if model == "time-decay":
        raise TouchTimesRequired(source=f"the path file {path.name}")
    read = read_path_file(path, settings=settings, sep=sep, delimiter=delimiter)
    notes = []
    if "time-decay" in names:
        names.remove("time-decay")
        notes.append(PATH_FILE_TIME_DECAY_NOTE)
    credits, markov = _path_credits(
        read.paths, names, order=order, position_weights=position_weights
    )
    return _report(
        model=model,
        names=names,
        credits=credits,
        markov=markov,
        paths=read.paths,
        channels=None,
        by="channel",
        source={
            "kind": "path_file",
            "file": str(path),
            "sep": sep,
            "delimiter": delimiter,
            "rows": read.rows,
        },
        options={
            "order": order,
            "half_life_days": None,
            "position_weights": list(position_weights),
        },
        unattributed=dict.fromkeys(_UNATTRIBUTED, 0),
        sourcing=None,
        notes=notes,
        warnings=[w.format() for w in read.warnings],
    )


def _sourcing(table: pa.Table, sales_channels: Sequence[str]) -> dict[str, Any]:
    row = table.to_pylist()[0]
    revenue = float(row["revenue"] or 0.0)
    return {
        "deals": int(row["deals"] or 0),
        "revenue": revenue,
        "sales_channels": list(sales_channels),
        "rows": [
            {
                "group": group,
                "deals": int(row[f"{group}_deals"] or 0),
                "revenue": float(row[f"{group}_revenue"] or 0.0),
                "revenue_share": (float(row[f"{group}_revenue"] or 0.0) / revenue)
                if revenue
                else None,
            }
            for group in GROUPS
        ],
    }


def _report(
    *,
    model: str,
    names: list[str],
    credits: list[Credits],
    markov: MarkovAttribution | None,
    paths: UniquePaths,
    channels: dict[str, str] | None,
    by: str,
    source: dict[str, Any],
    options: dict[str, Any],
    unattributed: dict[str, float],
    sourcing: dict[str, Any] | None,
    notes: list[str],
    warnings: list[str],
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for credit in credits:
        for row in credit.rows():
            if by == "campaign":
                label = row["channel"]
                row["campaign"] = label
                row["channel"] = (channels or {}).get(label, label)
            rows.append(row)
    report: dict[str, Any] = {
        "model": model,
        "models": names,
        "by": by,
        "source": source,
        "options": options,
        "totals": {
            "journeys": paths.total_conversions + paths.total_nulls,
            "unique_paths": paths.n_paths,
            "conversions": paths.total_conversions,
            "value": paths.total_value,
            "nulls": paths.total_nulls,
            "unattributed_conversions": int(unattributed["conversions"]),
            "unattributed_value": float(unattributed["value"]),
            "unlinked_conversions": int(unattributed["unlinked_conversions"]),
            "unlinked_value": float(unattributed["unlinked_value"]),
        },
        "credits": rows,
        "markov": None,
        "sourcing": sourcing,
        "campaign_returns": None,
        "notes": notes,
        "warnings": warnings,
    }
    if markov is not None:
        report["markov"] = {
            "order": markov.order,
            "states": len(markov.states_),
            "conversion_probability": markov.conversion_probability_,
            "value_per_journey": markov.value_per_journey_,
            "removal_effects": [
                {"channel": label, "removal_effect": float(re), "removal_effect_value": float(rv)}
                for label, re, rv in zip(
                    markov.labels_,
                    markov.removal_effects_,
                    markov.removal_effects_value_,
                    strict=True,
                )
            ],
        }
    return report
