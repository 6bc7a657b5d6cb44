"""Page contexts: each view calls one of these and renders what it returns.

They compose the selectors (reports through the cache, app decisions from
the database) and put numbers into words with `coparent.metrics.display`,
each registered figure under its registry label (`coparent.metrics.registry`);
no figure is computed here that a core service does not already report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from coparent.app.common.facts import Facts, core_settings, data_version, workspace
from coparent.app.dashboards.mine import Mine, mine_for
from coparent.app.dashboards.selectors import (
    AGAINST,
    SEGMENTS,
    diagnosis_for,
    diagnosis_get,
    funnel_get,
    product_get,
    scorecard_charts_get,
    scorecard_get,
)
from coparent.app.feedback.selectors import (
    feedback_balance,
    feedback_counts,
    feedback_for_product,
    feedback_response_times,
)
from coparent.app.goals.models import SubGoal, SubGoalMetric
from coparent.app.teams.access import Actor
from coparent.app.teams.selectors import champion_names, memberships_list
from coparent.diagnosis.contracts import DiagnosisReport, FindingOut
from coparent.metrics import display as fmt
from coparent.metrics.contracts import ScorecardReport
from coparent.metrics.registry import lookup, metric
from coparent.settings import source_words
from coparent.web.wins.pages import feed_context, feed_labels

__all__ = [
    "diagnosis_page",
    "funnel_page",
    "goal_source",
    "me_page",
    "mine_panel",
    "product_page",
    "products_page",
    "scorecard_key",
    "scorecard_page",
    "sub_goal_progress",
    "web_notes",
]

_RATES = {SubGoalMetric.ACCEPTANCE_RATE, SubGoalMetric.WIN_RATE, SubGoalMetric.SLA_SHARE}
_MONEY = {SubGoalMetric.PIPELINE, SubGoalMetric.REVENUE}


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    detail: str = ""
    metric: str = ""  # the registered metric: its value opens the rows behind it


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _actual(metric: str, report: ScorecardReport) -> float | None:
    """Where the scorecard report already holds each sub-goal's actual value."""
    paths = {
        SubGoalMetric.MQLS: ("sla", "marketing", "mqls_delivered"),
        SubGoalMetric.ACCEPTANCE_RATE: ("sla", "marketing", "acceptance_rate"),
        SubGoalMetric.PIPELINE: ("pipeline", "amount"),
        SubGoalMetric.WIN_RATE: ("win_rate",),
        SubGoalMetric.REVENUE: ("revenue",),
        SubGoalMetric.SLA_SHARE: ("sla", "sales", "share_within_sla"),
    }
    value = _dig(report, *paths[SubGoalMetric(metric)])
    return float(value) if isinstance(value, int | float) else None


def _show(metric: str, value: float | None) -> str:
    if metric in _RATES:
        return fmt.percent(value)
    if metric in _MONEY:
        return fmt.money(value)
    return fmt.count(value)


def sub_goal_progress(sub: SubGoal, report: ScorecardReport | None) -> dict[str, Any]:
    """A sub-goal with its actual value from the scorecard, in words."""
    target = float(sub.target)
    actual = _actual(sub.metric, report) if report else None
    share = actual / target if actual is not None and target else None
    return {
        "team": sub.team,
        "label": SubGoalMetric(sub.metric).label,
        "target": _show(sub.metric, target),
        "actual": _show(sub.metric, actual),
        "share": share,
        "met": share is not None and share >= 1,
    }


def _kpi(report: ScorecardReport, name: str, detail: str, *, label: str = "") -> Kpi:
    """Registered metric ``name`` as a card: its label and value, or "no data" and the fix."""
    value = lookup(report, metric(name).path)
    hint = report.get("no_data", {}).get(name, "")
    if value is None and hint:
        return Kpi(label or fmt.label(name), fmt.NO_DATA, hint)
    return Kpi(label or fmt.label(name), fmt.value(name, value), detail, metric=name)


def _side_kpis(side: str, report: ScorecardReport | None) -> list[Kpi]:
    if not report:
        return []
    if side == "marketing":
        m = _dig(report, "sla", "marketing")
        if not m:
            return []
        committed = m.get("committed")
        of_all = fmt.value(
            "mql_to_accepted",
            lookup(report, metric("mql_to_accepted").path),
            no_data=report.get("no_data"),
        )
        return [
            _kpi(
                report,
                "mqls",
                f"of {fmt.count(committed)} committed "
                f"({fmt.value('delivery_rate', m.get('delivery_rate'))} to date)"
                if committed
                else "no commitment set",
            ),
            _kpi(
                report,
                "acceptance_rate",
                f"{fmt.count(m.get('accepted'))} accepted, {fmt.count(m.get('rejected'))} "
                f"rejected; {fmt.label('mql_to_accepted')}: {of_all}",
            ),
        ]
    s = _dig(report, "sla", "sales")
    if not s:
        return []
    median = fmt.value("median_hours_to_contact", s.get("median_hours"))
    return [
        _kpi(
            report,
            "sales_sla_share",
            f"{fmt.label('median_hours_to_contact')}: {median}",
            label=fmt.label("sales_sla_share", sla_hours=s.get("sla_hours")),
        ),
        _kpi(report, "attempts_per_mql", f"{fmt.count(s.get('attempts'))} attempts in all"),
    ]


def _kpis_for(actor: Actor, kpis: list[Kpi]) -> list[Kpi]:
    """The cards in the company's words: one team names no team apart (`fmt.one_team`)."""
    if not actor.single_team:
        return kpis
    return [Kpi(fmt.one_team(k.label), k.value, fmt.one_team(k.detail), k.metric) for k in kpis]


_WEB_NOTES = {
    "set goal_won_revenue": "",  # the goal card already says how to set one
    "set marketing_mql_commitment": (
        "Set Marketing's MQL commitment in Setup (SLA terms) to compare MQLs delivered with it."
    ),
}


def web_notes(notes: list[str]) -> list[str]:
    """The report's notes, with settings advice turned into where to set it in the app.

    >>> web_notes(["set goal_won_revenue to see progress", "4 open deals have no amount"])
    ['4 open deals have no amount']
    """
    out = []
    for note in notes:
        match = next((v for k, v in _WEB_NOTES.items() if note.startswith(k)), None)
        if match is None:
            out.append(note)
        elif match:
            out.append(match)
    return out


def goal_source(goal: Mapping[str, Any] | None) -> str:
    """Where a report's goal came from, in words ('' without a goal).

    >>> goal_source({"source": "app"}), goal_source(None)
    ("the app's Setup", '')
    """
    if not goal:
        return ""
    return source_words(str(goal.get("source") or "settings_file"), "goal_won_revenue")


def scorecard_key(*, actor: Actor, period: str | None) -> list[Any]:
    """What the scorecard body depends on besides the app stamp (see `cached_fragment`)."""
    ws = workspace()
    settings = core_settings(ws)
    return [
        "scorecard",
        period,
        actor.role,
        actor.team,
        actor.single_team,
        data_version(ws, settings) if ws.exists() else str(ws.path),
        repr(settings) if ws.exists() else "",
    ]


def scorecard_page(*, actor: Actor, period: str | None) -> dict[str, Any]:
    """Shared goal, both sides side by side, the funnel, the diagnosis headline, latest wins."""
    r, report = scorecard_get(period=period)
    data = report.value if report.ok else None
    found = r.goal
    counts = feedback_counts()
    response = feedback_response_times()
    champions = champion_names()
    subs = {s.team: sub_goal_progress(s, data) for s in (found.sub_goals if found else [])}
    sides = [
        {
            "key": side,
            "label": actor.side_labels[side],
            "champion": champions.get(side, ""),
            "kpis": _kpis_for(actor, _side_kpis(side, data)),
            "waiting": counts[side]["waiting"],
            "overdue": counts[side]["overdue"],
            "response": response[side],
            "sub_goal": subs.get(side),
        }
        for side in ("marketing", "sales")
    ]
    headline, moved = "", list[FindingOut]()
    if data is not None and r.period:
        diag, _ = diagnosis_for(r)
        if diag.ok and diag.value is not None:
            headline = diag.value["headline"]
            moved = _moved(diag.value, limit=3)
    first_run = first_run_steps(
        actor, has_data=data is not None, has_goal=bool(data and data.get("goal")), period=r.period
    )
    return {
        "first_run": first_run,
        "r": r,
        "report": report,
        "data": data,
        "charts": scorecard_charts_get(r, report),
        "goal": found,
        "goal_source": goal_source(data.get("goal") if data else None),
        "sides": sides,
        "headline": headline,
        "moved": moved,
        **feed_context(wins=5, kudos=4),
        "balance": feedback_balance() if actor.single_team else None,
        "notes": web_notes(list(data.get("notes", [])) if data else []),
    }


MINE_SHOWN = 3
"""Rows per list in the scorecard's "For you" panel; /me/ shows up to `ME_SHOWN`."""
ME_SHOWN = 50


def mine_panel(*, actor: Actor) -> Mine | None:
    """The scorecard's "For you" panel: None for the owner and viewers (the company's view)."""
    return mine_for(actor, limit=MINE_SHOWN)


def me_page(*, actor: Actor) -> dict[str, Any]:
    """/me/: the person's MQLs, items, calls, pair and wins, in full."""
    return {"mine": mine_for(actor, limit=ME_SHOWN), "full": True, **feed_labels()}


def first_run_steps(
    actor: Actor, *, has_data: bool, has_goal: bool, period: str | None
) -> list[dict[str, Any]] | None:
    """The owner's first steps, in order, while any is left: data, champions, goal, people.

    A new company's owner lands on an empty scorecard; this says what to do
    first, and after the first import, what comes next. None once all is done
    (and for everyone but the owner).
    """
    if actor.role != "owner":
        return None
    members = memberships_list()
    champions = champion_names()
    steps = [
        {
            "key": "import",
            "done": has_data,
            "text": "Import your CRM export (HubSpot, Salesforce, Pipedrive: all its files or "
            "one .zip), or a file per table",
            "url": reverse("imports:data"),
            "link": "Data page",
        },
    ]
    if not actor.single_team:
        steps.append(
            {
                "key": "champions",
                "done": {"sales", "marketing"} <= set(champions),
                "text": "Name a champion in each team, who answers for the teams working together",
                "url": reverse("setup:home") + "#champions",
                "link": "Setup",
            }
        )
    steps += [
        {
            "key": "goal",
            "done": has_goal,
            "text": f"Set the shared goal{' for ' + period if period else ''}, with each "
            "team's part",
            "url": reverse("setup:home") + "#goals",
            "link": "Setup",
        },
        {
            "key": "people",
            "done": members.count() > 1,
            "text": "Invite the people of your team"
            if actor.single_team
            else "Invite the people of both teams",
            "url": reverse("setup:home") + "#people",
            "link": "Setup",
        },
    ]
    if all(step["done"] for step in steps):
        return None
    return steps


def _moved(diagnosis: DiagnosisReport | None, *, limit: int) -> list[FindingOut]:
    """The diagnosis's significant findings, largest first: what its headline names, in full.

    Every surface reads the one ranked ``findings`` list, so the scorecard, the
    diagnosis page, the chart and the digest name the same things.
    """
    found = diagnosis["findings"] if diagnosis else []
    return [f for f in found if f["significant"]][:limit]


def diagnosis_page(*, period: str | None, against: str, by: str) -> dict[str, Any]:
    r, report, chart = diagnosis_get(period=period, against=against, by=by)
    no_goal = r.goal is None and r.settings.goal_won_revenue <= 0
    if against == "goal" and not report.ok and report.error is None and r.period and no_goal:
        report = Facts(
            None,
            missing=f"no revenue goal is set for {r.period}: there is nothing to compare against",
            hint="the owner sets the shared goal of the period in Setup",
        )
    data = report.value if report.ok else None
    narrative = [p for p in (data["narrative"] if data else "").split("\n\n") if p.strip()]
    return {
        "r": r,
        "report": report,
        "data": data,
        "chart": chart,
        "against": against,
        "by": by,
        "against_choices": AGAINST,
        "by_choices": SEGMENTS,
        "narrative": narrative,
        "moved": _moved(data, limit=5),
        "goal_source": goal_source(data["goal"] if data else None),
    }


def funnel_page(*, period: str | None, by: str | None) -> dict[str, Any]:
    r, report, charts = funnel_get(period=period, by=by)
    return {
        "r": r,
        "report": report,
        "data": report.value if report.ok else None,
        "charts": charts,
        "by": by or "",
        "by_choices": {"product": "product", "channel": "channel", "month": "month"},
    }


def products_page(*, period: str | None) -> dict[str, Any]:
    r, report = scorecard_get(period=period)
    data = report.value if report.ok else None
    return {
        "r": r,
        "report": report,
        "products": data.get("products", []) if data else [],
        "previous_period": data["previous"]["period"]["label"] if data else None,
    }


def product_page(*, product_id: str, period: str | None) -> dict[str, Any]:
    r, report, chart = product_get(product_id=product_id, period=period)
    return {
        "r": r,
        "report": report,
        "data": report.value if report.ok else None,
        "chart": chart,
        "product_id": product_id,
        "feedback": list(feedback_for_product(product_id=product_id)),
    }
