"""``coparent scorecard`` and ``coparent diagnose``: the shared numbers in a terminal.

Both call one service and print its report as Rich tables, or the report
itself with ``--json`` (schemas in docs/scorecard.md and docs/diagnosis.md).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, out
from coparent.commands._shared import open_workspace as _open
from coparent.metrics.periods import parse_period
from coparent.settings import Settings

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
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


def _money(value: Any) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _hours(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _dump(report: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")


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
    report = scorecard_report(
        ws.connect(settings), period=period, settings=settings, as_of=_as_of(as_of)
    )
    if as_json:
        _dump(report)
    else:
        print_scorecard(report, out)


def print_scorecard(report: dict[str, Any], console: Console) -> None:
    """Render a scorecard report: goal on top, Marketing and Sales side by side, then funnel."""
    period = report["period"]
    console.print(f"[bold]Scorecard {period['label']}[/bold]  ({period['rule']})")
    goal = report.get("goal")
    if goal:
        console.print(
            f"Shared goal: {_money(goal['actual'])} of {_money(goal['target'])} won "
            f"({_pct(goal['progress'])}), forecast {_money(goal['forecast'])}: {goal['status']}"
        )
    console.print(
        f"Won revenue {_money(report['revenue'])} from {report['won']} deals; "
        f"win rate {_pct(report['win_rate'])}; open pipeline "
        f"{_money((report.get('pipeline') or {}).get('amount'))}"
    )
    sla = report.get("sla") or {}
    marketing, sales = sla.get("marketing") or {}, sla.get("sales") or {}
    teams = RichTable(
        "Marketing",
        "",
        "Sales",
        "",
        title="Marketing and Sales, side by side",
        title_justify="left",
    )
    committed = marketing.get("committed")
    teams.add_row(
        "MQLs delivered",
        f"{marketing.get('mqls_delivered', '-')}"
        + (f" of {committed:,.0f} committed" if committed else ""),
        f"Contacted within {sales.get('sla_hours', 24):g} h",
        _pct(sales.get("share_within_sla")),
    )
    teams.add_row(
        "Accepted by Sales",
        _pct(marketing.get("acceptance_rate")),
        "Median time to first contact",
        _hours(sales.get("median_hours")),
    )
    teams.add_row(
        "",
        "",
        "Attempts per MQL",
        "-" if sales.get("attempts_per_mql") is None else f"{sales['attempts_per_mql']:.1f}",
    )
    console.print(teams)
    funnel = RichTable(
        "stage", "count", "conversion", title="Funnel of the period's MQLs", title_justify="left"
    )
    for row in report.get("funnel") or []:
        funnel.add_row(row["stage"], f"{row['count']:,}", _pct(row.get("conversion")))
    if report.get("funnel"):
        console.print(funnel)
    products = RichTable(
        "product", "won", "lost", "win rate", "revenue", title="Products", title_justify="left"
    )
    for row in report.get("products") or []:
        products.add_row(
            row.get("name") or row["product_id"],
            str(row["won"]),
            str(row["lost"]),
            _pct(row["win_rate"]),
            _money(row["revenue"]),
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
    report = diagnosis_report(
        ws.connect(settings),
        period=period,
        against=_against(against),
        by=_by(by),
        settings=settings,
        as_of=_as_of(as_of),
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
        return f"{value:,.0f}"
    if factor == "deal_size":
        return _money(value)
    return _pct(value)


def print_diagnosis_headline(report: dict[str, Any], console: Console) -> None:
    console.print(
        f"[bold]Diagnosis {report['period']} against {report['baseline']}:[/bold] "
        f"{report['headline']}"
    )


def print_diagnosis(report: dict[str, Any], console: Console) -> None:
    """Render a diagnosis report: headline, effects by factor, verdicts, narrative."""
    print_diagnosis_headline(report, console)
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
            f"{row['amount']:+,.0f}",
            "" if row["significant"] else "within normal variation",
        )
    totals.add_row("[bold]change[/bold]", "", "", f"{revenue['change']:+,.0f}", "")
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
