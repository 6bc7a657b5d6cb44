"""``coparent scorecard`` and ``coparent diagnose``: the shared numbers in a terminal.

Both call one service and print its report as Rich tables, or the report
itself with ``--json`` (schemas in docs/scorecard.md and docs/diagnosis.md).
The goal and SLA terms set in the app apply here too (`decided_settings`):
``--setting`` first, then the app database, then the environment and the
settings file; ``goal.source`` says which one the goal came from. Numbers
are formatted by `coparent.metrics.display` and labelled as the registry
names them, so the terminal reads like the web page and the digest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, decided_settings, out
from coparent.commands._shared import open_workspace as _open
from coparent.diagnosis.contracts import DiagnosisReport
from coparent.errors import PeriodOutOfRange
from coparent.metrics import display as fmt
from coparent.metrics.contracts import ScorecardReport
from coparent.metrics.periods import parse_period
from coparent.metrics.registry import lookup, metric
from coparent.plain import dumps
from coparent.settings import Settings, source_words

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

__all__ = ["diagnose", "print_diagnosis_headline", "print_scorecard", "scorecard"]


PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="2026-Q3, 2026-07, 2026 or FY2026[-Q1]; default: the latest complete quarter.",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Treat the data as of this date (YYYY-MM-DD).", show_default=False
    ),
]


def _check_period(period: str | None, settings: Settings) -> None:
    if period is None:
        return
    try:
        parse_period(period, fiscal_year_start_month=settings.fiscal_year_start_month)
    except PeriodOutOfRange:
        raise  # a user error with its hint (exit 1), not a usage error
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def _goal_period(
    con: BaseBackend, period: str | None, as_of: date | None
) -> Callable[[Settings], str | None]:
    """The period whose app goal applies: the one given, else the reports' default."""

    def label(settings: Settings) -> str | None:
        if period is not None:
            return period
        from coparent.metrics.freshness import data_range_in, default_period

        fy = settings.fiscal_year_start_month
        found = default_period(data_range_in(con), as_of=as_of, fiscal_year_start_month=fy)
        return found.label if found is not None else None

    return label


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


_money, _pct = fmt.money, fmt.percent


def _show(report: ScorecardReport, name: str) -> str:
    """Registered metric ``name`` of the scorecard ``report``, as the web page shows it.

    Without its inputs it reads "no data"; the report's notes say what to import.
    """
    return fmt.value(name, lookup(report, metric(name).path))


def _dump(report: ScorecardReport | DiagnosisReport) -> None:
    sys.stdout.write(dumps(report) + "\n")


def scorecard(
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The shared scorecard: goal, both SLAs side by side, funnel, products."""
    from coparent.services.scorecard import scorecard_report

    ws, settings = _open(workspace, setting)
    _check_period(period, settings)
    day = _as_of(as_of)
    with ws.open(settings) as con:
        settings, sources = decided_settings(ws, setting, period=_goal_period(con, period, day))
        report = scorecard_report(con, period=period, settings=settings, as_of=day, sources=sources)
    if as_json:
        _dump(report)
    else:
        print_scorecard(report, out)


def print_scorecard(report: ScorecardReport, console: Console) -> None:
    """Render a scorecard report: goal on top, Marketing and Sales side by side, then funnel."""
    period = report["period"]
    console.print(f"[bold]Scorecard {period['label']}[/bold]  ({period['rule']})")
    goal = report.get("goal")
    if goal:
        console.print(
            f"Shared goal: {_money(goal['actual'])} of {_money(goal['target'])} won "
            f"({_pct(goal['progress'])}), forecast {_money(goal['forecast'])}: {goal['status']}"
            f"  (goal from {source_words(goal.get('source', ''), 'goal_won_revenue')})"
        )
    console.print(
        f"Deals closed in {period['label']}: {fmt.label('won_revenue').lower()} "
        f"{_show(report, 'won_revenue')} from {_show(report, 'won_deals')} "
        f"deal{'' if (report.get('won') or 0) == 1 else 's'}; "
        f"{fmt.label('win_rate').lower()} {_show(report, 'win_rate')}; "
        f"{fmt.label('open_pipeline').lower()} {_show(report, 'open_pipeline')}"
    )
    marketing, sales = report["sla"]["marketing"], report["sla"]["sales"]
    teams = RichTable(
        "Marketing",
        "",
        "Sales",
        "",
        title="Marketing and Sales, side by side",
        title_justify="left",
    )
    committed = marketing["committed"] if marketing else None
    teams.add_row(
        fmt.label("mqls"),
        _show(report, "mqls") + (f" of {fmt.count(committed)} committed" if committed else ""),
        fmt.label("sales_sla_share", sla_hours=sales["sla_hours"] if sales else None),
        _show(report, "sales_sla_share"),
    )
    teams.add_row(
        fmt.label("acceptance_rate"),
        _show(report, "acceptance_rate"),
        fmt.label("median_hours_to_contact"),
        _show(report, "median_hours_to_contact"),
    )
    teams.add_row(
        fmt.label("mql_to_accepted"),
        _show(report, "mql_to_accepted"),
        fmt.label("attempts_per_mql"),
        _show(report, "attempts_per_mql"),
    )
    console.print(teams)
    funnel = RichTable("stage", "MQLs", "of the step before")
    for i, row in enumerate(report.get("funnel") or []):
        step = _pct(row.get("conversion")) if i else ""
        funnel.add_row(row["stage"], fmt.count(row["count"]), step)
    if report.get("funnel"):
        console.print(
            f"MQLs of {period['label']} and how far they got by {report.get('as_of')} "
            "(a cohort, not flows)",
            style="italic",
        )
        console.print(funnel)
    products = RichTable(
        "product",
        "won",
        "lost",
        "win rate",
        "revenue",
        title=f"Products: deals closed in {period['label']}",
        title_justify="left",
    )
    for product in report["products"]:
        products.add_row(
            product["name"] or product["product_id"],
            fmt.count(product["won"]),
            fmt.count(product["lost"]),
            _pct(product["win_rate"]),
            _money(product["revenue"]),
        )
    console.print(products)
    for note in report.get("notes") or []:
        console.print(f"note: {note}")


def diagnose(
    period: PeriodOpt = None,
    against: Annotated[str, typer.Option(help="previous, last-year or goal.")] = "previous",
    by: Annotated[str, typer.Option(help="product or channel.")] = "product",
    as_of: AsOfOpt = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where a revenue change came from, with noise flagged: stages and numbers, not people."""
    from coparent.services.diagnosis import diagnosis_report

    if against not in ("previous", "last-year", "goal"):
        raise typer.BadParameter("use previous, last-year or goal", param_hint="--against")
    if by not in ("product", "channel"):
        raise typer.BadParameter("use product or channel", param_hint="--by")
    ws, settings = _open(workspace, setting)
    _check_period(period, settings)
    day = _as_of(as_of)
    with ws.open(settings) as con:
        settings, sources = decided_settings(ws, setting, period=_goal_period(con, period, day))
        report = diagnosis_report(
            con,
            period=period,
            against=_against(against),
            by=_by(by),
            settings=settings,
            as_of=day,
            sources=sources,
        )
    if as_json:
        _dump(report)
        return
    print_diagnosis(report, out)


def _against(value: str) -> Literal["previous", "last-year", "goal"]:
    return "goal" if value == "goal" else "last-year" if value == "last-year" else "previous"


def _by(value: str) -> Literal["product", "channel"]:
    return "channel" if value == "channel" else "product"


def _factor(factor: str, value: float | None) -> str:
    if value is None:
        return "-"
    if factor == "volume":
        return fmt.count(value)
    if factor == "pace":
        return fmt.decimal(value, digits=2)
    if factor == "deal_size":
        return _money(value)
    return _pct(value)


def print_diagnosis_headline(report: DiagnosisReport, console: Console) -> None:
    console.print(
        f"[bold]Diagnosis {report['period']} against {report['baseline']}:[/bold] "
        f"{report['headline']}"
    )


def print_diagnosis(report: DiagnosisReport, console: Console) -> None:
    """Render a diagnosis report: headline, effects by factor, verdicts, narrative."""
    print_diagnosis_headline(report, console)
    goal = report.get("goal")
    if goal:
        console.print(
            f"Goal: {_money(goal['revenue'])} won revenue in {report['period']}, other rates from "
            f"{goal['rates_from']} (goal from "
            f"{source_words(goal.get('source', ''), 'goal_won_revenue')})"
        )
    revenue = report["revenue"]
    totals = RichTable(
        "factor",
        "from",
        "to",
        "effect on revenue",
        "",
        title=f"Where the change came from: {_money(revenue['baseline'])} to "
        f"{_money(revenue['current'])}",
        title_justify="left",
    )
    for row in report.get("factor_totals") or []:
        totals.add_row(
            row["factor"],
            _factor(row["factor"], row["baseline"]),
            _factor(row["factor"], row["current"]),
            fmt.money(row["amount"], signed=True),
            "" if row["significant"] else "within normal variation",
        )
    totals.add_row("[bold]change[/bold]", "", "", fmt.money(revenue["change"], signed=True), "")
    console.print(totals)
    verdicts = RichTable(
        report["segment_by"], "signal", "evidence", title="Verdicts", title_justify="left"
    )
    for verdict in report.get("verdicts") or []:
        evidence = (verdict.get("evidence") or [""])[0]
        verdicts.add_row(verdict.get("name") or verdict["segment"], verdict["signal"], evidence)
    console.print(verdicts)
    console.print(report["narrative"])
    for note in report.get("notes") or []:
        console.print(f"note: {note}")
