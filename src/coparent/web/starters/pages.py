"""Starter projects page: the win-back list (ranked, frozen with a holdout, worked, measured)
and the offer lab's latest experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import QueryDict

from coparent.app.common.facts import Facts, cached_facts, workspace
from coparent.app.starters.models import WinbackAssignment
from coparent.app.starters.selectors import winback_callers
from coparent.app.teams.access import Actor
from coparent.errors import CoparentError
from coparent.models.abtest import SRM_THRESHOLD, SRM_WATCH
from coparent.services.offers import offer_analyze, offer_economics, offer_plan
from coparent.services.winback import (
    DEFAULT_MAX_P_ALIVE,
    LIST_DIR,
    winback_list_load,
    winback_outcome,
    winback_rank,
)
from coparent.web.starters.forms import EconomicsForm, FreezeForm, PlanForm, RankForm

__all__ = ["starters_page", "winback_list_ids"]

PREVIEW = 20


def winback_list_ids() -> list[str]:
    """Frozen lists in the workspace, newest first."""
    folder = workspace().path / LIST_DIR
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("wb-*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    return [p.stem for p in reversed(files)]


def _list(list_id: str) -> tuple[dict[str, Any] | None, str]:
    try:
        return winback_list_load(workspace(), list_id), ""
    except CoparentError as exc:
        return None, exc.message


def _mtime(list_id: str) -> float:
    path = workspace().path / LIST_DIR / f"{Path(list_id).name}.json"
    return path.stat().st_mtime if path.exists() else 0.0


def _calculator(form: PlanForm | EconomicsForm, run: Any) -> tuple[dict[str, Any] | None, str]:
    """Run a calculator when its form was filled in; (result, problem in words)."""
    if not form.is_bound or not form.is_valid():
        return None, ""
    try:
        result: dict[str, Any] = run(**form.arguments())
    except CoparentError as exc:
        return None, exc.message
    return result, ""


def starters_page(*, actor: Actor, list_id: str | None, query: QueryDict) -> dict[str, Any]:
    ids = winback_list_ids()
    chosen = list_id if list_id in ids else (ids[0] if ids else None)
    document, problem = _list(chosen) if chosen else (None, "")
    members: list[dict[str, Any]] = []
    outcome: Facts[dict[str, Any]] = Facts(None)
    preview: Facts[dict[str, Any]] = Facts(None)
    rank_form = RankForm(query if "max_p_alive" in query else None)
    max_p_alive = rank_form.threshold() if rank_form.is_valid() else DEFAULT_MAX_P_ALIVE
    if document is not None and chosen is not None:
        work = {
            a.account_id: a
            for a in WinbackAssignment.objects.filter(list_id=chosen).select_related(
                "assignee", "contacted_by"
            )
        }
        members = [{**m, "work": work.get(m["account_id"])} for m in document["members"]]
        outcome = cached_facts(
            "winback-outcome",
            lambda con: winback_outcome(con, workspace=workspace(), list_ref=chosen),
            params={"list": chosen, "mtime": _mtime(chosen)},
        )
    if document is None or "max_p_alive" in query:
        preview = cached_facts(
            "winback-rank",
            lambda con: winback_rank(con, top=PREVIEW, max_p_alive=max_p_alive),
            params={"top": PREVIEW, "max_p_alive": max_p_alive},
        )
    offers = cached_facts("offer-analysis", lambda con: offer_analyze(con), params={})
    plan_form = PlanForm(query if "plan-baseline" in query else None, prefix="plan")
    if not plan_form.is_bound:
        baseline = _control_rate(offers)
        plan_form = PlanForm(
            initial={"baseline": baseline, "mde": 2, "power": 80, "alpha": 5, "variants": 2},
            prefix="plan",
        )
    econ_form = EconomicsForm(query if "econ-price" in query else None, prefix="econ")
    plan, plan_problem = _calculator(plan_form, offer_plan)
    economics, economics_problem = _calculator(econ_form, offer_economics)
    freeze_form = FreezeForm(
        initial={"top": 100, "holdout": 10, "max_p_alive": round(max_p_alive * 100, 4)}
    )
    return {
        "lists": ids,
        "list_id": chosen,
        "document": document,
        "problem": problem,
        "members": members,
        "outcome": outcome,
        "preview": preview,
        "rank_form": rank_form,
        "freeze_form": freeze_form,
        "max_p_alive": max_p_alive,
        "max_p_alive_pct": f"{max_p_alive * 100:g}",  # a form value in a link, not a figure
        "offers": offers,
        "srm_watch": SRM_WATCH,
        "srm_alarm": SRM_THRESHOLD,
        "plan_form": plan_form,
        "plan": plan,
        "plan_problem": plan_problem,
        "econ_form": econ_form,
        "economics": economics,
        "economics_problem": economics_problem,
        "people": winback_callers(),
        "may_assign": actor.may("assign"),
        "may_contact": actor.may_act_for("sales"),
    }


def _control_rate(offers: Facts[dict[str, Any]]) -> float | None:
    """The latest experiment's control rate in percent: the plan's natural baseline."""
    if not offers.ok or offers.value is None:
        return None
    for v in offers.value["variants"]:
        if v["variant"] == offers.value["control"]:
            return round(float(v["rate"]) * 100, 2)
    return None
