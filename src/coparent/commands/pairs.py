"""``coparent pairs``: this round's cross-team pairs and their agendas; start the next round.

Only ``--new`` writes: a bare ``coparent pairs`` shows the latest stored round,
and with none yet says so and points to ``--new``.

Thin: rounds are stored in the workspace's app database (the web app's
``pairs`` app), so the CLI and the /pairs/ page show the same rounds. Django
is configured for the workspace first (`webapp_prepare` also migrates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out
from coparent.commands._shared import open_workspace as _open
from coparent.commands._shared import print_json as _print_json
from coparent.settings import parse_setting_value

if TYPE_CHECKING:
    from coparent.settings import Settings
    from coparent.workspace import Workspace


def _payload(ws: Workspace, settings: Settings, number: int | None, new: bool) -> dict[str, Any]:
    from coparent.app.pairs import selectors, services

    if new:
        created = services.pair_round_create(ws=ws, settings=settings)
        return {**selectors.pair_round_payload(created), "created": True}
    if number is None:
        latest = selectors.pair_round_latest()
        if latest is None:
            return _no_round_yet()
        return {**selectors.pair_round_payload(latest), "created": False}
    stored = selectors.pair_round_get(number=number)
    if stored is not None:
        return {**selectors.pair_round_payload(stored), "created": False}
    computed = services.pair_round_compute(number=number, ws=ws, settings=settings)
    note = (
        f"round {number} is not stored: computed from the rotation over today's people "
        "(when it is started, people who joined or left may change it)"
    )
    return {
        **computed,
        "stored": False,
        "created_at": None,
        "created": False,
        "notes": [note, *computed["notes"]],
    }


NO_ROUND_YET = "no round started yet: `coparent pairs --new` starts round 1"


def _no_round_yet() -> dict[str, Any]:
    """What a bare ``coparent pairs`` shows before any round: nothing stored, nothing started."""
    from coparent.app.teams.models import Company

    company = Company.objects.order_by("pk").first()
    return {
        "round": None,
        "stored": False,
        "created": False,
        "created_at": None,
        "single_team": bool(company is not None and company.single_team),
        "as_of": None,
        "notes": [NO_ROUND_YET],
        "pairs": [],
    }


def _print(report: dict[str, Any]) -> None:
    if report["round"] is None:
        out.print("No pairing round yet. Start the first with: coparent pairs --new", markup=False)
        return
    if report["stored"]:
        made = "started now" if report["created"] else f"started {report['created_at'][:10]}"
    else:
        made = "not stored"
    title = f"Pairs, round {report['round']} ({made})"
    if report["as_of"]:
        title += f"; agendas from the data up to {report['as_of']}"
    grid = RichTable("#", "who", "agenda", title=title, title_justify="left", show_lines=True)
    for i, pair in enumerate(report["pairs"], start=1):
        who = "\n".join(
            f"{m['name']} ({m['side']} work)" if report["single_team"] else
            f"{m['name']} ({m['team']})"
            for m in pair["members"]
        )  # fmt: skip
        grid.add_row(str(i), who, "\n".join(f"- {line}" for line in pair["agenda"]))
    if report["pairs"]:
        out.print(grid)
    else:
        out.print(f"Round {report['round']}: no pairs.")
    for note in report["notes"]:
        out.print(f"note: {note}", markup=False)


def pairs(
    round_number: Annotated[
        int | None,
        typer.Option(
            "--round",
            min=1,
            help="Show round N: stored if it was started, else computed from the rotation.",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="Start (and store) the next round, then show it."),
    ] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Cross-team pairs: the latest round (never starts one: see --new), or round N."""
    from coparent.services.webapp import webapp_prepare

    if new and round_number is not None:
        raise typer.BadParameter(
            "--new starts the next round; leave out --round", param_hint="--new"
        )
    ws, settings = _open(workspace, setting)
    webapp_prepare(ws, overrides=dict(parse_setting_value(s) for s in setting or []))
    from django.core.exceptions import ValidationError

    try:
        report = _payload(ws, settings, round_number, new)
    except ValidationError as exc:  # another process started the same round first
        for text in exc.messages:
            err.print(f"error: {text}", markup=False)
        raise typer.Exit(1) from None
    if as_json:
        _print_json(report)
        return
    _print(report)
