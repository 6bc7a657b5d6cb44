"""``coparent attribution``: who made the revenue, credited the same way for both teams.

A thin Typer shell over `coparent.services.attribution`: it parses options,
calls one service and prints Rich tables (or the report as JSON with
``--json``). cli.py registers it with ``app.command("attribution")(attribution)``;
the application's error handler turns a `CoparentError` (a rejected path file
lists its located issues) into lines on stderr and exit code 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out
from coparent.commands.reports import PeriodOpt
from coparent.errors import PeriodOutOfRange
from coparent.metrics.periods import Period, parse_period
from coparent.plain import dumps
from coparent.settings import Settings, parse_setting_value
from coparent.workspace import Workspace, resolve_workspace_path

__all__ = ["ByOption", "ConversionOption", "JourneyOption", "ModelOption", "attribution"]


_TITLES = {
    "marketing_sourced": "Sourced by Marketing (first step a marketing touch)",
    "sales_sourced": "Sourced by Sales (first step a sales activity or outbound)",
    "no_touch_recorded": "No step recorded before the win",
    "marketing_influenced": "Influenced by Marketing (any marketing touch)",
    "sales_influenced": "Influenced by Sales (any sales step)",
    "both_teams": "Worked by both teams",
}


class ModelOption(str, Enum):
    first = "first"
    last = "last"
    linear = "linear"
    position = "position"
    time_decay = "time-decay"
    markov = "markov"
    all = "all"


class ByOption(str, Enum):
    channel = "channel"
    campaign = "campaign"


class ConversionOption(str, Enum):
    opportunity = "opportunity"
    won = "won"


class JourneyOption(str, Enum):
    lead = "lead"
    account = "account"


def attribution(
    model: Annotated[
        ModelOption, typer.Option("--model", help="Attribution model, or all of them side by side.")
    ] = ModelOption.all,
    by: Annotated[
        ByOption | None,
        typer.Option("--by", help="Credit channels or campaigns. Default: channel."),
    ] = None,
    conversion: Annotated[
        ConversionOption | None,
        typer.Option(
            "--conversion",
            help="What ends a journey: its first opportunity created, or won. "
            "Default: opportunity.",
        ),
    ] = None,
    order: Annotated[
        int, typer.Option("--order", min=1, max=4, help="Markov chain order (memory of K steps).")
    ] = 1,
    paths: Annotated[
        Path | None,
        typer.Option(
            "--paths",
            help="Read an aggregated path file (path;total_conversions;total_conversion_value;"
            "total_null) instead of the warehouse.",
        ),
    ] = None,
    sep: Annotated[
        str | None,
        typer.Option("--sep", help="Separator between channels in a path. Default: ' > '."),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            help="Field separator of the path file: ';', ',', 'tab', '|'. Default: ';'.",
        ),
    ] = None,
    journey: Annotated[
        JourneyOption | None,
        typer.Option(
            "--journey", help="Whose journey: each lead's, or each account's. Default: lead."
        ),
    ] = None,
    half_life: Annotated[
        float,
        typer.Option("--half-life", min=0.001, help="Time-decay half-life in days."),
    ] = 7.0,
    position: Annotated[
        str,
        typer.Option("--position", help="Position-based weights first/middle/last in percent."),
    ] = "40/20/40",
    period: PeriodOpt = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Credit conversions and revenue to the channels (or campaigns) of both teams."""
    from coparent.services.attribution import attribution_paths_report, attribution_report

    weights = _position(position)
    ws = Workspace(resolve_workspace_path(workspace))
    overrides = dict(parse_setting_value(s) for s in setting or [])
    settings: Settings = ws.settings(overrides)
    window = _period(period, settings)
    if paths is not None:
        given_options = (
            ("--by", by),
            ("--conversion", conversion),
            ("--journey", journey),
            ("--period", period),
        )
        for name, given in given_options:
            if given is not None:
                raise typer.BadParameter(
                    "applies to the warehouse's journeys, not to a path file", param_hint=name
                )
        report = attribution_paths_report(
            paths,
            settings=settings,
            model=model.value,
            sep=" > " if sep is None else sep,
            delimiter=_delimiter(delimiter),
            order=order,
            position_weights=weights,
        )
    else:
        for name, text in (("--sep", sep), ("--delimiter", delimiter)):
            if text is not None:
                raise typer.BadParameter("applies to a path file (--paths FILE)", param_hint=name)
        with ws.open(settings) as con:
            if window is not None:
                from coparent.metrics.freshness import check_period, data_range_in

                check_period(window, data_range_in(con))
            report = attribution_report(
                con,
                settings=settings,
                model=model.value,
                by=(by or ByOption.channel).value,
                conversion=(conversion or ConversionOption.opportunity).value,
                journey=(journey or JourneyOption.lead).value,
                order=order,
                half_life_days=half_life,
                position_weights=weights,
                period=window,
            )
    if as_json:
        sys.stdout.write(dumps(report) + "\n")
        return
    _print(report)


def _period(text: str | None, settings: Settings) -> Period | None:
    """The period ``--period`` names, parsed and refused as ``coparent scorecard`` does."""
    if text is None:
        return None
    try:
        return parse_period(text, fiscal_year_start_month=settings.fiscal_year_start_month)
    except PeriodOutOfRange:
        raise  # a user error with its hint (exit 1), not a usage error
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def _position(text: str) -> tuple[float, float, float]:
    parts = text.replace(",", "/").split("/")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3 or min(values) < 0 or abs(sum(values) - 100.0) > 1e-6:
        raise typer.BadParameter(
            "give three percentages first/middle/last that sum to 100, like 40/20/40",
            param_hint="--position",
        )
    return values[0] / 100.0, values[1] / 100.0, values[2] / 100.0


def _compact(value: float) -> str:
    """1,234 / 12.3k / 4.57M: values fit a column whatever the currency's size."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if size >= 1e4:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}"


def _delimiter(text: str | None) -> str:
    if text is None:
        return ";"
    return "\t" if text in ("tab", "\\t") else text


def _print(report: dict[str, Any]) -> None:
    totals = report["totals"]
    source = report["source"]
    where = (
        f"path file {source['file']}"
        if source["kind"] == "path_file"
        else f"{source['journey']} journeys to {source['conversion']}"
    )
    out.print(
        f"Attribution by {report['by']} ({where}): {totals['journeys']:,.0f} journeys, "
        f"{totals['conversions']:,.0f} conversions worth {totals['value']:,.2f} "
        f"on {totals['unique_paths']:,} unique paths"
    )
    names: list[str] = report["models"]
    credits: list[dict[str, Any]] = report["credits"]
    key = "campaign" if report["by"] == "campaign" else "channel"
    labels = sorted(
        {r[key] for r in credits},
        key=lambda x: -sum(r["conversions"] for r in credits if r[key] == x),
    )
    cell = {(r["model"], r[key]): r for r in credits}
    formats: tuple[tuple[str, str, Callable[[float], str]], ...] = (
        ("conversions", "Conversions credited", "{:,.1f}".format),
        ("value", "Value credited", _compact),
    )
    for field, title, fmt in formats:
        grid = RichTable(title=title, title_justify="left")
        grid.add_column(key)
        for name in names:
            grid.add_column(name, justify="right")
        for label in labels:
            grid.add_row(
                label,
                *(fmt(cell[(n, label)][field]) if (n, label) in cell else "" for n in names),
            )
        out.print(grid)
    markov = report["markov"]
    if markov is not None:
        grid = RichTable(
            title=f"Markov order {markov['order']} ({markov['states']:,} states): "
            f"P(conversion) = {markov['conversion_probability']:.4f}",
            title_justify="left",
        )
        for header in ("channel", "removal effect", "on value"):
            grid.add_column(header, justify="left" if header == "channel" else "right")
        for row in sorted(markov["removal_effects"], key=lambda r: -r["removal_effect"]):
            grid.add_row(
                row["channel"], f"{row['removal_effect']:.1%}", f"{row['removal_effect_value']:.1%}"
            )
        out.print(grid)
    sourcing = report["sourcing"]
    if sourcing is not None:
        grid = RichTable(
            title=f"Won revenue, credited to both teams ({sourcing['deals']:,} deals, "
            f"{sourcing['revenue']:,.0f})",
            title_justify="left",
        )
        for header in ("", "deals", "revenue", "share"):
            grid.add_column(header, justify="left" if not header else "right")
        for row in sourcing["rows"]:
            share = row["revenue_share"]
            grid.add_row(
                _TITLES[row["group"]],
                f"{row['deals']:,}",
                f"{row['revenue']:,.0f}",
                "" if share is None else f"{share:.1%}",
            )
        out.print(grid)
    if totals["unattributed_conversions"]:
        out.print(
            f"{totals['unattributed_conversions']:,} conversions "
            f"({totals['unattributed_value']:,.0f}) had no step before them: nothing to credit."
        )
    if totals["unlinked_conversions"]:
        out.print(
            f"{totals['unlinked_conversions']:,} conversions ({totals['unlinked_value']:,.0f}) "
            f"name no {source.get('journey', 'lead')}, so belong to no journey."
        )
    for note in report["notes"]:
        out.print(f"Note: {note}")
    for line in report["warnings"]:
        err.print(line, markup=False)
