"""``coparent notify``: send what the notification queue holds (``run``), or show it (``status``).

cli.py registers the sub-app: ``app.add_typer(notify.app, name="notify")``.
``run`` is for cron or systemd (every few minutes): it prepares the app
database (`webapp_prepare`), queues the reminders and wins the data call for
(`notify_scan`), claims the rows that are due and delivers them by email and
Slack (`coparent.app.notifications.services.notify_run`). Two runs at once
never send the same row. Successes print on stdout, failures on stderr.

Exit codes of ``run``: 0 nothing failed (rows to be tried again by a later
run are reported on stderr, not as a failure); 1 a notification failed for
good.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coparent.commands._shared import JsonOpt, SettingOpt, WorkspaceOpt, err, out, print_json
from coparent.commands._shared import open_workspace as _open
from coparent.settings import parse_setting_value

__all__ = ["EXIT_FAILED", "app"]

EXIT_FAILED = 1

app = typer.Typer(
    help="Notifications: tell people what waits for their side (email, Slack), from cron.",
    no_args_is_help=True,
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _line(m: dict[str, Any]) -> str:
    what = _plural(int(m["notices"]), "notice")
    summary = " (daily summary)" if m.get("summary") else ""
    return f"{m['channel']} to {m['to']}: {m['status']}, {what}{summary}"


@app.command("run")
def run(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what is due, queue and send nothing."),
    ] = False,
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Queue the reminders and wins due, then send every notification that is due."""
    from coparent.services.webapp import webapp_prepare

    ws, settings = _open(workspace, setting)
    webapp_prepare(ws, overrides=dict(parse_setting_value(s) for s in setting or []))

    from coparent.app.notifications.sending import notify_run

    report = notify_run(settings=settings, dry_run=dry_run)
    if as_json:
        print_json(report.to_dict())
    else:
        if dry_run:
            out.print(
                f"Dry run: {_plural(report.queued, 'notification')} would be queued "
                "(reminders, wins); due now:"
            )
        for m in report.messages:
            if m["status"] in ("sent", "due"):
                out.print(_line(m), markup=False)
            else:
                err.print(f"{_line(m)}: {m.get('error', '')}", markup=False)
                if m.get("hint"):
                    err.print(f"  hint: {m['hint']}", markup=False)
        if not dry_run:
            out.print(
                f"{_plural(report.queued, 'notification')} queued by this run; "
                f"{report.sent} sent, {report.skipped} skipped, {report.retrying} to retry, "
                f"{report.failed} failed",
                markup=False,
            )
        if report.stale:
            err.print(
                f"{_plural(report.stale, 'notification')} left 'sending' by a run that stopped "
                "were marked failed (they may have arrived)",
                markup=False,
            )
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command("status")
def status(
    workspace: WorkspaceOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The queue: notifications per status, and the latest failures with their errors."""
    from coparent.services.webapp import webapp_prepare

    ws, _ = _open(workspace, setting)
    webapp_prepare(ws, overrides=dict(parse_setting_value(s) for s in setting or []))

    from coparent.app.notifications.selectors import notifications_status

    found = notifications_status()
    if as_json:
        print_json(found)
        return
    counts = found["counts"]
    out.print(", ".join(f"{name}: {counts[name]}" for name in counts), markup=False)
    for f in found["failed"]:
        out.print(
            f"failed #{f['id']} {f['kind']} by {f['channel']} to {f['recipient'] or 'channel'} "
            f"after {_plural(int(f['attempts']), 'attempt')}: {f['error']}",
            markup=False,
        )
