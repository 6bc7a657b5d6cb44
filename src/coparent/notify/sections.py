"""Turn the plain data the app gathers into the digest's six sections, in words.

Every builder takes JSON-like data (the reports and selector results the
web app already has) or a `Missing` that says why there is none, and
returns a `Section`. Phrasing lives here, once, so the text, HTML and Slack
renderings agree and the wording is testable without Django.

Inputs, by section:

- scorecard: `coparent.services.scorecard.scorecard_report`'s dict.
- diagnosis: `coparent.services.diagnosis.diagnosis_report`'s dict (period,
  baseline, headline, findings).
- wins: a list of ``{"kind", "date", "story", "teams", "credited": [{"name",
  "team"}], "evidence"}``.
- waiting: per side ``{"side", "label", "count", "overdue", "items": [{"title",
  "kind", "age_hours", "due_in_hours"}]}`` (``due_in_hours`` < 0: overdue).
- starters: a win-back summary ``{"list_id", "as_of", "members", "to_contact",
  "holdout", "assigned", "contacted", "value_at_stake" (the whole list, as
  ``coparent winback create`` reports it), "to_contact_value_at_stake" (the
  accounts to contact), "verdict"}`` and the
  offer lab's analysis (``experiment_id``, ``verdict``, ``verdict_reason``,
  ``winner``).
- pairs: a list of ``{"members": [{"person_id", "name", "team"}], "agenda"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from coparent.metrics import display as fmt
from coparent.metrics.registry import lookup, metric
from coparent.notify.digest import Digest, Group, Item, Section

__all__ = [
    "MAX_ITEMS",
    "SIDE_LABELS",
    "Missing",
    "diagnosis_section",
    "digest_build",
    "pairs_section",
    "scorecard_section",
    "starters_section",
    "waiting_section",
    "wins_section",
]

#: At most this many items per list; the rest are counted ("and 4 more on the Wins page").
MAX_ITEMS = 8
#: At most this many findings under the diagnosis headline (the page has them all).
DIAGNOSIS_ITEMS = 3
SIDE_LABELS: Mapping[str, str] = {"marketing": "Marketing", "sales": "Sales"}


@dataclass(frozen=True)
class Missing:
    """Why a section has no data (``message``) and what to do about it (``hint``)."""

    message: str
    hint: str = ""


def _missing(key: str, title: str, missing: Missing) -> Section:
    return Section(key=key, title=title, empty=missing.message, hint=missing.hint)


def _team(team: str, labels: Mapping[str, str]) -> str:
    if team == "both":  # one team's two kinds of work are labelled "... work"
        return "both roles" if all(v.endswith(" work") for v in labels.values()) else "both teams"
    return labels.get(team, team.title() if team else "no team")


def _more(shown: int, total: int, where: str) -> tuple[Item, ...]:
    return (Item(f"... and {total - shown} more {where}"),) if total > shown else ()


def _when(hours: float) -> str:
    return fmt.hours(abs(hours))


def _metric(report: Mapping[str, Any], name: str, *, sla_hours: float | None = None) -> str:
    """``Label: value`` of a registered metric, as the scorecard page shows it."""
    value = lookup(report, metric(name).path)
    shown = fmt.value(name, value, no_data=report.get("no_data"))
    return f"{fmt.label(name, sla_hours=sla_hours)}: {shown}"


def scorecard_section(
    report: Mapping[str, Any] | Missing, *, side_labels: Mapping[str, str] = SIDE_LABELS
) -> Section:
    """The shared goal on top, then both teams' numbers side by side (one group each).

    Each figure is the scorecard report's, under its registry label and in its
    one format, so the digest reads exactly as the Scorecard page of the period.
    """
    title = "Scorecard"
    if isinstance(report, Missing):
        return _missing("scorecard", title, report)
    label = report["period"]["label"]
    lines = []
    goal = report.get("goal")
    if goal:
        lines.append(
            f"Shared goal {label}: {fmt.money(goal.get('actual'))} of "
            f"{fmt.money(goal.get('target'))} won ({fmt.percent(goal.get('progress'))}), "
            f"forecast {fmt.money(goal.get('forecast'))}: {goal.get('status') or 'no status'}."
        )
    else:
        lines.append(f"No shared goal is set for {label} (the owner sets it on the Setup page).")
    lines.append(
        f"Deals closed in {label}: won revenue {fmt.money(report.get('revenue'))} from "
        f"{fmt.count(report.get('won'))} deals; win rate {fmt.percent(report.get('win_rate'))}."
    )
    sla = report.get("sla") or {}
    marketing, sales = sla.get("marketing") or {}, sla.get("sales") or {}
    committed = marketing.get("committed")
    delivered = fmt.count(marketing.get("mqls_delivered"))
    groups = (
        Group(
            side_labels.get("marketing", "Marketing"),
            (
                Item(
                    f"{fmt.label('mqls')}: {delivered}"
                    + (f" of {fmt.count(committed)} committed" if committed else "")
                ),
                Item(_metric(report, "acceptance_rate")),
                Item(_metric(report, "mql_to_accepted")),
            ),
        ),
        Group(
            side_labels.get("sales", "Sales"),
            (
                Item(_metric(report, "sales_sla_share", sla_hours=sales.get("sla_hours"))),
                Item(_metric(report, "median_hours_to_contact")),
            ),
        ),
    )
    return Section("scorecard", f"{title} {label}", lines=tuple(lines), groups=groups)


def diagnosis_section(report: Mapping[str, Any] | Missing) -> Section:
    """The diagnosis headline in one sentence, phrased as ``coparent diagnose`` prints it.

    Under it, the significant items of the report's ranked ``findings`` (what the
    headline names, with their values), as the scorecard's "Why revenue moved" shows them.
    """
    title = "Diagnosis"
    if isinstance(report, Missing):
        return _missing("diagnosis", title, report)
    line = f"{report['period']} against {report['baseline']}: {report['headline']}"
    moved = [f for f in report.get("findings") or [] if f.get("significant")][:DIAGNOSIS_ITEMS]
    groups = (Group("What moved it", tuple(Item(str(f["text"])) for f in moved)),) if moved else ()
    return Section("diagnosis", title, lines=(line,), groups=groups)


def wins_section(
    wins: Sequence[Mapping[str, Any]] | Missing,
    *,
    start: date,
    end: date,
    side_labels: Mapping[str, str] = SIDE_LABELS,
) -> Section:
    """Wins of the window, each with the people and teams credited; a count per team on top."""
    title = "Wins to celebrate"
    if isinstance(wins, Missing):
        return _missing("wins", title, wins)
    span = f"{start:%-d %b} to {end:%-d %b %Y}"
    if not wins:
        return Section(
            "wins",
            title,
            empty=f"No wins were detected from {span}.",
            hint="wins come from deals, SLA streaks, answered feedback and starter projects; "
            "kudos on the Wins page count too",
        )
    per_team = dict.fromkeys(side_labels, 0)
    for win in wins:
        teams = set(win.get("teams") or ())
        for side in per_team:
            per_team[side] += int(side in teams or "both" in teams)
    counts = ", ".join(f"{side_labels[s]} in {n}" for s, n in per_team.items())
    lines = (f"{len(wins)} win(s) from {span}; credited: {counts}.",)
    items = []
    for win in list(wins)[:MAX_ITEMS]:
        credited = ", ".join(
            f"{c.get('name') or 'someone'} ({_team(str(c.get('team') or ''), side_labels)})"
            for c in win.get("credited") or ()
        )
        details = [f"Credited: {credited}"] if credited else []
        if win.get("date"):
            details.append(f"On {date.fromisoformat(str(win['date'])[:10]):%a %-d %b}")
        items.append(Item(str(win.get("story") or win.get("kind") or "a win"), tuple(details)))
    return Section(
        "wins",
        title,
        lines=lines,
        groups=(Group("", (*items, *_more(len(items), len(wins), "on the Wins page"))),),
    )


def waiting_section(queues: Sequence[Mapping[str, Any]] | Missing) -> Section:
    """What each side owes the other an answer on, oldest due first, with age against due."""
    title = "Waiting for an answer"
    if isinstance(queues, Missing):
        return _missing("waiting", title, queues)
    groups = []
    for q in queues:
        label = str(q.get("label") or SIDE_LABELS.get(str(q["side"]), q["side"]))
        count, overdue = int(q.get("count") or 0), int(q.get("overdue") or 0)
        items = []
        for it in list(q.get("items") or ())[:MAX_ITEMS]:
            due_in = it.get("due_in_hours")
            late = due_in is not None and due_in < 0
            due = (
                ""
                if due_in is None
                else f"overdue by {_when(due_in)}"
                if late
                else f"due in {_when(due_in)}"
            )
            detail = f"{it.get('kind') or 'item'}, waiting {_when(it.get('age_hours') or 0.0)}"
            items.append(
                Item(
                    str(it.get("title") or "untitled"),
                    (f"{detail}, {due}" if due else detail,),
                    "overdue" if late else "",
                )
            )
        summary = (
            f"{count} waiting, {overdue} overdue" if count else "nothing waiting: all answered"
        )
        groups.append(
            Group(
                f"Waiting for {label}",
                (*items, *_more(len(items), count, "on the Feedback page")),
                summary=summary,
            )
        )
    return Section("waiting", title, groups=tuple(groups))


def starters_section(
    winback: Mapping[str, Any] | Missing, offer: Mapping[str, Any] | Missing
) -> Section:
    """The win-back list's progress and outcome, and the offer test's verdict."""
    title = "Starter projects"
    groups = []
    if isinstance(winback, Missing):
        groups.append(Group("Win-back", empty=_joined(winback)))
    else:
        items = [
            Item(
                f"List {winback['list_id']} (as of {winback['as_of']}): "
                f"{fmt.count(winback.get('to_contact'))} accounts to contact, "
                f"{fmt.count(winback.get('holdout'))} held out for comparison; "
                f"{_at_stake(winback)}."
            ),
            Item(
                f"Assigned: {fmt.count(winback.get('assigned'))}; "
                f"contacted: {fmt.count(winback.get('contacted'))} "
                f"of {fmt.count(winback.get('to_contact'))}."
            ),
        ]
        if winback.get("verdict"):
            items.append(Item(f"Outcome: {winback['verdict']}"))
        groups.append(Group("Win-back", tuple(items)))
    if isinstance(offer, Missing):
        groups.append(Group("Offer lab", empty=_joined(offer)))
    else:
        verdict = str(offer.get("verdict") or "no verdict")
        winner = f"; winner: {offer['winner']}" if offer.get("winner") else ""
        groups.append(
            Group(
                "Offer lab",
                (
                    Item(
                        f"Test {offer.get('experiment_id')}: {verdict}{winner}",
                        (str(offer["verdict_reason"]),) if offer.get("verdict_reason") else (),
                    ),
                ),
            )
        )
    return Section("starters", title, groups=tuple(groups))


def _at_stake(winback: Mapping[str, Any]) -> str:
    """Both registered win-back values, named, as ``coparent winback create`` prints them."""
    text = f"{fmt.money(winback.get('value_at_stake'))} at stake in the list"
    if winback.get("to_contact_value_at_stake") is not None:
        to_contact = fmt.money(winback["to_contact_value_at_stake"])
        text += f", {to_contact} of it in the accounts to contact"
    return text


def _joined(missing: Missing) -> str:
    return f"{missing.message} ({missing.hint})" if missing.hint else missing.message


def pairs_section(
    pairs: Sequence[Mapping[str, Any]] | Missing, *, side_labels: Mapping[str, str] = SIDE_LABELS
) -> Section:
    """This week's cross-team pairs (or trios), each with its short agenda from the data."""
    title = "This week's pairs"
    if isinstance(pairs, Missing):
        return _missing("pairs", title, pairs)
    if not pairs:
        return Section(
            "pairs",
            title,
            empty="No pairing round covers this week.",
            hint="start one on the Pairs page or with: coparent pairs",
        )
    items = tuple(
        Item(
            " + ".join(
                f"{m.get('name') or m.get('person_id')} "
                f"({_team(str(m.get('team') or ''), side_labels)})"
                for m in pair.get("members") or ()
            ),
            tuple(str(a) for a in pair.get("agenda") or ()),
        )
        for pair in pairs
    )
    return Section("pairs", title, groups=(Group("", items),))


def digest_build(
    *,
    week: str,
    company: str,
    as_of: date,
    wins_window: tuple[date, date],
    scorecard: Mapping[str, Any] | Missing,
    diagnosis: Mapping[str, Any] | Missing,
    wins: Sequence[Mapping[str, Any]] | Missing,
    waiting: Sequence[Mapping[str, Any]] | Missing,
    winback: Mapping[str, Any] | Missing,
    offer: Mapping[str, Any] | Missing,
    pairs: Sequence[Mapping[str, Any]] | Missing,
    side_labels: Mapping[str, str] = SIDE_LABELS,
    note: str = "",
) -> Digest:
    """The whole agenda from its inputs, in `SECTION_ORDER`."""
    return Digest(
        week=week,
        company=company,
        as_of=as_of,
        note=note,
        sections=(
            scorecard_section(scorecard, side_labels=side_labels),
            diagnosis_section(diagnosis),
            wins_section(wins, start=wins_window[0], end=wins_window[1], side_labels=side_labels),
            waiting_section(waiting),
            starters_section(winback, offer),
            pairs_section(pairs, side_labels=side_labels),
        ),
    )
