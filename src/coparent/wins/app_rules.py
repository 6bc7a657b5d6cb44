"""Rules over what people did in the app and the starter projects: fast answers, the first
win-back reactivation, offer verdicts, and the early-days firsts (first accepted MQL, first
answered brief).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from coparent.metrics import display as fmt
from coparent.wins import stories
from coparent.wins.inputs import AppData, FactRows, FeedbackAnswer
from coparent.wins.model import Credit, Win, teams_of, unique_credits, win_key
from coparent.wins.rules import WinsConfig

__all__ = [
    "fast_answer_wins",
    "first_accepted_mql_wins",
    "first_answered_brief_wins",
    "offer_verdict_wins",
    "winback_reactivation_wins",
]

Row = dict[str, Any]
_KIND_WORDS = {
    "lead_rejection": "the note on a rejected lead",
    "field_insight": "the field insight",
    "campaign_brief": "the campaign brief",
}


def _hours(a: FeedbackAnswer) -> float:
    return (a.answered_at - a.created_at).total_seconds() / 3600


def _answerer(a: FeedbackAnswer) -> Credit | None:
    return Credit(a.answered_by, a.side) if a.answered_by else None


def fast_answer_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """A feedback item answered within ``fast_answer_hours`` of being posted."""
    out = []
    for a in app.answers:
        hours = _hours(a)
        if hours < 0 or hours > config.fast_answer_hours:
            continue
        credit = _answerer(a)
        who = stories.people([credit]) if credit else stories.TEAM_NAMES[a.side]
        what = _KIND_WORDS.get(a.kind, "the feedback item")
        story = f"{who} answered {what} “{a.title}” in {fmt.hours(hours)}."
        out.append(
            Win(
                kind="fast_answer",
                key=win_key("fast_answer", a.item_id),
                date=a.answered_at.date(),
                story=story,
                teams=(a.side,),
                credited=(credit,) if credit else (),
                evidence=(f"feedback:{a.item_id}",),
            )
        )
    return out


def winback_reactivation_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """The first contacted account of a win-back list that orders again after the list's day.

    Credits who reached out (marked in the app), else the account's owner on
    the list; both teams, since the win-back list is a joint starter project.
    """
    lists = {w.list_id: w for w in rows.winback_lists}
    out = []
    for r in rows.reactivations:
        wl = lists.get(r["list_id"])
        if wl is None:
            continue
        member = next((m for m in wl.members if m["account_id"] == r["account_id"]), {})
        account = member.get("account_name") or r["account_id"]
        contacted = app.contacted_by.get(wl.list_id, {}).get(r["account_id"], "")
        credits: list[Credit] = []
        if contacted:
            credits.append(Credit(contacted, "sales"))
            who = f"{stories.people(credits)} reached out"
        elif member.get("owner_id"):
            credits.append(
                Credit(member.get("owner_name") or member["owner_id"], "sales", member["owner_id"])
            )
            who = f"account owner {stories.people(credits)}"
        else:
            who = "the win-back team"
        ordered: date = (
            r["ordered_at"].date() if isinstance(r["ordered_at"], datetime) else r["ordered_at"]
        )
        story = (
            f"First win-back of the list {wl.list_id}: {account} ordered again "
            f"({stories.money(r.get('amount'))}) on {stories.day(ordered)} — {who}."
        )
        out.append(
            Win(
                kind="winback_reactivation",
                key=win_key("winback_reactivation", wl.list_id),
                date=ordered,
                story=story,
                teams=("marketing", "sales"),
                credited=unique_credits(credits),
                evidence=(wl.list_id, str(r["account_id"])),
                amount=float(r.get("amount") or 0.0),
            )
        )
    return out


def offer_verdict_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """An offer test reaching a verdict: ship the challenger, or keep the control on evidence.

    A "stop" without a variant to keep (a broken split) is not a verdict on
    the offer and is not celebrated.
    """
    out = []
    for v in rows.offer_verdicts:
        if v.verdict not in ("ship", "stop") or not v.winner:
            continue
        if v.verdict == "ship":
            story = (
                f"The offer test {v.experiment_id} has a verdict: {v.winner} converts better "
                f"than {v.control or 'the control'}. Time to ship it."
            )
        else:
            story = (
                f"The offer test {v.experiment_id} has a clear answer: keep {v.winner}. "
                "A decision made on data, together."
            )
        out.append(
            Win(
                kind="offer_verdict",
                key=win_key("offer_verdict", v.experiment_id),
                date=v.decided_on,
                story=story,
                teams=("marketing", "sales"),
                evidence=(v.experiment_id, v.verdict, v.winner),
            )
        )
    return out


def first_accepted_mql_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Early days: the first MQL accepted after setup (in the CRM or reviewed in the app).

    ``rows.first_accepted`` holds the candidates with the lead's people
    (``lead_id``, ``accepted_at``, ``reviewer``, ``owner_*``, ``campaign_*``).
    """
    window = config.early_days(app.setup_on)
    if window is None:
        return []
    start, end = window
    found = [r for r in rows.first_accepted if start <= r["accepted_at"].date() < end]
    if not found:
        return []
    r = min(found, key=lambda x: (x["accepted_at"], str(x["lead_id"])))
    credits: list[Credit] = []
    if r.get("campaign_owner_id"):
        credits.append(
            Credit(
                r.get("campaign_owner_name") or r["campaign_owner_id"],
                "marketing",
                r["campaign_owner_id"],
            )
        )
    if r.get("reviewer"):
        credits.append(Credit(r["reviewer"], "sales"))
    elif r.get("owner_id"):
        credits.append(Credit(r.get("owner_name") or r["owner_id"], "sales", r["owner_id"]))
    unique = unique_credits(credits)
    source = f" from “{r['campaign_name'] or r['campaign_id']}”" if r.get("campaign_id") else ""
    who = f" — {stories.people(unique)}" if unique else ""
    story = f"First MQL accepted since setup: lead {r['lead_id']}{source}{who}. A great start!"
    return [
        Win(
            kind="first_accepted_mql",
            key=win_key("first_accepted_mql", r["lead_id"]),
            date=r["accepted_at"].date(),
            story=story,
            teams=teams_of(unique, ["marketing", "sales"]),
            credited=unique,
            evidence=(str(r["lead_id"]),),
        )
    ]


def first_answered_brief_wins(rows: FactRows, app: AppData, config: WinsConfig) -> list[Win]:
    """Early days: the first campaign brief answered after setup."""
    window = config.early_days(app.setup_on)
    if window is None:
        return []
    start, end = window
    briefs = [
        a for a in app.answers if a.kind == "campaign_brief" and start <= a.answered_at.date() < end
    ]
    if not briefs:
        return []
    a = min(briefs, key=lambda x: (x.answered_at, x.item_id))
    credits: list[Credit] = []
    if a.author and a.author_side:
        credits.append(Credit(a.author, a.author_side))
    answerer = _answerer(a)
    if answerer:
        credits.append(answerer)
    unique = unique_credits(credits)
    who = f" — {stories.people(unique)}" if unique else ""
    story = f"First campaign brief answered since setup: “{a.title}”{who}. Keep them coming!"
    return [
        Win(
            kind="first_answered_brief",
            key=win_key("first_answered_brief", a.item_id),
            date=a.answered_at.date(),
            story=story,
            teams=teams_of(unique, ["marketing", "sales"]),
            credited=unique,
            evidence=(f"feedback:{a.item_id}",),
        )
    ]
