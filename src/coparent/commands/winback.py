"""``coparent winback``: the win-back finder (rank, freeze a list with a holdout, measure it).

Thin: each command parses its options, calls one function of
`coparent.services.winback` and prints a Rich table, JSON (``--json``) or CSV
(``--csv``, formula-like text neutralised for spreadsheets).
"""

from __future__ import annotations

import io
import sys
from datetime import date, datetime
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import typer
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out
from coparent.commands._shared import open_workspace as _open
from coparent.commands._shared import print_json as _print_json
from coparent.metrics import display as fmt

app = typer.Typer(
    name="winback",
    help="Win back lapsing customers: a ranked list, a frozen list with a holdout, its outcome.",
    no_args_is_help=False,  # `coparent winback` alone prints the ranked list
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


AsOfOpt = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Rank as of this day (default: the last order's day).",
        show_default=False,
    ),
]
HorizonOpt = Annotated[
    float,
    typer.Option("--horizon-days", help="Value at stake counts spend over this many days."),
]
MaxAliveOpt = Annotated[
    float,
    typer.Option("--max-p-alive", help="Lapsing: at most this probability of still buying."),
]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _print_csv(rows: list[dict[str, Any]]) -> None:
    from coparent.ingest.export import neutralise_table

    buffer = io.BytesIO()
    if rows:
        pacsv.write_csv(neutralise_table(pa.Table.from_pylist(rows)), buffer)
    sys.stdout.write(buffer.getvalue().decode("utf-8"))


@app.callback(invoke_without_command=True)
def rank(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many accounts to show (0: all).")] = 20,
    horizon_days: HorizonOpt = 365.0,
    max_p_alive: MaxAliveOpt = 0.5,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the accounts as CSV.")] = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Rank lapsing accounts by value at stake, with a reason and the owner to call."""
    if ctx.invoked_subcommand is not None:
        return
    from coparent.services.winback import winback_rank

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--csv")
    if top < 0:
        raise typer.BadParameter("must be 0 (all) or more", param_hint="--top")
    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        report = winback_rank(
            con,
            as_of=_day(as_of),
            top=top or None,
            horizon_days=horizon_days,
            max_p_alive=max_p_alive,
        )
    if as_json:
        _print_json(report)
        return
    if as_csv:
        _print_csv(report["accounts"])
        return
    grid = RichTable(
        "#",
        "account",
        "value at stake",
        "P(alive)",
        "last order",
        "owner to call",
        title=f"Win-back list as of {report['as_of']}: "
        f"{fmt.count(report['lapsing'])} lapsing accounts, "
        f"{fmt.money(report['total_value_at_stake'])} at stake over "
        f"{fmt.days(report['horizon_days'])}",
        title_justify="left",
    )
    for a in report["accounts"]:
        grid.add_row(
            str(a["rank"]),
            a["account_name"] or a["account_id"],
            fmt.money(a["value_at_stake"]),
            fmt.percent(a["p_alive"]),
            a["last_order"],
            a["owner_name"] or a["owner_id"] or "",
        )
    out.print(grid)
    for a in report["accounts"]:
        out.print(
            f"{a['rank']:>3}. {a['account_name'] or a['account_id']}: {a['reason']}", markup=False
        )
    if report["empty"]:
        out.print(f"Nobody to list: {report['empty']['reason']}.", markup=False)
        out.print(f"  hint: {report['empty']['hint']}", markup=False)
    if report["method"] != "none":  # "none": the method note only repeats the reason
        out.print(f"Method: {report['method_note']}.")
    for note in report["notes"]:
        err.print(note, markup=False)


@app.command()
def create(
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many accounts to list (0: all).")] = 100,
    holdout: Annotated[
        float, typer.Option("--holdout", help="Share of the list kept uncontacted.")
    ] = 0.1,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Seed of the holdout draw (default: random, and stored).",
            show_default=False,
        ),
    ] = None,
    horizon_days: HorizonOpt = 365.0,
    max_p_alive: MaxAliveOpt = 0.5,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Freeze the ranked list with a random holdout that is not contacted."""
    from coparent.services.winback import winback_list_create

    if top < 0:
        raise typer.BadParameter("must be 0 (all) or more", param_hint="--top")
    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        result = winback_list_create(
            con,
            workspace=ws,
            as_of=_day(as_of),
            top=top or None,
            holdout_share=holdout,
            seed=seed,
            horizon_days=horizon_days,
            max_p_alive=max_p_alive,
        )
    if as_json:
        _print_json(result)
        return
    out.print(
        f"Created win-back list {result['id']} ({result['method']}, as of {result['as_of']}): "
        f"{fmt.count(result['members'])} accounts, {fmt.count(result['contacted'])} to contact, "
        f"{fmt.count(result['holdout'])} held out (seed {result['seed']}); "
        f"{fmt.money(result['value_at_stake'])} at stake in the list, "
        f"{fmt.money(result['to_contact_value_at_stake'])} of it in the accounts to contact."
    )
    out.print(f"  saved in {result['path']}")
    out.print(f"  measure it later: coparent winback outcome {result['id']}")
    for note in result["notes"]:
        err.print(note, markup=False)


@app.command()
def outcome(
    list_ref: Annotated[str, typer.Argument(metavar="LIST", help="List id or its .json file.")],
    until: Annotated[
        datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            help="Count orders up to this day (default: all).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Compare reactivation of contacted and held-out accounts since the list's date."""
    from coparent.services.winback import winback_outcome

    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        result = winback_outcome(con, workspace=ws, list_ref=list_ref, until=_day(until))
    if as_json:
        _print_json(result)
        return
    grid = RichTable(
        "group",
        "accounts",
        "reactivated",
        "rate",
        "95% interval",
        "revenue",
        title=f"Win-back list {result['list_id']}: orders after {result['as_of']} "
        f"until {result['measured_until']} ({result['window_days']} days)",
        title_justify="left",
    )
    for name in ("contacted", "holdout"):
        g = result[name]
        interval = (
            fmt.missing()
            if g["ci_low"] is None
            else f"{fmt.percent(g['ci_low'])} to {fmt.percent(g['ci_high'])}"
        )
        grid.add_row(
            name,
            fmt.count(g["n"]),
            fmt.count(g["reactivated"]),
            fmt.percent(g["rate"]),
            interval,
            fmt.money(g["revenue"]),
        )
    out.print(grid)
    out.print(f"Verdict: {result['verdict']}.")
