"""``coparent digest``: the weekly digest (the family meeting agenda), previewed or sent.

cli.py registers the function: ``app.command("digest")(digest)``. It prepares
the app database (`webapp_prepare`), runs the wins engine (the ``wins``
post-import hook, skipped when nothing changed) so a scheduled digest
celebrates this week's wins, builds the digest of one ISO week with
`coparent.app.digest.selectors.digest_get`, prints it, and with ``--send``
delivers it through `coparent.app.digest.services.digest_send`.

Exit codes of ``--send``: 0 every channel sent; 1 a channel failed (or
nothing is configured); 3 nothing failed but a channel was refused because
that week's digest was already sent (``--force`` sends it again). Successes
print on stdout, failures and refusals on stderr (each failed attempt is
logged there as it happens), so a cron job that drops stdout still reports them.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out, print_json
from coparent.commands._shared import open_workspace as _open
from coparent.settings import Settings, parse_setting_value

if TYPE_CHECKING:
    from coparent.app.digest.services import ChannelOutcome

__all__ = ["EXIT_FAILED", "EXIT_REFUSED", "digest"]

EXIT_FAILED = 1
EXIT_REFUSED = 3


def _today(settings: Settings) -> date:
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _report(outcome: ChannelOutcome) -> None:
    """One line per channel: sent / failed after N attempts with the error / refused."""
    if outcome.status == "sent":
        to = (
            f"to {_plural(len(outcome.recipients), 'recipient')}"
            if outcome.channel == "email"
            else f"to the {outcome.recipients[0]}"
        )
        out.print(f"{outcome.channel}: sent {to} ({_plural(outcome.attempts, 'attempt')})")
        return
    if outcome.status == "refused":
        err.print(f"{outcome.channel}: refused: {outcome.error}", markup=False)
    else:
        err.print(
            f"{outcome.channel}: failed after {_plural(outcome.attempts, 'attempt')}: "
            f"{outcome.error}",
            markup=False,
        )
    if outcome.hint:
        err.print(f"  hint: {outcome.hint}", markup=False)


def digest(
    preview: Annotated[
        bool,
        typer.Option(
            "--preview", help="Print the digest as text (what happens without --send too)."
        ),
    ] = False,
    send: Annotated[
        bool,
        typer.Option("--send", help="Email it and post it to Slack (whichever is configured)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if this week's digest was already sent.")
    ] = False,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", help="ISO week, e.g. 2026-W48 (default: this week).", show_default=False
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="The week containing this date (YYYY-MM-DD).", show_default=False
        ),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Send only on this channel: email or slack (repeatable)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The weekly digest: scorecard, diagnosis, wins, waiting items, starter projects, pairs."""
    from coparent.notify import parse_week, render_text
    from coparent.services.webapp import webapp_prepare

    if week is not None and day is not None:
        raise typer.BadParameter("give --week or --date, not both", param_hint="--week")
    when = _day(day)
    name = parse_week(week) if week is not None else None
    ws, settings = _open(workspace, setting)
    overrides = dict(parse_setting_value(s) for s in setting or [])
    webapp_prepare(ws, overrides=overrides)

    from coparent.app.common.hooks import post_import_run
    from coparent.app.digest.selectors import digest_data_last, digest_get, digest_week
    from coparent.app.digest.services import digest_channels, digest_send

    chosen = digest_week(
        week=name, day=when, today=_today(settings), data_last=digest_data_last(ws, overrides)
    )
    if send:
        digest_channels(settings, only=channel)  # say what to configure before any work
    for hook in post_import_run(only=("wins",)):  # this week's wins in, like coparent refresh
        if not hook.ok:
            err.print(f"Warning: {hook.name} not updated: {hook.detail}", markup=False)
    built = digest_get(ws=ws, week=chosen, overrides=overrides)
    show = preview or not send
    if show and not as_json:
        sys.stdout.write(render_text(built))
        sys.stdout.flush()
    outcomes = []
    if send:
        if not as_json:
            out.print(f"Sending the digest of {built.week} (numbers as of {built.as_of}):")
        outcomes = digest_send(digest=built, settings=settings, channels=channel, force=force)
        if not as_json:
            for outcome in outcomes:
                _report(outcome)
    if as_json:
        print_json(
            {
                "digest": built.to_dict() if show else None,
                "deliveries": [o.to_dict() for o in outcomes] if send else None,
            }
        )
    statuses = {o.status for o in outcomes}
    if "failed" in statuses:
        raise typer.Exit(EXIT_FAILED)
    if "refused" in statuses:
        raise typer.Exit(EXIT_REFUSED)
