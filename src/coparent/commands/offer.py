"""``coparent offer``: the offer lab (economics, A/B test analysis, sample-size planning).

Thin: each command parses its options, calls one function of
`coparent.services.offers` and prints a Rich table or JSON (``--json``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out
from coparent.commands._shared import open_workspace as _open
from coparent.commands._shared import print_json as _print_json

app = typer.Typer(
    name="offer",
    help="Offer lab: what an offer must achieve, whether a test proves it, how long to test.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _pct(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}%}"


@app.command()
def economics(
    price: Annotated[float, typer.Option("--price", help="Full price of one sale.")],
    discount: Annotated[
        float,
        typer.Option("--discount", help="Share of the price the offer gives away (0.2 = 20%)."),
    ],
    margin: Annotated[
        float, typer.Option("--margin", help="Gross margin as a share of the price (0.6 = 60%).")
    ],
    lift: Annotated[
        float | None,
        typer.Option(
            "--lift", help="A relative conversion lift to price (0.3 = +30%).", show_default=False
        ),
    ] = None,
    baseline: Annotated[
        float | None,
        typer.Option("--baseline", help="Conversion rate without the offer.", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Break-even conversion lift of an offer, and what a given lift earns."""
    from coparent.services.offers import offer_economics

    result = offer_economics(
        price=price, discount=discount, margin=margin, lift=lift, baseline=baseline
    )
    if as_json:
        _print_json(result)
        return
    grid = RichTable("", "value", title="Offer economics", title_justify="left")
    grid.add_row("profit per sale at full price", f"{result['profit_per_sale']:,.2f}")
    grid.add_row("profit per sale with the offer", f"{result['profit_per_sale_with_offer']:,.2f}")
    grid.add_row("break-even conversion lift", _pct(result["break_even_lift"]) or "never")
    if result["profit_change"] is not None:
        grid.add_row(f"profit change at a {_pct(lift, 0)} lift", f"{result['profit_change']:+.1%}")
    if result["profit_per_1000_prospects"] is not None:
        grid.add_row(
            "profit per 1,000 prospects, no offer", f"{result['profit_per_1000_prospects']:,.0f}"
        )
    if result["profit_per_1000_prospects_with_offer"] is not None:
        grid.add_row(
            "profit per 1,000 prospects, with offer",
            f"{result['profit_per_1000_prospects_with_offer']:,.0f}",
        )
    out.print(grid)
    out.print(f"In short: {result['verdict']}.")


@app.command()
def analyze(
    experiment: Annotated[
        str | None,
        typer.Option(
            "--experiment", help="Experiment id (default: the most recent).", show_default=False
        ),
    ] = None,
    control: Annotated[
        str | None,
        typer.Option(
            "--control",
            help="Control variant (default: one named control, else the first).",
            show_default=False,
        ),
    ] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")] = 0.05,
    min_lift: Annotated[
        float,
        typer.Option(
            "--min-lift", help="Smallest relative lift worth having (e.g. the break-even lift)."
        ),
    ] = 0.05,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Analyse an A/B test in the experiments table: rates, tests, P(best), SRM, verdict."""
    from coparent.services.offers import offer_analyze

    ws, settings = _open(workspace, setting)
    with ws.open(settings) as con:
        result = offer_analyze(
            con,
            experiment_id=experiment,
            control=control,
            alpha=alpha,
            min_lift=min_lift,
        )
    for note in result["notes"]:
        style = "bold red" if note.startswith("WARNING") else None
        err.print(note, style="yellow" if note.startswith("WATCH") else style, markup=False)
    if as_json:
        _print_json(result)
        return
    grid = RichTable(
        "variant",
        "subjects",
        "conversions",
        "rate",
        f"{1 - alpha:.0%} interval",
        "P(best)",
        "revenue / subject",
        title=f"Experiment {result['experiment_id']} (control: {result['control']})",
        title_justify="left",
    )
    for v in result["variants"]:
        revenue = v["revenue_per_subject"]
        grid.add_row(
            v["variant"],
            f"{v['n']:,}",
            f"{v['conversions']:,}",
            _pct(v["rate"], 2),
            f"{_pct(v['ci_low'], 2)} to {_pct(v['ci_high'], 2)}",
            _pct(v["prob_best"]),
            "" if revenue is None else f"{revenue:,.2f}",
        )
    out.print(grid)
    out.print(
        f"z = {result['z']:.2f}, p = {result['p_value']:.3g}; "
        f"sample ratio check p = {result['srm_p_value']:.3g}"
    )
    out.print(f"Verdict: {result['verdict'].upper()}: {result['verdict_reason']}.")


@app.command()
def plan(
    baseline: Annotated[
        float, typer.Option("--baseline", help="Current conversion rate (0.10 = 10%).")
    ],
    mde: Annotated[
        float, typer.Option("--mde", help="Smallest absolute change to detect (0.02 = 2 points).")
    ],
    power: Annotated[
        float, typer.Option("--power", help="Chance to detect a change of that size.")
    ] = 0.8,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level (two-sided).")] = 0.05,
    variants: Annotated[
        int, typer.Option("--variants", help="Number of variants, control included.")
    ] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Subjects needed per variant to detect a change of --mde from --baseline."""
    from coparent.services.offers import offer_plan

    result = offer_plan(baseline=baseline, mde=mde, power=power, alpha=alpha, variants=variants)
    if as_json:
        _print_json(result)
        return
    out.print(
        f"{result['n_per_variant']:,} subjects per variant ({result['total']:,} in all) to detect "
        f"{_pct(baseline)} -> {_pct(result['target_rate'])} ({result['relative_mde']:+.0%}) "
        f"with {power:.0%} power at alpha {alpha:g}."
    )
