"""Starter projects page: the win-back list (ranked, frozen with a holdout, worked, measured)
and the offer lab's latest experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from coparent.app.common.facts import Facts, cached_facts, workspace
from coparent.app.starters.models import WinbackAssignment
from coparent.app.teams.access import Actor
from coparent.errors import CoparentError
from coparent.services.offers import offer_analyze
from coparent.services.winback import LIST_DIR, winback_list_load, winback_outcome, winback_rank

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


def starters_page(*, actor: Actor, list_id: str | None) -> dict[str, Any]:
    ids = winback_list_ids()
    chosen = list_id if list_id in ids else (ids[0] if ids else None)
    document, problem = _list(chosen) if chosen else (None, "")
    members: list[dict[str, Any]] = []
    outcome: Facts[dict[str, Any]] = Facts(None)
    preview: Facts[dict[str, Any]] = Facts(None)
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
    else:
        preview = cached_facts(
            "winback-rank", lambda con: winback_rank(con, top=PREVIEW), params={"top": PREVIEW}
        )
    offers = cached_facts("offer-analysis", lambda con: offer_analyze(con), params={})
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    return {
        "lists": ids,
        "list_id": chosen,
        "document": document,
        "problem": problem,
        "members": members,
        "outcome": outcome,
        "preview": preview,
        "offers": offers,
        "people": people,
        "may_assign": actor.may("assign"),
        "may_contact": actor.may_act_for("sales"),
    }
